import type { OperatorAuditEntry, OperatorAuditLog, OperatorSession, OperatorSessionStore, TestLinkStore } from '../ports';
import type { PgClient } from './pg-client';

interface AuditRow {
  at: Date;
  actor: string;
  tenant_id: string | null;
  action: string;
  target: string | null;
  outcome: OperatorAuditEntry['outcome'];
  detail: string | null;
}

function toEntry(row: AuditRow): OperatorAuditEntry {
  const entry = { at: row.at, actor: row.actor, tenantId: row.tenant_id, action: row.action, target: row.target, outcome: row.outcome };
  return row.detail === null ? entry : { ...entry, detail: row.detail };
}

const AUDIT_COLUMNS = 'at, actor, tenant_id, action, target, outcome, detail';

/**
 * The operators' audit trail in PostgreSQL: one row per action, newest read first by its
 * sequence (not by `at`: two entries may carry the same time, and clocks of processes differ).
 */
export function pgOperatorAudit(client: PgClient): OperatorAuditLog {
  return {
    async record(entry) {
      await client.query(
        `INSERT INTO operator_audit (${AUDIT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [entry.at, entry.actor, entry.tenantId, entry.action, entry.target, entry.outcome, entry.detail ?? null],
      );
    },
    async list(filter) {
      // Two statements rather than one with an optional filter, so the tenant's one uses its index.
      const rows = filter.tenantId === undefined
        ? await client.query<AuditRow>(`SELECT ${AUDIT_COLUMNS} FROM operator_audit ORDER BY seq DESC LIMIT $1`, [filter.limit])
        : await client.query<AuditRow>(
          `SELECT ${AUDIT_COLUMNS} FROM operator_audit WHERE tenant_id = $1 ORDER BY seq DESC LIMIT $2`, [filter.tenantId, filter.limit]);
      return rows.map(toEntry);
    },
  };
}

interface SessionRow {
  key: string;
  token_hash: string;
  csrf_token: string;
  created_at: Date;
  expires_at: Date;
}

const toSession = (row: SessionRow): OperatorSession => ({
  key: row.key, tokenHash: row.token_hash, csrfToken: row.csrf_token, createdAt: row.created_at, expiresAt: row.expires_at,
});

/** Console sessions in PostgreSQL, keyed by the SHA-256 of the cookie value; expired ones are invisible at once. */
export function pgOperatorSessions(client: PgClient): OperatorSessionStore {
  return {
    async create(session) {
      await client.query(
        'INSERT INTO operator_sessions (key, token_hash, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)',
        [session.key, session.tokenHash, session.csrfToken, session.createdAt, session.expiresAt],
      );
    },
    async find(key, now) {
      const [row] = await client.query<SessionRow>(
        'SELECT key, token_hash, csrf_token, created_at, expires_at FROM operator_sessions WHERE key = $1 AND expires_at > $2', [key, now]);
      return row ? toSession(row) : undefined;
    },
    async touch(key, expiresAt) {
      await client.query('UPDATE operator_sessions SET expires_at = $1 WHERE key = $2', [expiresAt, key]);
    },
    async delete(key) {
      await client.query('DELETE FROM operator_sessions WHERE key = $1', [key]);
    },
    async deleteExpired(now) {
      const [row] = await client.query<{ n: string }>(
        'WITH gone AS (DELETE FROM operator_sessions WHERE expires_at <= $1 RETURNING 1) SELECT count(*) AS n FROM gone', [now]);
      return Number(row?.n ?? 0);
    },
  };
}

interface TestLinkRow {
  token_hash: string;
  tenant_id: string;
  authority_id: string;
  form_id: string;
  created_by: string;
  created_at: Date;
  expires_at: Date;
}

/** Testers' links in PostgreSQL, keyed by the SHA-256 of their token; expired ones are invisible at once. */
export function pgTestLinks(client: PgClient): TestLinkStore {
  return {
    async create(link) {
      await client.query(
        `INSERT INTO test_links (token_hash, tenant_id, authority_id, form_id, created_by, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [link.tokenHash, link.tenantId, link.authorityId, link.formId, link.createdBy, link.createdAt, link.expiresAt],
      );
    },
    async find(tokenHash, now) {
      const [row] = await client.query<TestLinkRow>(
        `SELECT token_hash, tenant_id, authority_id, form_id, created_by, created_at, expires_at
           FROM test_links WHERE token_hash = $1 AND expires_at > $2`, [tokenHash, now]);
      return row ? {
        tokenHash: row.token_hash, tenantId: row.tenant_id, authorityId: row.authority_id, formId: row.form_id,
        createdBy: row.created_by, createdAt: row.created_at, expiresAt: row.expires_at,
      } : undefined;
    },
  };
}
