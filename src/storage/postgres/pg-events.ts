import type { SubmissionEvent, SubmissionEventType } from '../ports';
import type { PgQueries } from './pg-client';

/**
 * The audit trail of submissions: one numbered row per event, appended inside the caller's
 * transaction (the number is the submission's next; the row lock on the submission serialises
 * two writers of the same submission's trail).
 */
export async function addEvent(tx: PgQueries, submissionId: string, type: SubmissionEventType, at: Date, detail?: string): Promise<void> {
  await tx.query('SELECT 1 FROM submissions WHERE id = $1 FOR UPDATE', [submissionId]);
  await tx.query(
    `INSERT INTO submission_events (submission_id, seq, type, at, detail)
     VALUES ($1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM submission_events WHERE submission_id = $1), $2, $3, $4)`,
    [submissionId, type, at, detail ?? null],
  );
}

export async function eventsOf(q: PgQueries, submissionId: string): Promise<SubmissionEvent[]> {
  const rows = await q.query<{ type: SubmissionEventType; at: Date; detail: string | null }>(
    'SELECT type, at, detail FROM submission_events WHERE submission_id = $1 ORDER BY seq', [submissionId]);
  return rows.map((e) => (e.detail === null ? { type: e.type, at: e.at } : { type: e.type, at: e.at, detail: e.detail }));
}

/**
 * After a job to the authority was delivered (inside that transaction): once every such job of
 * the submission is, the submission becomes `delivered` with an event. As in the SQLite adapter,
 * the applicant's e-mail never decides it.
 */
export async function markSubmissionDeliveredIfDone(tx: PgQueries, submissionId: string, channel: string, at: Date): Promise<void> {
  // Two transactions settling the submission's last two jobs at once must not each see the
  // other's job undelivered: the submission's row lock orders them (job rows are locked first).
  await tx.query('SELECT 1 FROM submissions WHERE id = $1 FOR UPDATE', [submissionId]);
  const [left] = await tx.query<{ n: string }>(
    "SELECT COUNT(*) AS n FROM delivery_jobs WHERE submission_id = $1 AND state <> 'delivered' AND channel <> 'email-citizen'", [submissionId]);
  if (Number(left?.n ?? 0) !== 0) return;
  const changed = await tx.query("UPDATE submissions SET status = 'delivered' WHERE id = $1 AND status = 'accepted' RETURNING id", [submissionId]);
  if (changed.length > 0) await addEvent(tx, submissionId, 'delivered', at, channel);
}
