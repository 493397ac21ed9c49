import type { PgQueries } from './pg-client';
import { JOBS_NOTIFY_SQL } from './pg-listener';

/** Announces committed claimable jobs on efa_jobs, coalescing the announcements of one process. */
export interface PgJobAnnouncer {
  /** Call after the commit of new claimable jobs; never waits and never throws. */
  announce(): void;
  /** Resolves once no announcement is being sent (before the pool is closed). */
  idle(): Promise<void>;
}

/**
 * Why not NOTIFY inside each submission's statement: PostgreSQL serialises the commits of all
 * transactions that notify (they take one database-wide lock from pre-commit until the commit
 * has been flushed), so one NOTIFY per submission made every submission wait for the others'
 * WAL flushes (the scale bench saw the INSERTs queue on that lock). Instead the store sends one
 * NOTIFY after the commit, and while one is on its way, all further announcements of this
 * process become a single next one: a worker is still woken at once, it finds every committed
 * job (each announcement follows its commit), and under load the notifications per second are
 * bounded by one round trip instead of growing with the submissions. A lost announcement
 * (the database away just then) costs only latency: workers also poll.
 */
export function createPgJobAnnouncer(client: PgQueries): PgJobAnnouncer {
  let sending: Promise<void> | undefined;
  let again = false;

  const send = (): void => {
    sending = client.query(`SELECT ${JOBS_NOTIFY_SQL}`).then(
      () => undefined,
      () => undefined, // the poll finds the jobs; the failure itself is the store's to report elsewhere
    ).then(() => {
      if (again) {
        again = false;
        send();
      } else {
        sending = undefined;
      }
    });
  };

  return {
    announce() {
      if (sending) {
        again = true;
        return;
      }
      send();
    },
    async idle() {
      while (sending) await sending;
    },
  };
}
