import type { DeliveryChannel, DeliveryStats, DeliveryState } from '../ports';
import type { PgQueries } from './pg-client';

interface StatsRow {
  state: DeliveryState;
  channel: DeliveryChannel;
  /** COUNT and SUM come back as strings. */
  count: string;
  /** Since when the oldest due job of this group has been claimable; null when none is. */
  oldest_due: Date | null;
}

/**
 * Jobs that are not delivered (the backlog, which drains) are grouped from the partial index
 * delivery_jobs_open (its condition is the WHERE); delivered jobs, which pile up without bound,
 * are summed from delivery_job_counts (a few rows per channel, kept exact by a trigger at each
 * commit, see pg-migrations.ts). One statement, so both halves are one snapshot.
 *
 * "Due" is exactly what claimDue would take (pending or failed and due, or in flight with an
 * expired lease, never inbox).
 */
const SELECT_STATS = `
  SELECT state, channel, COUNT(*) AS count,
         MIN(CASE
               WHEN channel = 'inbox' THEN NULL
               WHEN state IN ('pending', 'failed') AND next_attempt_at <= $1 THEN next_attempt_at
               WHEN state = 'in_flight' AND lease_until <= $1 THEN lease_until
             END) AS oldest_due
    FROM delivery_jobs
   WHERE state <> 'delivered'
   GROUP BY state, channel
  UNION ALL
  SELECT 'delivered', channel, SUM(delivered), NULL
    FROM delivery_job_counts
   GROUP BY channel
  HAVING SUM(delivered) > 0`;

/** DeliveryQueue.stats on PostgreSQL, at every metrics scrape, so its cost must not grow with the history. */
export function pgDeliveryStats(q: PgQueries): (now: Date) => Promise<DeliveryStats> {
  return async (now) => {
    const rows = await q.query<StatsRow>(SELECT_STATS, [now]);
    const dueSince = rows.reduce<number | undefined>((oldest, row) => {
      const due = row.oldest_due?.getTime();
      return due === undefined || (oldest !== undefined && oldest <= due) ? oldest : due;
    }, undefined);
    return {
      jobs: rows.map(({ state, channel, count }) => ({ state, channel, count: Number(count) })),
      oldestDueAgeSeconds: dueSince === undefined ? 0 : (now.getTime() - dueSince) / 1000,
    };
  };
}
