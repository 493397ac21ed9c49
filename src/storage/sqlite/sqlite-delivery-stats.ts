import type Database from 'better-sqlite3';
import type { DeliveryChannel, DeliveryStats, DeliveryState } from '../ports';

interface StatsRow {
  state: DeliveryState;
  channel: DeliveryChannel;
  count: number;
  /** Epoch ms since when the oldest due job of this group has been claimable; null when none is. */
  oldest_due: number | null;
}

/**
 * DeliveryQueue.stats on SQLite: one aggregate statement per scrape. "Due" is exactly what
 * claimDue would take (pending or failed and due, or in flight with an expired lease, never
 * inbox), so the age grows when no worker runs or the workers cannot keep up.
 */
export function sqliteDeliveryStats(db: Database.Database): (now: Date) => DeliveryStats {
  const select = db.prepare<{ now: number }, StatsRow>(`
    SELECT state, channel, COUNT(*) AS count,
           MIN(CASE
                 WHEN channel = 'inbox' THEN NULL
                 WHEN state IN ('pending', 'failed') AND next_attempt_at <= @now THEN next_attempt_at
                 WHEN state = 'in_flight' AND lease_until <= @now THEN lease_until
               END) AS oldest_due
      FROM delivery_jobs
     GROUP BY state, channel`);

  return (now) => {
    const t = now.getTime();
    const rows = select.all({ now: t });
    const dueSince = rows.reduce<number | undefined>(
      (oldest, row) => (row.oldest_due === null || (oldest !== undefined && oldest <= row.oldest_due) ? oldest : row.oldest_due),
      undefined,
    );
    return {
      jobs: rows.map(({ state, channel, count }) => ({ state, channel, count })),
      oldestDueAgeSeconds: dueSince === undefined ? 0 : (t - dueSince) / 1000,
    };
  };
}
