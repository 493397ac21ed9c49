import type Database from 'better-sqlite3';
import type { SubmissionEvent, SubmissionEventType } from '../ports';

export interface SqliteEvents {
  /** Appends an event to a submission's audit trail (call inside the caller's transaction). */
  add(submissionId: string, type: SubmissionEventType, at: number, detail?: string): void;
  of(submissionId: string): SubmissionEvent[];
}

/** The audit trail of submissions: one numbered row per event. */
export function sqliteEvents(db: Database.Database): SqliteEvents {
  const insert = db.prepare(`
    INSERT INTO submission_events (submission_id, seq, type, at, detail)
    VALUES (@id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM submission_events WHERE submission_id = @id), @type, @at, @detail)`);
  const select = db.prepare<[string], { type: SubmissionEventType; at: number; detail: string | null }>(
    'SELECT type, at, detail FROM submission_events WHERE submission_id = ? ORDER BY seq');
  return {
    add(id, type, at, detail) {
      insert.run({ id, type, at, detail: detail ?? null });
    },
    of(id) {
      return select.all(id).map((e) => (e.detail === null ? { type: e.type, at: new Date(e.at) } : { type: e.type, at: new Date(e.at), detail: e.detail }));
    },
  };
}

/**
 * After a job to the authority was delivered: once every such job of the submission is, the
 * submission becomes `delivered` with an event (call inside the caller's transaction).
 */
export function submissionDeliveredCheck(db: Database.Database, events: SqliteEvents): (submissionId: string, channel: string, at: number) => void {
  const countUndelivered = db.prepare<[string], { n: number }>(
    "SELECT COUNT(*) AS n FROM delivery_jobs WHERE submission_id = ? AND state <> 'delivered' AND channel <> 'email-citizen'");
  const setDelivered = db.prepare("UPDATE submissions SET status = 'delivered' WHERE id = ? AND status = 'accepted'");
  return (submissionId, channel, at) => {
    if (countUndelivered.get(submissionId)?.n !== 0) return;
    if (setDelivered.run(submissionId).changes > 0) events.add(submissionId, 'delivered', at, channel);
  };
}
