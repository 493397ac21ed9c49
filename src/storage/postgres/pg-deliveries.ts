import type { DeliveryChannel, DeliveryJob, DeliveryQueue, DeliveryState } from '../ports';
import { isStorableKey, type PgClient, type PgQueries } from './pg-client';
import { addEvent, markSubmissionDeliveredIfDone } from './pg-events';
import { PG_JOB_COLUMNS, toPgJob, type PgJobRow } from './pg-job-rows';
import { pgDeliveryStats } from './pg-delivery-stats';
import { JOBS_NOTIFY_SQL } from './pg-listener';

/*
 * Lock order, the same in every transaction that touches a job and its submission (this file,
 * the inbox, addEvent): the job's row first, then the submission's. So two workers settling jobs
 * of one submission wait for each other instead of deadlocking.
 */

/**
 * A claim takes due jobs the way the SQLite adapter does, but several processes claim at once: the
 * inner SELECT locks the rows it picks and skips rows another claim has locked (SKIP LOCKED), and a
 * row that another claim committed in the meantime is checked again against the condition, so no
 * job is handed out twice. The outer SELECT returns them oldest first, as they were picked.
 */
const CLAIM = `
  WITH claimed AS (
    UPDATE delivery_jobs
       SET state = 'in_flight', lease_owner = $1, lease_until = $2, attempts = attempts + 1
     WHERE id IN (SELECT id FROM delivery_jobs
                   WHERE channel <> 'inbox'
                     AND ((state IN ('pending', 'failed') AND next_attempt_at <= $3)
                          OR (state = 'in_flight' AND lease_until <= $3))
                   ORDER BY next_attempt_at, id
                   LIMIT $4
                   FOR UPDATE SKIP LOCKED)
    RETURNING ${PG_JOB_COLUMNS})
  SELECT * FROM claimed ORDER BY next_attempt_at, id`;

const SET_DELIVERED = `
  UPDATE delivery_jobs SET state = 'delivered', delivered_at = $2, lease_owner = NULL, lease_until = NULL, last_error = NULL
   WHERE id = $1 AND state <> 'delivered'
  RETURNING submission_id, channel`;

/** Failed or dead in the same statement: permanent, or the next attempt past the give-up time. */
const SET_FAILED = `
  UPDATE delivery_jobs
     SET state = CASE WHEN $3::boolean
                        OR $4::timestamptz > COALESCE(give_up_from, created_at) + $5::double precision * interval '1 millisecond'
                      THEN 'dead' ELSE 'failed' END,
         next_attempt_at = $4, last_error = $6, lease_owner = NULL, lease_until = NULL
   WHERE id = $1 AND state = 'in_flight' AND lease_owner = $2
  RETURNING state, submission_id, channel, attempts`;

/** A purged job (its body blanked, docs/retention.md) is never sent again: not retryable. */
const SET_RETRY = `
  UPDATE delivery_jobs SET state = 'pending', next_attempt_at = $2, give_up_from = $2
   WHERE id = $1 AND state IN ('failed', 'dead') AND purged_at IS NULL
  RETURNING ${PG_JOB_COLUMNS}`;

const RELEASE = `
  WITH released AS (
    UPDATE delivery_jobs SET state = 'pending', next_attempt_at = $1, lease_owner = NULL, lease_until = NULL
     WHERE state = 'in_flight' AND lease_owner = $2 AND NOT (id = ANY($3::text[]))
    RETURNING 1)
  SELECT COUNT(*) AS n FROM released`;

const RENEW = `
  UPDATE delivery_jobs SET lease_until = GREATEST(lease_until, $3)
   WHERE id = $1 AND state = 'in_flight' AND lease_owner = $2
  RETURNING 1 AS renewed`;

/**
 * Never on a purged job: a purge that committed after the sealer read the plain XML must not get
 * the answers (as JWE) written back into the blanked row. The UPDATE re-checks purged_at on the
 * row it locks, so whichever commits second loses: the purge blanks the sealed body, or the reseal
 * finds no row (undefined).
 */
