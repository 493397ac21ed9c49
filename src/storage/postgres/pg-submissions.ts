import { claimAttachments } from './pg-attachments';
import { DuplicateReferenceError, type SubmissionEventType, type SubmissionRepository, type SubmissionStatus } from '../ports';
import { isStorableKey, type PgClient } from './pg-client';
import type { PgJobAnnouncer } from './pg-job-announcer';
import { pgPurgeDue } from './pg-retention';

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
  payload_xml: string;
  parameters_json: string | null;
  is_test: boolean;
  status: 'accepted' | 'delivered';
  acknowledged_at: Date | null;
  created_at: Date;
  purged_at: Date | null;
  /** The audit trail in order, as three parallel arrays (pg parses timestamptz[] into Dates). */
  event_types: SubmissionEventType[];
  event_ats: Date[];
  event_details: (string | null)[];
}

/**
 * The submission, its `accepted` event (the first of its trail) and its jobs in one statement,
 * so one round trip and atomic without an explicit transaction: a taken reference or a taken
 * idempotency key fails the statement and nothing of it is written. The foreign keys are
 * checked at the end of the statement, when the submission row exists. Jobs arrive as one JSON
 * array; a job created with a lease is in flight on its first attempt. The statement answers
 * whether a job a worker may claim (pending, not the inbox) was written; then it is announced
 * on efa_jobs after the commit (pg-job-announcer.ts), so a worker woken by it finds the job.
 */
const CREATE_SQL = `
  WITH submission AS (
    INSERT INTO submissions (id, token_hash, form_id, form_version, tenant_id, authority_id, region_ars, language,
                             data_json, payload_xml, parameters_json, is_test, status, created_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'accepted', $13)
    RETURNING id, created_at
  ), accepted AS (
    INSERT INTO submission_events (submission_id, seq, type, at)
    SELECT id, 1, 'accepted', created_at FROM submission
  ), jobs AS (
    INSERT INTO delivery_jobs (id, submission_id, authority_id, channel, idempotency_key, content_type, body,
                               state, attempts, next_attempt_at, created_at, is_test, lease_owner, lease_until)
    SELECT j.id, j.submission_id, j.authority_id, j.channel, j.idempotency_key, j.content_type, j.body,
           CASE WHEN j.lease_owner IS NULL THEN 'pending' ELSE 'in_flight' END,
           CASE WHEN j.lease_owner IS NULL THEN 0 ELSE 1 END,
           s.created_at, s.created_at, j.is_test, j.lease_owner, j.lease_until
      FROM submission s
     CROSS JOIN json_to_recordset($14::json) AS j(id text, submission_id text, authority_id text, channel text,
                                                  idempotency_key text, content_type text, body text, is_test boolean,
                                                  lease_owner text, lease_until timestamptz)
    RETURNING state, channel)
  SELECT EXISTS (SELECT 1 FROM jobs WHERE state = 'pending' AND channel <> 'inbox') AS claimable`;

const FIND_SQL = `
  SELECT s.*,
         ARRAY(SELECT e.type FROM submission_events e WHERE e.submission_id = s.id ORDER BY e.seq) AS event_types,
         ARRAY(SELECT e.at FROM submission_events e WHERE e.submission_id = s.id ORDER BY e.seq) AS event_ats,
         ARRAY(SELECT e.detail FROM submission_events e WHERE e.submission_id = s.id ORDER BY e.seq) AS event_details
    FROM submissions s
   WHERE s.id = $1`;

function isDuplicateReference(err: unknown): boolean {
  const { code, constraint } = (err ?? {}) as { code?: unknown; constraint?: unknown };
  return code === '23505' && constraint === 'submissions_pkey';
}

/** The SubmissionRepository on PostgreSQL: each method is one statement (create: plus its announcement after the commit) (purgeDue: one transaction, pg-retention.ts). */
export function pgSubmissions(client: PgClient, announcer: PgJobAnnouncer): SubmissionRepository {
  return {
    async create(submission, jobs) {
      const jobsJson = JSON.stringify(jobs.map((j) => ({
        id: j.id,
        submission_id: j.submissionId,
        authority_id: j.authorityId,
        channel: j.channel,
        idempotency_key: j.idempotencyKey,
        content_type: j.contentType,
        body: j.body,
        is_test: j.test === true,
        lease_owner: j.lease?.owner ?? null,
        lease_until: j.lease?.until.toISOString() ?? null,
      })));
      const params = [
        submission.id, submission.tokenHash, submission.formId, submission.formVersion, submission.tenantId,
        submission.authorityId, submission.regionArs, submission.language, submission.dataJson, submission.payloadXml,
        submission.parametersJson ?? null, submission.test === true, submission.createdAt, jobsJson,
      ];
      const attachments = submission.attachments ?? [];
      try {
        // With attachments, one transaction: the submission and its jobs, then each attachment
        // claimed while still unused, or nothing of it is written.
        const [row] = attachments.length === 0
          ? await client.query<{ claimable: boolean }>(CREATE_SQL, params)
          : await client.transaction(async (tx) => {
            const created = await tx.query<{ claimable: boolean }>(CREATE_SQL, params);
            await claimAttachments(tx, submission.id, attachments);
            return created;
          });
        if (row?.claimable === true) announcer.announce();
      } catch (err) {
        if (isDuplicateReference(err)) throw new DuplicateReferenceError(`reference ${submission.id} exists`, { cause: err });
        throw err;
      }
    },

    async find(id) {
      // No stored reference holds a NUL; asking with one would fail the statement (pg-client.ts).
      if (!isStorableKey(id)) return undefined;
      const [row] = await client.query<SubmissionRow>(FIND_SQL, [id]);
      if (!row) return undefined;
      const status: SubmissionStatus = row.acknowledged_at !== null ? 'acknowledged' : row.status;
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
        payloadXml: row.payload_xml,
        status,
        createdAt: row.created_at,
        events: row.event_types.map((type, i) => {
          const at = row.event_ats[i] as Date;
          const detail = row.event_details[i] ?? null;
          return detail === null ? { type, at } : { type, at, detail };
        }),
        ...(row.parameters_json === null ? {} : { parametersJson: row.parameters_json }),
        ...(row.is_test ? { test: true } : {}),
        ...(row.purged_at === null ? {} : { purgedAt: row.purged_at }),
      };
    },

    purgeDue: pgPurgeDue(client),
  };
}
