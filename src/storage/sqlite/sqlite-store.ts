import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import {
  DuplicateReferenceError,
  type ClaimRequest,
  type DeliveryJob,
  type DeliveryQueue,
  type NewDeliveryJob,
  type NewSubmission,
  type Store,
  type SubmissionEvent,
  type SubmissionRecord,
  type SubmissionRepository,
} from '../ports';
import { SQLITE_MIGRATIONS } from './migrations';
import { settle } from './settle';
import { sqliteDrafts } from './sqlite-drafts';

interface SubmissionRow {
  id: string;
  token_hash: string;
  form_id: string;
  form_version: string;
  tenant_id: string;
  authority_id: string;
  region_ars: string;
  language: string;
  data_json: string;
  status: SubmissionRecord['status'];
  created_at: number;
}

interface JobRow {
  id: string;
  submission_id: string;
  authority_id: string;
  channel: DeliveryJob['channel'];
  idempotency_key: string;
  content_type: string;
  body: string;
  state: DeliveryJob['state'];
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
}

function toJob(row: JobRow): DeliveryJob {
  return {
    id: row.id,
    submissionId: row.submission_id,
    authorityId: row.authority_id,
    channel: row.channel,
    idempotencyKey: row.idempotency_key,
    contentType: row.content_type,
    body: row.body,
    state: row.state,
    attempts: row.attempts,
    nextAttemptAt: new Date(row.next_attempt_at),
    lastError: row.last_error,
  };
}

