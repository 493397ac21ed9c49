import type Database from 'better-sqlite3';
import type { OperatorSession, OperatorSessionStore } from '../ports';
import { settler } from './settle';

interface SessionRow {
  key: string;
  token_hash: string;
  csrf_token: string;
  created_at: number;
  expires_at: number;
}

const toSession = (row: SessionRow): OperatorSession => ({
  key: row.key, tokenHash: row.token_hash, csrfToken: row.csrf_token, createdAt: new Date(row.created_at), expiresAt: new Date(row.expires_at),
});

/** Console sessions in SQLite, keyed by the SHA-256 of the cookie value. */
export function sqliteOperatorSessions(db: Database.Database): OperatorSessionStore {
  const settle = settler(db);
  const insert = db.prepare('INSERT INTO operator_sessions (key, token_hash, csrf_token, created_at, expires_at) VALUES (@key, @tokenHash, @csrfToken, @createdAt, @expiresAt)');
  const select = db.prepare<[string, number], SessionRow>('SELECT * FROM operator_sessions WHERE key = ? AND expires_at > ?');
  const touch = db.prepare('UPDATE operator_sessions SET expires_at = ? WHERE key = ?');
  const remove = db.prepare('DELETE FROM operator_sessions WHERE key = ?');
  const removeExpired = db.prepare('DELETE FROM operator_sessions WHERE expires_at <= ?');
  return {
    create(session) {
      return settle(() => {
        insert.run({ ...session, createdAt: session.createdAt.getTime(), expiresAt: session.expiresAt.getTime() });
      });
    },
    find(key, now) {
      return settle(() => {
        const row = select.get(key, now.getTime());
        return row ? toSession(row) : undefined;
      });
    },
    touch(key, expiresAt) {
      return settle(() => {
        touch.run(expiresAt.getTime(), key);
      });
    },
    delete(key) {
      return settle(() => {
        remove.run(key);
      });
    },
    deleteExpired(now) {
      return settle(() => removeExpired.run(now.getTime()).changes);
    },
  };
}
