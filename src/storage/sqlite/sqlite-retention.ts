import type Database from 'better-sqlite3';
import type { PurgeRequest, PurgeResult } from '../retention-ports';
import { settler } from './settle';
import type { SqliteEvents } from './sqlite-events';

const DAY_MS = 24 * 3600 * 1000;

/**
 * Which submissions are due (docs/retention.md), oldest first. The clock starts at the latest
 * delivery of any of its jobs except the inbox's, or at the acknowledgement (the inbox's clock):
 * with an inbox job nothing is due before the authority acknowledged, and with files its e-mail
 * went without (held for the inbox) nothing before each was fetched. Open or retryable jobs
 * (pending, in flight, failed) keep the data; a dead job of the applicant's e-mail does not,
 * once the authority has the application (status delivered). `created_at <= @earliest` (the
 * smallest number of days of any form) lets the partial index submissions_unpurged bound the scan.
 */
const DUE_SQL = `
  SELECT s.id AS id, COALESCE(d.value, @defaultDays) AS days
    FROM submissions s
    LEFT JOIN json_each(@daysByForm) d ON d.key = s.form_id
   WHERE s.purged_at IS NULL
     AND s.created_at <= @earliest
     AND s.status = 'delivered'
     AND NOT EXISTS (SELECT 1 FROM delivery_jobs j WHERE j.submission_id = s.id AND j.state IN ('pending', 'in_flight', 'failed'))
     AND (s.acknowledged_at IS NOT NULL
          OR NOT EXISTS (SELECT 1 FROM delivery_jobs j WHERE j.submission_id = s.id AND j.channel = 'inbox'))
     -- Files the authority's e-mail went without wait in the inbox until fetched.
     AND NOT EXISTS (SELECT 1 FROM attachments a WHERE a.submission_id = s.id AND a.held_at IS NOT NULL AND a.fetched_at IS NULL)
     -- NULLIF: without any clock start (neither acknowledged nor delivered) never due, as
     -- GREATEST's NULL makes it on PostgreSQL.
     AND NULLIF(MAX(COALESCE(s.acknowledged_at, 0),
                    COALESCE((SELECT MAX(j.delivered_at) FROM delivery_jobs j
                               WHERE j.submission_id = s.id AND j.state = 'delivered' AND j.channel <> 'inbox'), 0)), 0)
         + COALESCE(d.value, @defaultDays) * ${DAY_MS} <= @now
   ORDER BY s.created_at, s.id
   LIMIT @limit`;

/**
 * Retention on SQLite: one IMMEDIATE transaction per call finds the due submissions and blanks
 * them (answers, payload, every job's body; the stored receipt is deleted) with `purged_at` and
 * a `purged` event; a second
 * process calling at once waits for the write lock and then finds them purged. The connection
 * runs with secure_delete, so the old bytes are overwritten in the database file; after a call
 * that purged anything the WAL is checkpointed and truncated, so no copy stays in the -wal file
 * either (a reader holding an old snapshot or a checkpoint under way may delay that to a later
 * call, which then truncates even if it purges nothing).
 */
export function sqlitePurgeDue(db: Database.Database, events: SqliteEvents, busyTimeoutMs: number): (request: PurgeRequest) => Promise<PurgeResult> {
  const settle = settler(db);
  const due = db.prepare<Record<string, string | number>, { id: string; days: number }>(DUE_SQL);
  const blankSubmission = db.prepare("UPDATE submissions SET data_json = '', payload_xml = '', purged_at = @now WHERE id = @id AND purged_at IS NULL");
  const blankJobs = db.prepare("UPDATE delivery_jobs SET body = '', purged_at = @now WHERE submission_id = @id");
  // The stored receipt holds the answers (and the payload it embeds): deleted, not kept blank.
  const deleteReceipt = db.prepare('DELETE FROM receipts WHERE submission_id = @id');
  // The attachments are personal data too: their rows go, and their files (and sealed copies)
  // are removed by the clean-up once this has committed.
  const attachmentFiles = db.prepare<{ id: string }, { id: string; sealed_file_id: string | null }>('SELECT id, sealed_file_id FROM attachments WHERE submission_id = @id');
  const deleteAttachments = db.prepare('DELETE FROM attachments WHERE submission_id = @id');

  const purge = db.transaction((request: PurgeRequest): PurgeResult => {
    const now = request.now.getTime();
    const fewestDays = Math.min(request.defaultDays, ...request.daysByForm.values());
    const rows = due.all({
      now, defaultDays: request.defaultDays, daysByForm: JSON.stringify(Object.fromEntries(request.daysByForm)),
      earliest: now - fewestDays * DAY_MS, limit: request.limit,
    });
    let purged = 0;
    const removedFiles: string[] = [];
    for (const row of rows) {
      if (blankSubmission.run({ id: row.id, now }).changes === 0) continue;
      blankJobs.run({ id: row.id, now });
      deleteReceipt.run({ id: row.id });
      for (const file of attachmentFiles.all({ id: row.id })) removedFiles.push(file.id, ...(file.sealed_file_id === null ? [] : [file.sealed_file_id]));
      deleteAttachments.run({ id: row.id });
      events.add(row.id, 'purged', now, `retention ${row.days} days`);
      purged += 1;
    }
    return { purged, removedFiles };
  });

  // A truncation that could not finish (a reader or another checkpoint in the way) is tried
  // again by every later call until it has, not only by the next call that purges something.
  let truncatePending = false;
  return (request) => settle(() => {
    const result = purge.immediate(request);
    if (result.purged > 0 || truncatePending) {
      // Hardly waiting: a checkpoint that had to wait for readers would block the event loop
      // for up to the busy timeout (100 ms here). A checkpoint of the checkpoint thread under way
      // (checkpoint-thread.ts) makes it busy at once; what it cannot do now, a later call does
      // (truncatePending).
      db.pragma('busy_timeout = 100');
      try {
        const [result] = db.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number }>;
        truncatePending = result?.busy !== 0;
      } finally {
        db.pragma(`busy_timeout = ${busyTimeoutMs}`);
      }
    }
    return result;
  });
}
