import type Database from 'better-sqlite3';
import type { OperatorAuditEntry, OperatorAuditLog } from '../ports';
import { settler } from './settle';

interface AuditRow {
  at: number;
  actor: string;
  tenant_id: string | null;
  action: string;
  target: string | null;
  outcome: OperatorAuditEntry['outcome'];
  detail: string | null;
}

function toEntry(row: AuditRow): OperatorAuditEntry {
  const entry = { at: new Date(row.at), actor: row.actor, tenantId: row.tenant_id, action: row.action, target: row.target, outcome: row.outcome };
  return row.detail === null ? entry : { ...entry, detail: row.detail };
}

/** The operators' audit trail in SQLite: one row per action, newest read first by its sequence. */
export function sqliteOperatorAudit(db: Database.Database): OperatorAuditLog {
  const settle = settler(db);
  const insert = db.prepare(`
    INSERT INTO operator_audit (at, actor, tenant_id, action, target, outcome, detail)
    VALUES (@at, @actor, @tenantId, @action, @target, @outcome, @detail)`);
  const all = db.prepare<[number], AuditRow>('SELECT at, actor, tenant_id, action, target, outcome, detail FROM operator_audit ORDER BY seq DESC LIMIT ?');
  const ofTenant = db.prepare<[string, number], AuditRow>(
    'SELECT at, actor, tenant_id, action, target, outcome, detail FROM operator_audit WHERE tenant_id = ? ORDER BY seq DESC LIMIT ?');
  return {
    record(entry) {
      return settle(() => {
        insert.run({
          at: entry.at.getTime(), actor: entry.actor, tenantId: entry.tenantId, action: entry.action, target: entry.target,
          outcome: entry.outcome, detail: entry.detail ?? null,
        });
      });
    },
    list(filter) {
      return settle(() => (filter.tenantId === undefined ? all.all(filter.limit) : ofTenant.all(filter.tenantId, filter.limit)).map(toEntry));
    },
  };
}
