import type Database from 'better-sqlite3';
import type { AuthorityInboxStore, DeliveryJob } from '../ports';
import type { SqliteEvents } from './sqlite-events';
import { toJob, type JobRow } from './job-rows';
import { settler } from './settle';

/**
 * The pull channel on SQLite. Every statement is scoped by the authority id, so one authority
 * can never read or acknowledge another's submission, whatever id it sends.
 */
export function sqliteInbox(
  db: Database.Database,
  events: SqliteEvents,
  submissionDelivered: (submissionId: string, channel: string, at: number) => void,
): AuthorityInboxStore {
  const settle = settler(db);
  const list = db.prepare<[string, number], { submission_id: string; form_id: string; form_version: string; created_at: number; fetched_at: number | null }>(`
    SELECT j.submission_id, s.form_id, s.form_version, s.created_at, j.fetched_at
      FROM delivery_jobs j JOIN submissions s ON s.id = j.submission_id
     WHERE j.authority_id = ? AND j.channel = 'inbox' AND s.acknowledged_at IS NULL
     ORDER BY s.created_at, s.id
     LIMIT ?`);
  const select = db.prepare<[string, string], JobRow & { fetched_at: number | null }>(
    "SELECT * FROM delivery_jobs WHERE authority_id = ? AND submission_id = ? AND channel = 'inbox'");
  const setFetched = db.prepare(`
    UPDATE delivery_jobs SET fetched_at = @at, state = 'delivered', delivered_at = @at, attempts = attempts + 1
     WHERE id = @id AND fetched_at IS NULL`);
  const setAcknowledged = db.prepare('UPDATE submissions SET acknowledged_at = ? WHERE id = ? AND acknowledged_at IS NULL');

  const fetchJob = db.transaction((authorityId: string, submissionId: string, at: number): DeliveryJob | undefined => {
    const row = select.get(authorityId, submissionId);
    if (!row) return undefined;
    if (row.fetched_at === null && setFetched.run({ id: row.id, at }).changes > 0) {
      events.add(submissionId, 'fetched', at, 'inbox');
      submissionDelivered(submissionId, 'inbox', at);
      return toJob({ ...row, state: 'delivered', attempts: row.attempts + 1 });
    }
    return toJob(row);
  });

  const acknowledge = db.transaction((authorityId: string, submissionId: string, at: number): boolean => {
    // Acknowledging implies the authority has it: a first fetch is recorded if there was none.
    if (!fetchJob(authorityId, submissionId, at)) return false;
    if (setAcknowledged.run(at, submissionId).changes > 0) events.add(submissionId, 'acknowledged', at, 'inbox');
    return true;
  });

  return {
    list(authorityId, limit) {
      return settle(() => list.all(authorityId, limit).map((r) => ({
        submissionId: r.submission_id, formId: r.form_id, formVersion: r.form_version,
        createdAt: new Date(r.created_at), fetchedAt: r.fetched_at === null ? null : new Date(r.fetched_at),
      })));
    },
    find(authorityId, submissionId) {
      return settle(() => {
        const row = select.get(authorityId, submissionId);
        return row ? toJob(row) : undefined;
      });
    },
    fetch(authorityId, submissionId, at) {
      return settle(() => fetchJob.immediate(authorityId, submissionId, at.getTime()));
    },
    acknowledge(authorityId, submissionId, at) {
      return settle(() => acknowledge.immediate(authorityId, submissionId, at.getTime()));
    },
  };
}
