import type { DeliveryJob } from '../ports';

/**
 * A row of delivery_jobs as pg returns it (timestamptz as Date, boolean as boolean), and its
 * mapping to the port's DeliveryJob. Shared by the submissions, the inbox and the delivery queue,
 * so that none has to import another.
 */
export interface PgJobRow {
  id: string;
  submission_id: string;
  authority_id: string;
  channel: DeliveryJob['channel'];
  idempotency_key: string;
  content_type: string;
  body: string;
  state: DeliveryJob['state'];
  attempts: number;
  next_attempt_at: Date;
  last_error: string | null;
  created_at: Date;
  is_test: boolean;
  purged_at: Date | null;
}

/** The columns toPgJob reads, for `SELECT … ` and `RETURNING …` lists. */
export const PG_JOB_COLUMNS =
  'id, submission_id, authority_id, channel, idempotency_key, content_type, body, state, attempts, next_attempt_at, last_error, created_at, is_test, purged_at';

export function toPgJob(row: PgJobRow): DeliveryJob {
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
    ...(row.is_test ? { test: true } : {}),
    ...(row.purged_at === null ? {} : { purgedAt: new Date(row.purged_at) }),
  };
}
