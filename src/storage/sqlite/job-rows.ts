import type { DeliveryJob } from '../ports';

/**
 * A row of delivery_jobs as better-sqlite3 returns it, and its mapping to the port's DeliveryJob.
 * Shared by the store (sqlite-store.ts) and the authority inbox (sqlite-inbox.ts), so that
 * neither has to import the other.
 */
export interface JobRow {
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
  created_at: number;
  is_test: number;
  /** Absent in rows read before migration 9 ran (never, once the store is open). */
  purged_at?: number | null;
}

export function toJob(row: JobRow): DeliveryJob {
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
    createdAt: new Date(row.created_at),
    ...(row.is_test === 1 ? { test: true } : {}),
    ...(row.purged_at === null || row.purged_at === undefined ? {} : { purgedAt: new Date(row.purged_at) }),
  };
}
