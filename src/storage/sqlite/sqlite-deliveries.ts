import type Database from 'better-sqlite3';
import type { ClaimRequest, DeliveryJob, DeliveryQueue } from '../ports';
import { toJob, type JobRow } from './job-rows';
import type { GroupCommit } from './group-commit';
import { settler } from './settle';
import { sqliteDeliveryStats } from './sqlite-delivery-stats';
import type { SqliteEvents } from './sqlite-events';

/**
 * The outbox on SQLite: claiming due jobs with a lease, marking them delivered or failed (dead in
 * the same statement when the failure is permanent or past the give-up time), giving leases back,
 * and what operators ask of it (find, list by state, retry, claim one now, statistics). Each
 * state change and its event are one IMMEDIATE transaction; the worker's outcomes (delivered,
 * failed), one per attempt, are savepoints of a group commit, so many share one fsync.
 */
export function sqliteDeliveries(
  db: Database.Database,
  events: SqliteEvents,
  submissionDelivered: (submissionId: string, channel: string, at: number) => void,
  commit: GroupCommit,
): DeliveryQueue {
  const settle = settler(db);
  // Each state on its own, read in next_attempt_at order from delivery_jobs_claim and cut at the
  // limit, then the earliest of the three: the cost follows the limit, not the backlog (one OR
  // over both states made SQLite collect and sort every due job on every poll). The text
  // `channel <> 'inbox'` must stay as it is: SQLite uses a partial index only for a query that
  // repeats its WHERE term.
  const claim = db.prepare<{ owner: string; leaseUntil: number; now: number; limit: number }, JobRow>(`
    UPDATE delivery_jobs
       SET state = 'in_flight', lease_owner = @owner, lease_until = @leaseUntil, attempts = attempts + 1
     WHERE id IN (SELECT id FROM (
                   SELECT * FROM (SELECT id, next_attempt_at AS due FROM delivery_jobs
                                   WHERE channel <> 'inbox' AND state = 'pending' AND next_attempt_at <= @now
                                   ORDER BY next_attempt_at LIMIT @limit)
                   UNION ALL
                   SELECT * FROM (SELECT id, next_attempt_at AS due FROM delivery_jobs
                                   WHERE channel <> 'inbox' AND state = 'failed' AND next_attempt_at <= @now
                                   ORDER BY next_attempt_at LIMIT @limit)
                   UNION ALL
                   SELECT * FROM (SELECT id, next_attempt_at AS due FROM delivery_jobs
                                   WHERE channel <> 'inbox' AND state = 'in_flight' AND lease_until <= @now
                                   ORDER BY next_attempt_at LIMIT @limit))
                  ORDER BY due LIMIT @limit)
    RETURNING *`);
  const setDelivered = db.prepare(`
    UPDATE delivery_jobs SET state = 'delivered', delivered_at = ?, lease_owner = NULL, lease_until = NULL, last_error = NULL
     WHERE id = ? AND state <> 'delivered'
    RETURNING submission_id, channel`);
  const setFailed = db.prepare(`
    UPDATE delivery_jobs
       SET state = CASE WHEN @permanent = 1 OR @nextAttemptAt > COALESCE(give_up_from, created_at) + @giveUpAfterMs THEN 'dead' ELSE 'failed' END,
           next_attempt_at = @nextAttemptAt, last_error = @error, lease_owner = NULL, lease_until = NULL
     WHERE id = @jobId AND state = 'in_flight' AND lease_owner = @owner
    RETURNING state, submission_id, channel, attempts`);
  const setRetry = db.prepare<{ jobId: string; at: number }, JobRow>(`
    UPDATE delivery_jobs SET state = 'pending', next_attempt_at = @at, give_up_from = @at
     WHERE id = @jobId AND state IN ('failed', 'dead') AND purged_at IS NULL
    RETURNING *`);
  const selectJob = db.prepare<[string], JobRow>('SELECT * FROM delivery_jobs WHERE id = ?');
  // Never on a purged job: a purge after the sealer read the plain XML must not get the answers
  // (as JWE) written back into the blanked row; such a reseal finds no row (undefined).
  const setSealed = db.prepare<{ jobId: string; body: string; contentType: string; idempotencyKey: string }, JobRow>(`
    UPDATE delivery_jobs SET body = @body, content_type = @contentType, idempotency_key = @idempotencyKey
     WHERE id = @jobId AND purged_at IS NULL
    RETURNING *`);
  const selectInState = db.prepare<[string, number], JobRow>('SELECT * FROM delivery_jobs WHERE state = ? ORDER BY created_at, id LIMIT ?');
  const selectInStateOf = db.prepare<[string, string, number], JobRow>(
    'SELECT * FROM delivery_jobs WHERE state = ? AND authority_id IN (SELECT value FROM json_each(?)) ORDER BY created_at, id LIMIT ?');
  const selectLastDelivered = db.prepare<[], { authority_id: string; channel: string; is_test: number; at: number }>(`
    SELECT authority_id, channel, is_test, MAX(delivered_at) AS at FROM delivery_jobs
     WHERE state = 'delivered' AND channel <> 'email-citizen'
     GROUP BY authority_id, channel, is_test`);
  const selectOpenCounts = db.prepare<[], { authority_id: string; n: number }>(
    "SELECT authority_id, COUNT(*) AS n FROM delivery_jobs WHERE state IN ('pending', 'in_flight', 'failed') AND is_test = 0 GROUP BY authority_id");
  const release = db.prepare(`
    UPDATE delivery_jobs SET state = 'pending', next_attempt_at = ?, lease_owner = NULL, lease_until = NULL
     WHERE state = 'in_flight' AND lease_owner = ? AND id NOT IN (SELECT value FROM json_each(?))`);
  const renew = db.prepare<{ jobId: string; owner: string; until: number }>(`
    UPDATE delivery_jobs SET lease_until = MAX(lease_until, @until)
     WHERE id = @jobId AND state = 'in_flight' AND lease_owner = @owner`);
  const selectJobs = db.prepare<[string], JobRow>('SELECT * FROM delivery_jobs WHERE submission_id = ? ORDER BY created_at, id');
  const stats = sqliteDeliveryStats(db);

  const deliver = db.transaction((jobId: string, at: number): boolean => {
    const row = setDelivered.get(at, jobId) as { submission_id: string; channel: string } | undefined;
    if (!row) return false;
    // The applicant's e-mail does not change whether the authority has the application.
    if (row.channel !== 'email-citizen') submissionDelivered(row.submission_id, row.channel, at);
    return true;
  });

  const fail = db.transaction((params: Record<string, string | number>): 'failed' | 'dead' | undefined => {
    const row = setFailed.get(params) as { state: 'failed' | 'dead'; submission_id: string; channel: string; attempts: number } | undefined;
    if (!row) return undefined;
    events.add(row.submission_id, row.state === 'dead' ? 'dead' : 'delivery_failed', Number(params.at),
      `${row.channel}, attempt ${row.attempts}: ${String(params.error)}`);
    return row.state;
  });

  const retry = db.transaction((jobId: string, at: number): DeliveryJob | undefined => {
    const row = setRetry.get({ jobId, at });
    if (!row) return undefined;
    events.add(row.submission_id, 'retry_requested', at, row.channel);
    return toJob(row);
  });

  return {
    claimDue({ now, limit, leaseMs, owner }: ClaimRequest) {
      const t = now.getTime();
      // One UPDATE ... RETURNING, atomic. Part of the next group commit: the claims of a busy
      // worker share the fsync of the submissions and outcomes written with them, and the jobs
      // come back (and are sent) only once their lease is on disk.
      return commit(() => claim.all({ owner, leaseUntil: t + leaseMs, now: t, limit }).map(toJob));
    },
    markDelivered(jobId, at) {
      return commit(() => deliver(jobId, at.getTime()));
    },
    markFailed(jobId, owner, failure) {
      return commit(() => fail({
        jobId, owner, error: failure.error, nextAttemptAt: failure.nextAttemptAt.getTime(),
        permanent: failure.permanent ? 1 : 0, giveUpAfterMs: failure.giveUpAfterMs, at: failure.at.getTime(),
      }));
    },
    releaseLeases(owner, now, keep = []) {
      return settle(() => release.run(now.getTime(), owner, JSON.stringify(keep)).changes);
    },
    renewLease(jobId, owner, until) {
      // Not part of a group commit: a renewal lost in a crash is of no concern, the attempt is gone too.
      return settle(() => renew.run({ jobId, owner, until: until.getTime() }).changes > 0);
    },
    jobsOf(submissionId) {
      return settle(() => selectJobs.all(submissionId).map(toJob));
    },
    reseal(jobId, sealed) {
      return settle(() => {
        const row = setSealed.get({ jobId, ...sealed });
        return row ? toJob(row) : undefined;
      });
    },
    findJob(jobId) {
      return settle(() => {
        const row = selectJob.get(jobId);
        return row ? toJob(row) : undefined;
      });
    },
    jobsInState(state, limit, authorityIds) {
      return settle(() => (authorityIds === undefined
        ? selectInState.all(state, limit)
        : selectInStateOf.all(state, JSON.stringify(authorityIds), limit)).map(toJob));
    },
    lastDeliveries(channels) {
      return settle(() => {
        const last = new Map<string, { real?: Date; test?: Date }>();
        for (const row of selectLastDelivered.all()) {
          if (channels !== undefined && channels.get(row.authority_id) !== row.channel) continue;
          const entry = last.get(row.authority_id) ?? {};
          const kind = row.is_test === 1 ? 'test' : 'real';
          const at = new Date(row.at);
          const before = entry[kind];
          last.set(row.authority_id, { ...entry, [kind]: before !== undefined && before > at ? before : at });
        }
        return last;
      });
    },
    openJobCounts() {
      return settle(() => new Map(selectOpenCounts.all().map((r) => [r.authority_id, r.n])));
    },
    retry(jobId, at) {
      return settle(() => retry.immediate(jobId, at.getTime()));
    },
    stats(now) {
      return settle(() => stats(now));
    },
  };
}