const SET_SEALED = `
  UPDATE delivery_jobs SET body = $2, content_type = $3, idempotency_key = $4
   WHERE id = $1 AND purged_at IS NULL
  RETURNING ${PG_JOB_COLUMNS}`;

// COLLATE "C": ties are broken by the id's bytes, as SQLite does, whatever the database's collation.
const SELECT_JOB = `SELECT ${PG_JOB_COLUMNS} FROM delivery_jobs WHERE id = $1`;
const SELECT_JOBS_OF = `SELECT ${PG_JOB_COLUMNS} FROM delivery_jobs WHERE submission_id = $1 ORDER BY created_at, id COLLATE "C"`;
const SELECT_IN_STATE = `SELECT ${PG_JOB_COLUMNS} FROM delivery_jobs WHERE state = $1 ORDER BY created_at, id COLLATE "C" LIMIT $2`;
const SELECT_IN_STATE_OF = `
  SELECT ${PG_JOB_COLUMNS} FROM delivery_jobs WHERE state = $1 AND authority_id = ANY($3::text[])
   ORDER BY created_at, id COLLATE "C" LIMIT $2`;

const SELECT_OPEN_COUNTS = `
  SELECT authority_id, COUNT(*) AS n FROM delivery_jobs
   WHERE state IN ('pending', 'in_flight', 'failed') AND NOT is_test
   GROUP BY authority_id`;

/** The last delivery per authority and kind (real, test) over any of its channels but the applicant's e-mail. */
const SELECT_LAST_DELIVERED = `
  SELECT authority_id, is_test, MAX(delivered_at) AS at FROM delivery_jobs
   WHERE state = 'delivered' AND channel <> 'email-citizen' AND delivered_at IS NOT NULL
   GROUP BY authority_id, is_test`;

/**
 * The same over one channel per authority: for each (authority, channel, kind) the newest entry of
 * the index delivery_jobs_last_delivered, read backwards (one index probe each, not the history).
 */
const SELECT_LAST_DELIVERED_OVER = `
  SELECT p.authority_id, k.is_test, l.at
    FROM unnest($1::text[], $2::text[]) AS p(authority_id, channel)
   CROSS JOIN (VALUES (false), (true)) AS k(is_test)
   CROSS JOIN LATERAL (
     SELECT j.delivered_at AS at FROM delivery_jobs j
      WHERE j.state = 'delivered' AND j.channel <> 'email-citizen' AND j.delivered_at IS NOT NULL
        AND j.authority_id = p.authority_id AND j.channel = p.channel AND j.is_test = k.is_test
      ORDER BY j.delivered_at DESC
      LIMIT 1) AS l`;

interface FailedRow {
  state: 'failed' | 'dead';
  submission_id: string;
  channel: DeliveryChannel;
  attempts: number;
}

/**
 * The outbox on PostgreSQL, shared by every process: claiming due jobs with a lease, marking them
 * delivered or failed (dead in the same statement when the failure is permanent or past the
 * give-up time), giving leases back, and what operators ask of it. Each state change and its
 * event are one transaction.
 */
