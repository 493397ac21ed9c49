import type { PurgeRequest, PurgeResult } from '../retention-ports';
import type { PgClient } from './pg-client';

/**
 * Whether submission `s` is due (docs/retention.md), with the days of its form in `d.days`
 * ($1 now, $2 the default days). The clock starts at the latest delivery of any of its jobs
 * except the inbox's, or at the acknowledgement (the inbox's clock; GREATEST skips NULLs): with
 * an inbox job nothing is due before the authority acknowledged, and with files its e-mail went
 * without (held for the inbox) nothing before each was fetched. Open or retryable jobs keep the
 * data. Days are 86,400 seconds, as on SQLite (not calendar days across a DST change).
 */
const DUE_CONDITION = `
      s.purged_at IS NULL
  AND s.status = 'delivered'
  AND NOT EXISTS (SELECT 1 FROM delivery_jobs j WHERE j.submission_id = s.id AND j.state IN ('pending', 'in_flight', 'failed'))
  AND (s.acknowledged_at IS NOT NULL
       OR NOT EXISTS (SELECT 1 FROM delivery_jobs j WHERE j.submission_id = s.id AND j.channel = 'inbox'))
  AND NOT EXISTS (SELECT 1 FROM attachments a WHERE a.submission_id = s.id AND a.held_at IS NOT NULL AND a.fetched_at IS NULL)
  AND GREATEST(s.acknowledged_at,
               (SELECT MAX(j.delivered_at) FROM delivery_jobs j
                 WHERE j.submission_id = s.id AND j.state = 'delivered' AND j.channel <> 'inbox'))
      + COALESCE(d.days, $2) * interval '86400 seconds' <= $1`;

const DAYS_OF_FORM = 'LEFT JOIN unnest($3::text[], $4::integer[]) AS d(form_id, days) ON d.form_id = s.form_id';

/**
 * Step 1: the due submissions, oldest first, locked; rows another process holds (another
 * clean-up, a worker settling a job, a retry) are skipped, never waited for. `created_at <= $5`
 * (now minus the fewest days of any form) bounds the scan of the partial index submissions_unpurged.
 */
const TAKE_DUE = `
  SELECT s.id FROM submissions s ${DAYS_OF_FORM}
   WHERE s.created_at <= $5 AND ${DUE_CONDITION}
   ORDER BY s.created_at, s.id
   LIMIT $6
   FOR UPDATE OF s SKIP LOCKED`;

/** Step 2: their jobs, locked without waiting (the rows returned are those now held)... */
const LOCK_JOBS = 'SELECT submission_id FROM delivery_jobs WHERE submission_id = ANY($1::text[]) FOR UPDATE SKIP LOCKED';
/** ... and how many jobs each has (jobs are only ever created with their submission). */
const COUNT_JOBS = 'SELECT submission_id, COUNT(*) AS n FROM delivery_jobs WHERE submission_id = ANY($1::text[]) GROUP BY submission_id';

/**
 * Step 3, on the submissions whose jobs are all held too (nothing can change them now): checked
 * once more in this statement's snapshot (a retry committed between step 1 and step 2 made a job
 * pending again), then blanked with their jobs, their stored receipts deleted and given their
 * `purged` event, all in one statement. A receipt being stored meanwhile holds the submission's
 * row FOR KEY SHARE, so step 1 skipped that submission; one stored after step 1 waited for this
 * transaction and then finds the submission purged (pg-receipts.ts). The events' numbers are safe: every writer of a trail holds the submission's row
 * first (pg-events.ts), and this transaction holds it.
 */
const PURGE = `
  WITH due AS (
    SELECT s.id, COALESCE(d.days, $2) AS days FROM submissions s ${DAYS_OF_FORM}
     WHERE s.id = ANY($5::text[]) AND ${DUE_CONDITION}
  ), purged AS (
    UPDATE submissions s SET data_json = '', payload_xml = '', purged_at = $1
      FROM due WHERE s.id = due.id
    RETURNING s.id, due.days
  ), jobs AS (
    UPDATE delivery_jobs SET body = '', purged_at = $1 WHERE submission_id IN (SELECT id FROM purged)
  ), receipts AS (
    DELETE FROM receipts WHERE submission_id IN (SELECT id FROM purged)
  ), events AS (
    INSERT INTO submission_events (submission_id, seq, type, at, detail)
    SELECT p.id, (SELECT COALESCE(MAX(e.seq), 0) + 1 FROM submission_events e WHERE e.submission_id = p.id),
           'purged', $1, 'retention ' || p.days || ' days'
      FROM purged p
  )
  SELECT COUNT(*) AS n FROM purged`;

/** The attachments of the submissions this transaction purged (purged_at set by PURGE just before). */
const DELETE_ATTACHMENTS = `
  DELETE FROM attachments a USING submissions s
   WHERE a.submission_id = s.id AND s.id = ANY($1::text[]) AND s.purged_at IS NOT NULL
  RETURNING a.id, a.sealed_file_id`;

const DAY_MS = 24 * 3600 * 1000;

/**
 * Retention on PostgreSQL, safe with any number of processes running it at once: one
 * transaction per call takes the due submissions and all their jobs with SKIP LOCKED (so it never
 * waits for, or deadlocks with, a worker or an operator's retry; what it skips is due again on
 * the next call), checks them again under those locks and blanks them. Old row versions stay in
 * the table files until (auto)vacuum reclaims them, as with any UPDATE.
 */
export function pgPurgeDue(client: PgClient): (request: PurgeRequest) => Promise<PurgeResult> {
  return (request) => client.transaction(async (tx) => {
    const forms = [...request.daysByForm.keys()];
    const days = forms.map((id) => request.daysByForm.get(id) as number);
    const fewestDays = Math.min(request.defaultDays, ...days);
    const earliest = new Date(request.now.getTime() - fewestDays * DAY_MS);
    const taken = await tx.query<{ id: string }>(TAKE_DUE, [request.now, request.defaultDays, forms, days, earliest, request.limit]);
    if (taken.length === 0) return { purged: 0, removedFiles: [] };
    const ids = taken.map((r) => r.id);
    const locked = new Map<string, number>();
    for (const r of await tx.query<{ submission_id: string }>(LOCK_JOBS, [ids])) locked.set(r.submission_id, (locked.get(r.submission_id) ?? 0) + 1);
    const counts = await tx.query<{ submission_id: string; n: string }>(COUNT_JOBS, [ids]);
    // A submission whose jobs someone else holds (in part) waits for the next call; one without
    // jobs cannot be delivered, so it was never taken.
    const held = counts.filter((c) => Number(c.n) === locked.get(c.submission_id)).map((c) => c.submission_id);
    if (held.length === 0) return { purged: 0, removedFiles: [] };
    const [row] = await tx.query<{ n: string }>(PURGE, [request.now, request.defaultDays, forms, days, held]);
    // The attachments are personal data too: their rows go in this transaction, their files
    // (and sealed copies) are removed by the clean-up once it has committed.
    const gone = await tx.query<{ id: string; sealed_file_id: string | null }>(DELETE_ATTACHMENTS, [held]);
    return { purged: Number(row?.n ?? 0), removedFiles: gone.flatMap((a) => [a.id, ...(a.sealed_file_id === null ? [] : [a.sealed_file_id])]) };
  });
}
