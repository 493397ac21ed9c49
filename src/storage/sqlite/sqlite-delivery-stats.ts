import type Database from 'better-sqlite3';
import type { DeliveryChannel, DeliveryStats, DeliveryState } from '../ports';

interface StatsRow {
  state: DeliveryState;
  channel: DeliveryChannel;
  count: number;
  /** Epoch ms since when the oldest due job of this group has been claimable; null when none is. */
  oldest_due: number | null;
}

interface DeliveredRow {
  channel: DeliveryChannel;
  delivered: number;
}

/**
 * DeliveryQueue.stats on SQLite, at every metrics scrape, so its cost must not grow with the
 * history. Jobs that are not delivered (the backlog, which drains) are grouped from the partial
 * index delivery_jobs_open; the `WHERE state <> 'delivered'` is the index's own condition, so
 * SQLite reads only that index. Delivered jobs, which pile up without bound, come from
 * delivery_job_counts, one row per channel kept exact by triggers (see migrations.ts).
 *
 * "Due" is exactly what claimDue would take (pending or failed and due, or in flight with an
 * expired lease, never inbox), so the age grows when no worker runs or the workers cannot keep up.
 */
export function sqliteDeliveryStats(db: Database.Database): (now: Date) => DeliveryStats {
  const selectOpen = db.prepare<{ now: number }, StatsRow>(`
    SELECT state, channel, COUNT(*) AS count,
           MIN(CASE
                 WHEN channel = 'inbox' THEN NULL
                 WHEN state IN ('pending', 'failed') AND next_attempt_at <= @now THEN next_attempt_at
                 WHEN state = 'in_flight' AND lease_until <= @now THEN lease_until
               END) AS oldest_due
      FROM delivery_jobs INDEXED BY delivery_jobs_open
     WHERE state <> 'delivered'
     GROUP BY state, channel`);
  const selectDelivered = db.prepare<[], DeliveredRow>('SELECT channel, delivered FROM delivery_job_counts WHERE delivered > 0');
  // One read transaction, so the two statements see the same snapshot (WAL: no writer waits).
  const read = db.transaction((t: number) => ({ open: selectOpen.all({ now: t }), delivered: selectDelivered.all() }));

  return (now) => {
    const t = now.getTime();
    const { open, delivered } = read.deferred(t);
    const dueSince = open.reduce<number | undefined>(
      (oldest, row) => (row.oldest_due === null || (oldest !== undefined && oldest <= row.oldest_due) ? oldest : row.oldest_due),
      undefined,
    );
    return {
      jobs: [
        ...open.map(({ state, channel, count }) => ({ state, channel, count })),
        ...delivered.map(({ channel, delivered: count }) => ({ state: 'delivered' as const, channel, count })),
      ],
      oldestDueAgeSeconds: dueSince === undefined ? 0 : (t - dueSince) / 1000,
    };
  };
}
