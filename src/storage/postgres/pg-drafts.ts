import type { Draft, DraftRepository } from '../ports';
import { isStorableKey, type PgClient } from './pg-client';

interface DraftRow {
  key: string;
  form_id: string;
  form_version: string;
  data_json: string;
  csrf_token: string;
  resume_token_hash: string | null;
  created_at: Date;
  updated_at: Date;
  expires_at: Date;
}

function toDraft(row: DraftRow): Draft {
  return {
    key: row.key,
    formId: row.form_id,
    formVersion: row.form_version,
    dataJson: row.data_json,
    csrfToken: row.csrf_token,
    resumeTokenHash: row.resume_token_hash,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    expiresAt: row.expires_at,
  };
}

const COLUMNS = 'key, form_id, form_version, data_json, csrf_token, resume_token_hash, created_at, updated_at, expires_at';

/**
 * Drafts in PostgreSQL, as in the SQLite adapter: expired ones are invisible at once (every read
 * compares with the caller's `now`) and deleted by deleteExpired. One statement per method.
 */
export function pgDrafts(client: PgClient): DraftRepository {
  // Keys and token hashes are ours (hashes), but a lookup by a value holding a NUL, which no stored
  // key does, answers "not found" without asking, as on SQLite (pg-client.ts).
  const first = async (sql: string, params: readonly [string, ...unknown[]]): Promise<Draft | undefined> => {
    if (!isStorableKey(params[0])) return undefined;
    const [row] = await client.query<DraftRow>(sql, params);
    return row ? toDraft(row) : undefined;
  };
  return {
    async create(draft) {
      await client.query(
        `INSERT INTO drafts (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [draft.key, draft.formId, draft.formVersion, draft.dataJson, draft.csrfToken, draft.resumeTokenHash, draft.createdAt, draft.updatedAt, draft.expiresAt],
      );
    },
    find: (key, now) => first(`SELECT ${COLUMNS} FROM drafts WHERE key = $1 AND expires_at > $2`, [key, now]),
    findByResumeToken: (hash, now) => first(`SELECT ${COLUMNS} FROM drafts WHERE resume_token_hash = $1 AND expires_at > $2`, [hash, now]),
    async update(key, changes) {
      if (!isStorableKey(key)) return; // no such draft: nothing to change, as on SQLite
      // Absent changes leave the column as it is (null parameters keep the stored value).
      await client.query(
        `UPDATE drafts SET data_json = COALESCE($2::text, data_json), form_version = COALESCE($3::text, form_version),
                           resume_token_hash = COALESCE($4::text, resume_token_hash), updated_at = $5, expires_at = $6
          WHERE key = $1`,
        [key, changes.dataJson ?? null, changes.formVersion ?? null, changes.resumeTokenHash ?? null, changes.updatedAt, changes.expiresAt],
      );
    },
    async rekey(oldKey, newKey) {
      if (!isStorableKey(oldKey)) return false;
      // The draft's files move with it (attachments.draft_key), in the same transaction.
      return client.transaction(async (tx) => {
        const rows = await tx.query('UPDATE drafts SET key = $1 WHERE key = $2 RETURNING 1', [newKey, oldKey]);
        if (rows.length !== 1) return false;
        await tx.query('UPDATE attachments SET draft_key = $1 WHERE draft_key = $2 AND submission_id IS NULL', [newKey, oldKey]);
        return true;
      });
    },
    async delete(key) {
      if (!isStorableKey(key)) return;
      await client.query('DELETE FROM drafts WHERE key = $1', [key]);
    },
    async deleteExpired(now) {
      // Counted in the database: the deleted rows never travel to us.
      const [row] = await client.query<{ n: string }>(
        'WITH gone AS (DELETE FROM drafts WHERE expires_at <= $1 RETURNING 1) SELECT count(*) AS n FROM gone', [now]);
      return Number(row?.n ?? 0);
    },
  };
}
