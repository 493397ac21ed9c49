import type { AuthorityInboxStore, DeliveryJob } from '../ports';
import { isStorableKey, type PgClient, type PgQueries } from './pg-client';
import { addEvent, markSubmissionDeliveredIfDone } from './pg-events';
import { PG_JOB_COLUMNS, toPgJob, type PgJobRow } from './pg-job-rows';

type InboxJobRow = PgJobRow & { fetched_at: Date | null };

const LIST_SQL = `
  SELECT j.submission_id, s.form_id, s.form_version, s.created_at, j.fetched_at
    FROM delivery_jobs j JOIN submissions s ON s.id = j.submission_id
   WHERE j.authority_id = $1 AND j.channel = 'inbox' AND s.acknowledged_at IS NULL
   ORDER BY s.created_at, s.id
   LIMIT $2`;

const SELECT_SQL = `
  SELECT ${PG_JOB_COLUMNS}, fetched_at FROM delivery_jobs
   WHERE authority_id = $1 AND submission_id = $2 AND channel = 'inbox'
   ORDER BY created_at, id
   LIMIT 1`;

/**
 * The first fetch, decided by the row itself: of two fetches at once, the second waits for the
 * first's row lock, sees fetched_at set and changes nothing.
 */
const SET_FETCHED_SQL = `
  UPDATE delivery_jobs SET fetched_at = $3, state = 'delivered', delivered_at = $3, attempts = attempts + 1
   WHERE id = (SELECT id FROM delivery_jobs
                WHERE authority_id = $1 AND submission_id = $2 AND channel = 'inbox'
                ORDER BY created_at, id
                LIMIT 1)
     AND fetched_at IS NULL
  RETURNING ${PG_JOB_COLUMNS}`;

/** Scoped to the authority too: only a submission with an inbox job of this authority is acknowledged. */
const SET_ACKNOWLEDGED_SQL = `
  UPDATE submissions s SET acknowledged_at = $3
   WHERE s.id = $2 AND s.acknowledged_at IS NULL
     AND EXISTS (SELECT 1 FROM delivery_jobs j WHERE j.submission_id = s.id AND j.authority_id = $1 AND j.channel = 'inbox')
  RETURNING s.id`;

/** Inside a transaction: the job, recording the first fetch (job delivered, `fetched` event, submission delivered when done). */
async function fetchIn(tx: PgQueries, authorityId: string, submissionId: string, at: Date): Promise<DeliveryJob | undefined> {
  const [fetched] = await tx.query<PgJobRow>(SET_FETCHED_SQL, [authorityId, submissionId, at]);
  if (fetched) {
    await addEvent(tx, submissionId, 'fetched', at, 'inbox');
    await markSubmissionDeliveredIfDone(tx, submissionId, 'inbox', at);
    return toPgJob(fetched);
  }
  const [row] = await tx.query<InboxJobRow>(SELECT_SQL, [authorityId, submissionId]);
  return row ? toPgJob(row) : undefined;
}

/**
 * The pull channel on PostgreSQL. Every statement is scoped by the authority id, so one
 * authority can never read or acknowledge another's submission, whatever id it sends.
 */
export function pgInbox(client: PgClient): AuthorityInboxStore {
  return {
    async list(authorityId, limit) {
      const rows = await client.query<{ submission_id: string; form_id: string; form_version: string; created_at: Date; fetched_at: Date | null }>(
        LIST_SQL, [authorityId, limit]);
      return rows.map((r) => ({
        submissionId: r.submission_id, formId: r.form_id, formVersion: r.form_version,
        createdAt: r.created_at, fetchedAt: r.fetched_at,
      }));
    },

    // A reference holding a NUL is no stored one: not in the inbox, without asking (pg-client.ts).
    async find(authorityId, submissionId) {
      if (!isStorableKey(submissionId)) return undefined;
      const [row] = await client.query<InboxJobRow>(SELECT_SQL, [authorityId, submissionId]);
      return row ? toPgJob(row) : undefined;
    },

    async fetch(authorityId, submissionId, at) {
      if (!isStorableKey(submissionId)) return undefined;
      // Fetched before (the usual case of a repeated fetch), or not this authority's: one read, no transaction.
      const [row] = await client.query<InboxJobRow>(SELECT_SQL, [authorityId, submissionId]);
      if (!row) return undefined;
      if (row.fetched_at !== null) return toPgJob(row);
      return client.transaction((tx) => fetchIn(tx, authorityId, submissionId, at));
    },

    async acknowledge(authorityId, submissionId, at) {
      if (!isStorableKey(submissionId)) return false;
      return client.transaction(async (tx) => {
        // Acknowledging implies the authority has it: a first fetch is recorded if there was none.
        if (!(await fetchIn(tx, authorityId, submissionId, at))) return false;
        const changed = await tx.query(SET_ACKNOWLEDGED_SQL, [authorityId, submissionId, at]);
        if (changed.length > 0) await addEvent(tx, submissionId, 'acknowledged', at, 'inbox');
        return true;
      });
    },
  };
}