export function pgDeliveries(client: PgClient): DeliveryQueue {
  const jobs = async (q: PgQueries, sql: string, params: readonly unknown[]): Promise<DeliveryJob[]> =>
    (await q.query<PgJobRow>(sql, params)).map(toPgJob);
  const oneJob = async (q: PgQueries, sql: string, params: readonly unknown[]): Promise<DeliveryJob | undefined> =>
    (await jobs(q, sql, params))[0];

  return {
    claimDue({ now, limit, leaseMs, owner }) {
      return jobs(client, CLAIM, [owner, new Date(now.getTime() + leaseMs), now, limit]);
    },
    markDelivered(jobId, at) {
      return client.transaction(async (tx) => {
        const [row] = await tx.query<{ submission_id: string; channel: DeliveryChannel }>(SET_DELIVERED, [jobId, at]);
        if (!row) return false;
        // The applicant's e-mail does not change whether the authority has the application.
        if (row.channel !== 'email-citizen') {
          // Lock the submission before counting its undelivered jobs: two workers delivering its
          // last two jobs at once would otherwise each see the other's job still undelivered
          // (neither committed) and neither would mark the submission delivered. The second waits
          // here for the first's commit, and its count (a new snapshot) sees it.
          await tx.query('SELECT 1 FROM submissions WHERE id = $1 FOR UPDATE', [row.submission_id]);
          await markSubmissionDeliveredIfDone(tx, row.submission_id, row.channel, at);
        }
        return true;
      });
    },
    markFailed(jobId, owner, failure) {
      return client.transaction(async (tx) => {
        const [row] = await tx.query<FailedRow>(SET_FAILED, [
          jobId, owner, failure.permanent, failure.nextAttemptAt, failure.giveUpAfterMs, failure.error,
        ]);
        if (!row) return undefined;
        await addEvent(tx, row.submission_id, row.state === 'dead' ? 'dead' : 'delivery_failed', failure.at,
          `${row.channel}, attempt ${row.attempts}: ${failure.error}`);
        return row.state;
      });
    },
    async releaseLeases(owner, now, keep = []) {
      const [row] = await client.query<{ n: string }>(RELEASE, [now, owner, keep]);
      return Number(row?.n ?? 0);
    },
    async renewLease(jobId, owner, until) {
      return (await client.query(RENEW, [jobId, owner, until])).length > 0;
    },
    // Ids from outside (an operator's URL) may hold a NUL, which no stored id does: not found (pg-client.ts).
    async jobsOf(submissionId) {
      if (!isStorableKey(submissionId)) return [];
      return jobs(client, SELECT_JOBS_OF, [submissionId]);
    },
    async reseal(jobId, sealed) {
      if (!isStorableKey(jobId)) return undefined;
      return oneJob(client, SET_SEALED, [jobId, sealed.body, sealed.contentType, sealed.idempotencyKey]);
    },
    async findJob(jobId) {
      if (!isStorableKey(jobId)) return undefined;
      return oneJob(client, SELECT_JOB, [jobId]);
    },
    jobsInState(state: DeliveryState, limit, authorityIds) {
      return authorityIds === undefined
        ? jobs(client, SELECT_IN_STATE, [state, limit])
        : jobs(client, SELECT_IN_STATE_OF, [state, limit, [...authorityIds]]);
    },
    async lastDeliveries(channels) {
      const rows = channels === undefined
        ? await client.query<{ authority_id: string; is_test: boolean; at: Date }>(SELECT_LAST_DELIVERED)
        : await client.query<{ authority_id: string; is_test: boolean; at: Date }>(
          SELECT_LAST_DELIVERED_OVER, [[...channels.keys()], [...channels.values()]]);
      const last = new Map<string, { real?: Date; test?: Date }>();
      for (const row of rows) {
        last.set(row.authority_id, { ...last.get(row.authority_id), [row.is_test ? 'test' : 'real']: row.at });
      }
      return last;
    },
    async openJobCounts() {
      const rows = await client.query<{ authority_id: string; n: string }>(SELECT_OPEN_COUNTS);
      return new Map(rows.map((r) => [r.authority_id, Number(r.n)]));
    },
    async retry(jobId, at) {
      if (!isStorableKey(jobId)) return undefined;
      return client.transaction(async (tx) => {
        const [row] = await tx.query<PgJobRow>(SET_RETRY, [jobId, at]);
        if (!row) return undefined;
        // Idle workers of every process wake at the commit, never before it (NOTIFY is transactional).
        if (row.channel !== 'inbox') await tx.query(`SELECT ${JOBS_NOTIFY_SQL}`);
        await addEvent(tx, row.submission_id, 'retry_requested', at, row.channel);
        return toPgJob(row);
      });
    },
    stats: pgDeliveryStats(client),
  };
}
