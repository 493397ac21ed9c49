import { AttachmentTakenError, type AttachmentRecord, type AttachmentRepository, type SubmissionAttachment } from '../attachment-ports';
import type { DocumentMediaType } from '../../support/media-type';
import { isStorableKey, type PgClient, type PgQueries } from './pg-client';

interface AttachmentRow {
  id: string;
  form_id: string;
  field_pointer: string;
  draft_key: string | null;
  file_name: string;
  media_type: string;
  size: string;
  sha512: string;
  scanned: boolean;
  created_at: Date;
  submission_id: string | null;
  sealed_file_id: string | null;
  sealed_size: string | null;
  sealed_kid: string | null;
  held_at: Date | null;
  fetched_at: Date | null;
}

function fromRow(row: AttachmentRow): AttachmentRecord {
  return {
    id: row.id, formId: row.form_id, fieldPointer: row.field_pointer,
    ...(row.draft_key === null ? {} : { draftKey: row.draft_key }),
    fileName: row.file_name, mediaType: row.media_type as DocumentMediaType, size: Number(row.size), sha512: row.sha512,
    scanned: row.scanned, createdAt: row.created_at,
    ...(row.submission_id === null ? {} : { submissionId: row.submission_id }),
    ...(row.sealed_file_id === null || row.sealed_size === null || row.sealed_kid === null ? {}
      : { sealed: { fileId: row.sealed_file_id, size: Number(row.sealed_size), kid: row.sealed_kid } }),
    ...(row.held_at === null ? {} : { heldAt: row.held_at }),
    ...(row.fetched_at === null ? {} : { fetchedAt: row.fetched_at }),
  };
}

/**
 * Claims a submission's attachments in its create transaction: each must still be unused (the
 * row lock of the UPDATE makes a second submission wait and then find it taken), or the whole
 * submission is rolled back with AttachmentTakenError.
 */
export async function claimAttachments(tx: PgQueries, submissionId: string, attachments: readonly SubmissionAttachment[]): Promise<void> {
  for (const [position, attachment] of attachments.entries()) {
    const rows = await tx.query(
      `UPDATE attachments SET submission_id = $1, position = $2, sealed_file_id = $3, sealed_size = $4, sealed_kid = $5
        WHERE id = $6 AND submission_id IS NULL RETURNING 1`,
      [submissionId, position, attachment.sealed?.fileId ?? null, attachment.sealed?.size ?? null, attachment.sealed?.kid ?? null, attachment.id],
    );
    if (rows.length !== 1) throw new AttachmentTakenError(attachment.id);
  }
}

/** The attachments' metadata on PostgreSQL: one statement per method. */
export function pgAttachments(client: PgClient): AttachmentRepository {
  return {
    async add(a) {
      await client.query(
        `INSERT INTO attachments (id, form_id, field_pointer, draft_key, file_name, media_type, size, sha512, scanned, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [a.id, a.formId, a.fieldPointer, a.draftKey ?? null, a.fileName, a.mediaType, a.size, a.sha512, a.scanned, a.createdAt],
      );
    },
    async find(id) {
      if (!isStorableKey(id)) return undefined;
      const [row] = await client.query<AttachmentRow>('SELECT * FROM attachments WHERE id = $1', [id]);
      return row ? fromRow(row) : undefined;
    },
    async ofDraft(draftKey) {
      if (!isStorableKey(draftKey)) return [];
      const rows = await client.query<AttachmentRow>('SELECT * FROM attachments WHERE draft_key = $1 AND submission_id IS NULL ORDER BY created_at, id', [draftKey]);
      return rows.map(fromRow);
    },
    async ofSubmission(submissionId) {
      if (!isStorableKey(submissionId)) return [];
      const rows = await client.query<AttachmentRow>('SELECT * FROM attachments WHERE submission_id = $1 ORDER BY position', [submissionId]);
      return rows.map(fromRow);
    },
    async recordSealed(id, copy) {
      if (!isStorableKey(id)) return undefined;
      // Under READ COMMITTED a second writer waits for the first and then finds it set.
      await client.query(
        `UPDATE attachments SET sealed_file_id = $2, sealed_size = $3, sealed_kid = $4
          WHERE id = $1 AND submission_id IS NOT NULL AND sealed_file_id IS NULL`,
        [id, copy.fileId, copy.size, copy.kid],
      );
      const [row] = await client.query<AttachmentRow>('SELECT * FROM attachments WHERE id = $1 AND submission_id IS NOT NULL', [id]);
      return row ? fromRow(row).sealed : undefined;
    },
    async removeUnused(id) {
      if (!isStorableKey(id)) return false;
      const rows = await client.query('DELETE FROM attachments WHERE id = $1 AND submission_id IS NULL RETURNING 1', [id]);
      return rows.length === 1;
    },
    async orphans(apiCutoff, limit) {
      const rows = await client.query<AttachmentRow>(
        `SELECT a.* FROM attachments a
          WHERE a.submission_id IS NULL
            AND ((a.draft_key IS NOT NULL AND NOT EXISTS (SELECT 1 FROM drafts d WHERE d.key = a.draft_key))
                 OR (a.draft_key IS NULL AND a.created_at < $1))
          ORDER BY a.created_at LIMIT $2`,
        [apiCutoff, limit],
      );
      return rows.map(fromRow);
    },
    async holdForFetch(submissionId, at) {
      if (!isStorableKey(submissionId)) return;
      await client.query('UPDATE attachments SET held_at = $2 WHERE submission_id = $1 AND held_at IS NULL', [submissionId, at]);
    },
    async releaseHold(submissionId) {
      if (!isStorableKey(submissionId)) return;
      await client.query('UPDATE attachments SET held_at = NULL WHERE submission_id = $1 AND held_at IS NOT NULL', [submissionId]);
    },
    async markFetched(id, at) {
      if (!isStorableKey(id)) return;
      await client.query('UPDATE attachments SET fetched_at = $2 WHERE id = $1 AND submission_id IS NOT NULL AND fetched_at IS NULL', [id, at]);
    },
    async namedFiles(fileIds) {
      if (fileIds.length === 0) return new Set();
      const rows = await client.query<{ file_id: string }>(
        `SELECT id AS file_id FROM attachments WHERE id = ANY($1::text[])
         UNION SELECT sealed_file_id FROM attachments WHERE sealed_file_id = ANY($1::text[])`,
        [fileIds],
      );
      return new Set(rows.map((r) => r.file_id));
    },
  };
}
