import type Database from 'better-sqlite3';
import type { Draft, DraftRepository } from '../ports';
import type { GroupCommit } from './group-commit';
import { settler } from './settle';

interface DraftRow {
  key: string;
  form_id: string;
  form_version: string;
  data_json: string;
  csrf_token: string;
  resume_token_hash: string | null;
  created_at: number;
  updated_at: number;
  expires_at: number;
}

function toDraft(row: DraftRow): Draft {
  return {
    key: row.key,
    formId: row.form_id,
    formVersion: row.form_version,
    dataJson: row.data_json,
    csrfToken: row.csrf_token,
    resumeTokenHash: row.resume_token_hash,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    expiresAt: new Date(row.expires_at),
  };
}

/**
 * Drafts in the SQLite store; expired ones are invisible at once and deleted by deleteExpired.
 * Saving (create, update) is a write per step of every citizen: it goes through the group commit.
 */
export function sqliteDrafts(db: Database.Database, commit: GroupCommit): DraftRepository {
  const settle = settler(db);
  const insert = db.prepare(`
    INSERT INTO drafts (key, form_id, form_version, data_json, csrf_token, resume_token_hash, created_at, updated_at, expires_at)
    VALUES (@key, @formId, @formVersion, @dataJson, @csrfToken, @resumeTokenHash, @createdAt, @updatedAt, @expiresAt)`);
  const byKey = db.prepare<[string, number], DraftRow>('SELECT * FROM drafts WHERE key = ? AND expires_at > ?');
  const byResume = db.prepare<[string, number], DraftRow>('SELECT * FROM drafts WHERE resume_token_hash = ? AND expires_at > ?');
  const update = db.prepare(`
    UPDATE drafts SET data_json = COALESCE(@dataJson, data_json), form_version = COALESCE(@formVersion, form_version),
                      resume_token_hash = COALESCE(@resumeTokenHash, resume_token_hash),
                      updated_at = @updatedAt, expires_at = @expiresAt
     WHERE key = @key`);
  const remove = db.prepare('DELETE FROM drafts WHERE key = ?');
  const rekey = db.prepare('UPDATE drafts SET key = ? WHERE key = ?');
  const removeExpired = db.prepare('DELETE FROM drafts WHERE expires_at <= ?');
  const rekeyFiles = db.prepare('UPDATE attachments SET draft_key = ? WHERE draft_key = ? AND submission_id IS NULL');
  const rekeyWithFiles = db.transaction((newKey: string, oldKey: string): boolean => {
    if (rekey.run(newKey, oldKey).changes !== 1) return false;
    rekeyFiles.run(newKey, oldKey);
    return true;
  });

  return {
    create: (draft) =>
      commit(() => {
        insert.run({
          ...draft,
          createdAt: draft.createdAt.getTime(),
          updatedAt: draft.updatedAt.getTime(),
          expiresAt: draft.expiresAt.getTime(),
        });
      }),
    find: (key, now) => settle(() => {
      const row = byKey.get(key, now.getTime());
      return row ? toDraft(row) : undefined;
    }),
    findByResumeToken: (hash, now) => settle(() => {
      const row = byResume.get(hash, now.getTime());
      return row ? toDraft(row) : undefined;
    }),
    update: (key, changes) =>
      commit(() => {
        update.run({
          key,
          dataJson: changes.dataJson ?? null,
          formVersion: changes.formVersion ?? null,
          resumeTokenHash: changes.resumeTokenHash ?? null,
          updatedAt: changes.updatedAt.getTime(),
          expiresAt: changes.expiresAt.getTime(),
        });
      }),
    // The draft's files move with it (attachments.draft_key), in the same transaction.
    rekey: (oldKey, newKey) => settle(() => rekeyWithFiles(newKey, oldKey)),
    delete: (key) => settle(() => {
      remove.run(key);
    }),
    deleteExpired: (now) => settle(() => removeExpired.run(now.getTime()).changes),
  };
}
