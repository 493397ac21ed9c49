import type Database from 'better-sqlite3';
import { AttachmentTakenError, type AttachmentRecord, type AttachmentRepository, type SubmissionAttachment } from '../attachment-ports';
import type { DocumentMediaType } from '../../support/media-type';
import type { GroupCommit } from './group-commit';
import { settler } from './settle';

interface AttachmentRow {
  id: string;
  form_id: string;
  field_pointer: string;
  draft_key: string | null;
  file_name: string;
  media_type: string;
  size: number;
  sha512: string;
  scanned: number;
  created_at: number;
  submission_id: string | null;
  sealed_file_id: string | null;
  sealed_size: number | null;
  sealed_kid: string | null;
  held_at: number | null;
  fetched_at: number | null;
}

export function attachmentFromRow(row: AttachmentRow): AttachmentRecord {
  return {
    id: row.id, formId: row.form_id, fieldPointer: row.field_pointer,
    ...(row.draft_key === null ? {} : { draftKey: row.draft_key }),
    fileName: row.file_name, mediaType: row.media_type as DocumentMediaType, size: row.size, sha512: row.sha512,
    scanned: row.scanned === 1, createdAt: new Date(row.created_at),
    ...(row.submission_id === null ? {} : { submissionId: row.submission_id }),
    ...(row.sealed_file_id === null || row.sealed_size === null || row.sealed_kid === null ? {}
      : { sealed: { fileId: row.sealed_file_id, size: row.sealed_size, kid: row.sealed_kid } }),
    ...(row.held_at === null ? {} : { heldAt: new Date(row.held_at) }),
    ...(row.fetched_at === null ? {} : { fetchedAt: new Date(row.fetched_at) }),
  };
}

/**
 * Claims a submission's attachments inside its create transaction: each must still be unused,
 * or the whole submission is rolled back (AttachmentTakenError), so two submissions can never
 * carry one file.
 */
export function sqliteAttachmentClaim(db: Database.Database): (submissionId: string, attachments: readonly SubmissionAttachment[]) => void {
  const claim = db.prepare(`
    UPDATE attachments SET submission_id = @submissionId, position = @position,
           sealed_file_id = @sealedFileId, sealed_size = @sealedSize, sealed_kid = @sealedKid
     WHERE id = @id AND submission_id IS NULL`);
  return (submissionId, attachments) => {
    attachments.forEach((attachment, position) => {
      const changed = claim.run({
        submissionId, position, id: attachment.id,
        sealedFileId: attachment.sealed?.fileId ?? null, sealedSize: attachment.sealed?.size ?? null, sealedKid: attachment.sealed?.kid ?? null,
      }).changes;
      if (changed !== 1) throw new AttachmentTakenError(attachment.id);
    });
  };
}

/** The attachments' metadata on SQLite; writes go through the group commit like every other. */
export function sqliteAttachments(db: Database.Database, commit: GroupCommit): AttachmentRepository {
  const settle = settler(db);
  const insert = db.prepare(`
    INSERT INTO attachments (id, form_id, field_pointer, draft_key, file_name, media_type, size, sha512, scanned, created_at)
    VALUES (@id, @formId, @fieldPointer, @draftKey, @fileName, @mediaType, @size, @sha512, @scanned, @createdAt)`);
  const byId = db.prepare<[string], AttachmentRow>('SELECT * FROM attachments WHERE id = ?');
  const byDraft = db.prepare<[string], AttachmentRow>('SELECT * FROM attachments WHERE draft_key = ? AND submission_id IS NULL ORDER BY created_at, id');
  const bySubmission = db.prepare<[string], AttachmentRow>('SELECT * FROM attachments WHERE submission_id = ? ORDER BY position');
  const removeUnused = db.prepare('DELETE FROM attachments WHERE id = ? AND submission_id IS NULL');
  const recordSealed = db.prepare(`
    UPDATE attachments SET sealed_file_id = @fileId, sealed_size = @size, sealed_kid = @kid
     WHERE id = @id AND submission_id IS NOT NULL AND sealed_file_id IS NULL`);
  const orphans = db.prepare<{ cutoff: number; limit: number }, AttachmentRow>(`
    SELECT a.* FROM attachments a
     WHERE a.submission_id IS NULL
       AND ((a.draft_key IS NOT NULL AND NOT EXISTS (SELECT 1 FROM drafts d WHERE d.key = a.draft_key))
            OR (a.draft_key IS NULL AND a.created_at < @cutoff))
     ORDER BY a.created_at LIMIT @limit`);
  const hold = db.prepare<{ submissionId: string; at: number }>('UPDATE attachments SET held_at = @at WHERE submission_id = @submissionId AND held_at IS NULL');
  const release = db.prepare<[string]>('UPDATE attachments SET held_at = NULL WHERE submission_id = ? AND held_at IS NOT NULL');
  const fetched = db.prepare<{ id: string; at: number }>('UPDATE attachments SET fetched_at = @at WHERE id = @id AND submission_id IS NOT NULL AND fetched_at IS NULL');
  const named = db.prepare<{ ids: string }, { file_id: string }>(`
    SELECT id AS file_id FROM attachments WHERE id IN (SELECT value FROM json_each(@ids))
    UNION SELECT sealed_file_id FROM attachments WHERE sealed_file_id IN (SELECT value FROM json_each(@ids))`);

  return {
    add: (attachment) => commit(() => {
      insert.run({
        ...attachment, draftKey: attachment.draftKey ?? null, scanned: attachment.scanned ? 1 : 0, createdAt: attachment.createdAt.getTime(),
      });
    }),
    find: (id) => settle(() => {
      const row = byId.get(id);
      return row ? attachmentFromRow(row) : undefined;
    }),
    ofDraft: (draftKey) => settle(() => byDraft.all(draftKey).map(attachmentFromRow)),
    ofSubmission: (submissionId) => settle(() => bySubmission.all(submissionId).map(attachmentFromRow)),
    removeUnused: (id) => commit(() => removeUnused.run(id).changes === 1),
    recordSealed: (id, copy) => commit(() => {
      recordSealed.run({ id, ...copy });
      const row = byId.get(id);
      return row?.submission_id ? attachmentFromRow(row).sealed : undefined;
    }),
    orphans: (apiCutoff, limit) => settle(() => orphans.all({ cutoff: apiCutoff.getTime(), limit }).map(attachmentFromRow)),
    holdForFetch: (submissionId, at) => commit(() => {
      hold.run({ submissionId, at: at.getTime() });
    }),
    releaseHold: (submissionId) => commit(() => {
      release.run(submissionId);
    }),
    markFetched: (id, at) => commit(() => {
      fetched.run({ id, at: at.getTime() });
    }),
    namedFiles: (fileIds) => settle(() => new Set(named.all({ ids: JSON.stringify(fileIds) }).map((r) => r.file_id))),
  };
}
