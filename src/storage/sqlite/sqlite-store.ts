import { existsSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import {
  DuplicateReferenceError,
  StorageUnavailableError,
  type NewDeliveryJob,
  type NewSubmission,
  type Store,
  type SubmissionRepository,
} from '../ports';
import { dataDirProblem, ensureWritableDataDir } from './data-dir';
import { SQLITE_MIGRATIONS } from './migrations';
import { groupCommitter, type GroupCommit } from './group-commit';
import { walSync } from './wal-sync';
import { settler, stopStore } from './settle';
import { sqliteAttachmentClaim, sqliteAttachments } from './sqlite-attachments';
import { attachmentFiles } from './sqlite-attachment-files';
import { sqliteConfiguration } from './sqlite-configuration';
import { sqliteDeliveries } from './sqlite-deliveries';
import { sqliteDrafts } from './sqlite-drafts';
import { sqliteEvents, submissionDeliveredCheck } from './sqlite-events';
import { sqliteInbox } from './sqlite-inbox';
import { sqliteReceipts } from './sqlite-receipts';
import { sqlitePurgeDue } from './sqlite-retention';
import { sqliteOperatorAudit } from './sqlite-operator-audit';
import { sqliteOperatorSessions } from './sqlite-operator-sessions';
import { sqliteTestLinks } from './sqlite-test-links';
import { toStorageError } from './storage-errors';
import { WRITE_PROBE_SQL, writeProbeThread } from './write-probe';
import { checkpointThread, FALLBACK_AUTOCHECKPOINT_PAGES, type CheckpointThread } from './checkpoint-thread';

/** The database's file in DATA_DIR. */
export const DATABASE_FILE = 'efa-forms.sqlite';

/**
 * Whether DATA_DIR holds a database already. Commands that read what a running server wrote ask
 * first: opening the store would create an empty one in a mistyped DATA_DIR.
 */
export function sqliteDatabaseExists(dataDir: string): boolean {
  return existsSync(path.join(path.resolve(dataDir), DATABASE_FILE));
}
/**
 * How long the readiness probe waits for a write lock another connection holds. Below the ~1 s
 * that GET /readyz waits for the probe, so a lock held that long is reported as "busy" rather
 * than as a timeout. Requests wait the full busy timeout (5 s) instead.
 */
const PROBE_BUSY_TIMEOUT_MS = 800;
/** How long a statement waits for a write lock another process holds (SQLITE_BUSY after that). */
const BUSY_TIMEOUT_MS = 5000;

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
  payload_xml: string | null;
  status: 'accepted' | 'delivered';
  acknowledged_at: number | null;
  created_at: number;
  parameters_json: string | null;
  is_test: number;
  purged_at: number | null;
}

