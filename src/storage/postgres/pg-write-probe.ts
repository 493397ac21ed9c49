import type { PgClient } from './pg-client';

/** Rewrites the one row of the write_probe table: a write of the store's own, no data. */
const WRITE_PROBE_SQL =
  'INSERT INTO write_probe (id, probed_at) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET probed_at = excluded.probed_at';

/**
 * Store.probeWritable for PostgreSQL. The one statement runs outside any transaction block, so
 * it is a transaction of its own, and the server answers only once it has committed it. No
 * thread is needed: the driver never blocks the event loop, and the pool's statement_timeout
 * bounds a hanging server (as the caller's own timeout does). Errors arrive mapped by the client:
 * StorageUnavailableError when the database cannot be written or reached. At most one probe
 * runs at a time; callers while it runs share its outcome, so a hanging database never piles up
 * probes holding the pool's connections.
 */
export function pgWriteProbe(client: PgClient): (now: Date) => Promise<void> {
  let running: Promise<void> | undefined;
  return (now) => {
    if (running) return running;
    const probe = client.query(WRITE_PROBE_SQL, [now]).then(
      () => {
        running = undefined;
      },
      (err: unknown) => {
        running = undefined;
        throw err;
      },
    );
    running = probe;
    return probe;
  };
}
