import type Database from 'better-sqlite3';
import type { TestLink, TestLinkStore } from '../ports';
import { settler } from './settle';

interface TestLinkRow {
  token_hash: string;
  tenant_id: string;
  authority_id: string;
  form_id: string;
  created_by: string;
  created_at: number;
  expires_at: number;
}

/** Testers' links in SQLite, keyed by the SHA-256 of their token. */
export function sqliteTestLinks(db: Database.Database): TestLinkStore {
  const settle = settler(db);
  const insert = db.prepare(`
    INSERT INTO test_links (token_hash, tenant_id, authority_id, form_id, created_by, created_at, expires_at)
    VALUES (@tokenHash, @tenantId, @authorityId, @formId, @createdBy, @createdAt, @expiresAt)`);
  const select = db.prepare<[string, number], TestLinkRow>('SELECT * FROM test_links WHERE token_hash = ? AND expires_at > ?');
  return {
    create(link: TestLink) {
      return settle(() => {
        insert.run({ ...link, createdAt: link.createdAt.getTime(), expiresAt: link.expiresAt.getTime() });
      });
    },
    find(tokenHash, now) {
      return settle(() => {
        const row = select.get(tokenHash, now.getTime());
        return row ? {
          tokenHash: row.token_hash, tenantId: row.tenant_id, authorityId: row.authority_id, formId: row.form_id,
          createdBy: row.created_by, createdAt: new Date(row.created_at), expiresAt: new Date(row.expires_at),
        } : undefined;
      });
    },
  };
}