function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SQLITE_MIGRATIONS.length) {
    throw new Error(`database schema version ${current} is newer than this efa-forms (${SQLITE_MIGRATIONS.length})`);
  }
  SQLITE_MIGRATIONS.slice(current).forEach((sql, i) => {
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${current + i + 1}`);
    }).immediate();
  });
}

/**
 * The embedded store: one SQLite file (DATA_DIR/efa-forms.sqlite) in WAL mode. better-sqlite3 is
 * synchronous; the async port keeps callers ready for PostgreSQL. Transactions are IMMEDIATE so
 * two processes sharing the file serialise their writes instead of failing mid-transaction.
 */
export function openSqliteStore(dataDir: string): Store {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(path.join(dataDir, 'efa-forms.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL'); // a 201 must survive a power cut, not just a process crash
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);

  const insertSubmission = db.prepare(`
    INSERT INTO submissions (id, token_hash, form_id, form_version, tenant_id, authority_id, region_ars, language, data_json, status, created_at)
    VALUES (@id, @tokenHash, @formId, @formVersion, @tenantId, @authorityId, @regionArs, @language, @dataJson, 'accepted', @createdAt)`);
  const insertEvent = db.prepare(`
    INSERT INTO submission_events (submission_id, seq, type, at)
    VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM submission_events WHERE submission_id = ?), ?, ?)`);
  const insertJob = db.prepare(`
    INSERT INTO delivery_jobs (id, submission_id, authority_id, channel, idempotency_key, content_type, body, state, attempts, next_attempt_at, created_at)
    VALUES (@id, @submissionId, @authorityId, @channel, @idempotencyKey, @contentType, @body, 'pending', 0, @now, @now)`);
  const selectSubmission = db.prepare<[string], SubmissionRow>('SELECT * FROM submissions WHERE id = ?');
  const selectEvents = db.prepare<[string], { type: SubmissionEvent['type']; at: number }>(
    'SELECT type, at FROM submission_events WHERE submission_id = ? ORDER BY seq');
  const claim = db.prepare<[string, number, number, number, number], JobRow>(`
    UPDATE delivery_jobs
       SET state = 'in_flight', lease_owner = ?, lease_until = ?, attempts = attempts + 1
     WHERE id IN (SELECT id FROM delivery_jobs
                   WHERE (state IN ('pending', 'failed') AND next_attempt_at <= ?)
                      OR (state = 'in_flight' AND lease_until <= ?)
                   ORDER BY next_attempt_at
                   LIMIT ?)
    RETURNING *`);
  const setDelivered = db.prepare(`
    UPDATE delivery_jobs SET state = 'delivered', delivered_at = ?, lease_owner = NULL, lease_until = NULL, last_error = NULL
     WHERE id = ? AND state <> 'delivered'
    RETURNING submission_id, channel`);
  const countUndelivered = db.prepare<[string], { n: number }>(
    "SELECT COUNT(*) AS n FROM delivery_jobs WHERE submission_id = ? AND state <> 'delivered' AND channel <> 'email-citizen'");
  const setSubmissionDelivered = db.prepare("UPDATE submissions SET status = 'delivered' WHERE id = ?");
  const setFailed = db.prepare(`
    UPDATE delivery_jobs
       SET state = CASE WHEN @permanent = 1 OR @nextAttemptAt > created_at + @giveUpAfterMs THEN 'dead' ELSE 'failed' END,
           next_attempt_at = @nextAttemptAt, last_error = @error, lease_owner = NULL, lease_until = NULL
     WHERE id = @jobId AND state = 'in_flight' AND lease_owner = @owner
    RETURNING state`);
  const release = db.prepare(`
    UPDATE delivery_jobs SET state = 'pending', next_attempt_at = ?, lease_owner = NULL, lease_until = NULL
     WHERE state = 'in_flight' AND lease_owner = ?`);
  const selectJobs = db.prepare<[string], JobRow>('SELECT * FROM delivery_jobs WHERE submission_id = ? ORDER BY created_at, id');

  const create = db.transaction((submission: NewSubmission, jobs: readonly NewDeliveryJob[]) => {
    const createdAt = submission.createdAt.getTime();
    insertSubmission.run({ ...submission, createdAt });
    insertEvent.run(submission.id, submission.id, 'accepted', createdAt);
    for (const job of jobs) insertJob.run({ ...job, now: createdAt });
  });

  const deliver = db.transaction((jobId: string, at: number): boolean => {
    const row = setDelivered.get(at, jobId) as { submission_id: string; channel: string } | undefined;
    if (!row) return false;
    // The applicant's e-mail does not change whether the authority has the application.
    if (row.channel === 'email-citizen') return true;
    if (countUndelivered.get(row.submission_id)?.n === 0) {
      setSubmissionDelivered.run(row.submission_id);
      insertEvent.run(row.submission_id, row.submission_id, 'delivered', at);
    }
    return true;
  });

  const submissions: SubmissionRepository = {
    create(submission, jobs) {
      return settle(() => {
        try {
          create.immediate(submission, jobs);
        } catch (err) {
          const code = (err as { code?: unknown }).code;
          if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
            throw new DuplicateReferenceError(`reference ${submission.id} exists`, { cause: err });
          }
          throw err;
        }
      });
    },
    find(id) {
      return settle(() => {
        const row = selectSubmission.get(id);
        if (!row) return undefined;
        const events = selectEvents.all(id).map((e) => ({ type: e.type, at: new Date(e.at) }));
        return {
          id: row.id,
          tokenHash: row.token_hash,
          formId: row.form_id,
          formVersion: row.form_version,
          tenantId: row.tenant_id,
          authorityId: row.authority_id,
          regionArs: row.region_ars,
          language: row.language,
          dataJson: row.data_json,
          status: row.status,
          createdAt: new Date(row.created_at),
          events,
        };
      });
    },
  };

  const deliveries: DeliveryQueue = {
    claimDue({ now, limit, leaseMs, owner }: ClaimRequest) {
      const t = now.getTime();
      // better-sqlite3 runs one statement at a time; the UPDATE ... RETURNING is atomic.
      return settle(() => claim.all(owner, t + leaseMs, t, t, limit).map(toJob));
    },
    markDelivered(jobId, at) {
      return settle(() => deliver.immediate(jobId, at.getTime()));
    },
    markFailed(jobId, owner, failure) {
      return settle(() => {
        const row = setFailed.get({
          jobId, owner, error: failure.error, nextAttemptAt: failure.nextAttemptAt.getTime(),
          permanent: failure.permanent ? 1 : 0, giveUpAfterMs: failure.giveUpAfterMs,
        }) as { state: 'failed' | 'dead' } | undefined;
        return row?.state;
      });
    },
    releaseLeases(owner, now) {
      return settle(() => release.run(now.getTime(), owner).changes);
    },
    jobsOf(submissionId) {
      return settle(() => selectJobs.all(submissionId).map(toJob));
    },
  };

  return {
    submissions,
    deliveries,
    drafts: sqliteDrafts(db),
    close() {
      return settle(() => {
        if (db.open) db.close();
      });
    },
  };
}