function migrate(db: Database.Database, dir: string): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SQLITE_MIGRATIONS.length) {
    throw dataDirProblem(dir, `the database ${DATABASE_FILE} has schema version ${current}, newer than this efa-forms (${SQLITE_MIGRATIONS.length})`);
  }
  SQLITE_MIGRATIONS.slice(current).forEach((sql, i) => {
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${current + i + 1}`);
    }).immediate();
  });
}

/**
 * Opens the database, migrates it and writes the probe row once, so that a database file SQLite
 * could open only read-only (or a disk already full) stops the start here, with one line, rather
 * than the first submission. SQLite's own errors become a StartupError naming DATA_DIR.
 */
function openDatabase(dir: string): Database.Database {
  let db: Database.Database | undefined;
  try {
    db = new Database(path.join(dir, DATABASE_FILE));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL'); // a 201 must survive a power cut, not just a process crash
    db.pragma('foreign_keys = ON');
    // The checkpoint thread (checkpoint-thread.ts) checkpoints; this connection only if it falls far behind.
    db.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // Deleted and overwritten content is zeroed in the file, not left in free space: retention
    // (docs/retention.md) and expired drafts must not stay readable in the database's bytes.
    db.pragma('secure_delete = ON');
    migrate(db, dir);
    const probe = db.prepare(WRITE_PROBE_SQL);
    db.transaction(() => probe.run(Date.now())).immediate();
    return db;
  } catch (err) {
    if (db?.open) db.close();
    const translated = toStorageError(err);
    if (translated instanceof StorageUnavailableError) {
      throw dataDirProblem(dir, `the database ${DATABASE_FILE} cannot be written (${translated.reason}, ${translated.code}): efa-forms needs to write its database there`);
    }
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('SQLITE_')) {
      // SQLite's messages name files and SQL, never data ("file is not a database").
      throw dataDirProblem(dir, `the database ${DATABASE_FILE} cannot be opened (${code}: ${(err as Error).message})`);
    }
    throw err;
  }
}

/**
 * The embedded store: one SQLite file (DATA_DIR/efa-forms.sqlite) in WAL mode. better-sqlite3 is
 * synchronous; the async port keeps callers ready for PostgreSQL. Transactions are IMMEDIATE so
 * two processes sharing the file serialise their writes instead of failing mid-transaction.
 *
 * A missing, unwritable or read-only DATA_DIR, or a database that cannot be written, stops the
 * start with a StartupError. Later faults (disk full, I/O errors, a lock held past the busy
 * timeout) reject port calls with StorageUnavailableError (see settle.ts); the failed transaction
 * leaves nothing behind and the store works again as soon as the cause is gone.
 */
export function openSqliteStore(dataDir: string): Store {
  const dir = ensureWritableDataDir(dataDir);
  const db = openDatabase(dir);
  const settle = settler(db);
  const wal = walSync(path.join(dir, DATABASE_FILE));
  const committer = groupCommitter(db, {
    ...wal,
    onFailure: (failure) => {
      // Fail-stop (group-commit.ts): no port call, and no checkpoint that could copy frames the
      // disk may have lost into the database file; the WAL stays for the recovery at restart.
      stopStore(db, failure);
      void checkpoints?.close();
      try {
        db.pragma('wal_autocheckpoint = 0');
      } catch {
        // The connection is being closed; nothing checkpoints then but its own close.
      }
    },
  });
  // Started with the first write through the group commit, not at start-up: a process that only
  // reads (a CLI command, a server not yet used) needs no thread.
  let checkpoints: CheckpointThread | undefined;
  let closing = false;
  const commit: GroupCommit = (work) => {
    if (!closing && !committer.failure()) checkpoints ??= checkpointThread(path.join(dir, DATABASE_FILE));
    return committer.run(work);
  };
  const writeProbe = writeProbeThread(path.join(dir, DATABASE_FILE), PROBE_BUSY_TIMEOUT_MS);

  const insertSubmission = db.prepare(`
    INSERT INTO submissions (id, token_hash, form_id, form_version, tenant_id, authority_id, region_ars, language, data_json, payload_xml, status, created_at, parameters_json, is_test)
    VALUES (@id, @tokenHash, @formId, @formVersion, @tenantId, @authorityId, @regionArs, @language, @dataJson, @payloadXml, 'accepted', @createdAt, @parametersJson, @isTest)`);
  const events = sqliteEvents(db);
  const insertJob = db.prepare(`
    INSERT INTO delivery_jobs (id, submission_id, authority_id, channel, idempotency_key, content_type, body, state, attempts, next_attempt_at, created_at, is_test, lease_owner, lease_until)
    VALUES (@id, @submissionId, @authorityId, @channel, @idempotencyKey, @contentType, @body,
            CASE WHEN @leaseOwner IS NULL THEN 'pending' ELSE 'in_flight' END, CASE WHEN @leaseOwner IS NULL THEN 0 ELSE 1 END,
            @now, @now, @isTest, @leaseOwner, @leaseUntil)`);
  const selectSubmission = db.prepare<[string], SubmissionRow>('SELECT * FROM submissions WHERE id = ?');
  const submissionDelivered = submissionDeliveredCheck(db, events);
  const claimAttachments = sqliteAttachmentClaim(db);

  const create = db.transaction((submission: NewSubmission, jobs: readonly NewDeliveryJob[]) => {
    const createdAt = submission.createdAt.getTime();
    const { test, parametersJson, attachments, ...columns } = submission;
    insertSubmission.run({ ...columns, createdAt, parametersJson: parametersJson ?? null, isTest: test === true ? 1 : 0 });
    claimAttachments(submission.id, attachments ?? []);
    events.add(submission.id, 'accepted', createdAt);
    for (const { test: isTest, lease, ...job } of jobs) {
      insertJob.run({ ...job, now: createdAt, isTest: isTest === true ? 1 : 0, leaseOwner: lease?.owner ?? null, leaseUntil: lease?.until.getTime() ?? null });
    }
  });

  const submissions: SubmissionRepository = {
    create(submission, jobs) {
      // Part of the next group commit (group-commit.ts): the promise settles after its COMMIT.
      return commit(() => {
        try {
          create(submission, jobs);
        } catch (err) {
          const code = (err as { code?: unknown }).code;
          if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
            throw new DuplicateReferenceError(`reference ${submission.id} exists`, { cause: err });
          }
          throw err;
        }
      });
    },
    purgeDue: sqlitePurgeDue(db, events, BUSY_TIMEOUT_MS),
    find(id) {
      return settle(() => {
        const row = selectSubmission.get(id);
        if (!row) return undefined;
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
          payloadXml: row.payload_xml ?? '',
          status: row.acknowledged_at !== null ? 'acknowledged' : row.status,
          createdAt: new Date(row.created_at),
          events: events.of(id),
          ...(row.parameters_json === null ? {} : { parametersJson: row.parameters_json }),
          ...(row.is_test === 1 ? { test: true } : {}),
          ...(row.purged_at === null ? {} : { purgedAt: new Date(row.purged_at) }),
        };
      });
    },
  };

  return {
    submissions,
    deliveries: sqliteDeliveries(db, events, submissionDelivered, commit),
    inbox: sqliteInbox(db, events, submissionDelivered),
    drafts: sqliteDrafts(db, commit),
    operatorAudit: sqliteOperatorAudit(db),
    operatorSessions: sqliteOperatorSessions(db),
    testLinks: sqliteTestLinks(db),
    configuration: sqliteConfiguration(db),
    receipts: sqliteReceipts(db, commit),
    attachments: sqliteAttachments(db, commit),
    // Beside the database, so a copy of DATA_DIR is a copy of everything.
    attachmentFiles: attachmentFiles(path.join(dir, 'attachments')),
    probeWritable(now) {
      // After a failed fsync the store writes nothing more (group-commit.ts): not ready.
      const failure = committer.failure();
      if (failure) return Promise.reject(failure);
      return writeProbe.probe(now);
    },
    async close() {
      // The threads' connections first (the probe's, the checkpoints'): the last connection to
      // close checkpoints the WAL. No checkpoint thread starts once the store is closing.
      closing = true;
      await writeProbe.close();
      await checkpoints?.close();
      // Queued writes committed and every fsync returned before the WAL's descriptor closes: a
      // descriptor number reused by another open() must never be what a late fsync syncs.
      if (db.open) await committer.close();
      if (committer.failure()) {
        // Stopped after a failed fsync: the connection is left to the process's end, because
        // closing it would checkpoint the WAL into the database, frames the disk lost included;
        // the next start recovers from the WAL instead.
        wal.close();
        return;
      }
      await settle(() => {
        wal.close();
        if (db.open) db.close();
      });
    },
  };
}
