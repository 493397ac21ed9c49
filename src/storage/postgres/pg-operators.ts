import type { OperatorAuditLog, OperatorSessionStore, TestLinkStore } from '../ports';
import type { PgClient } from './pg-client';
import { notYet } from './pg-not-yet';

export function pgOperatorAudit(_client: PgClient): OperatorAuditLog {
  return notYet<OperatorAuditLog>('pgOperatorAudit');
}
export function pgOperatorSessions(_client: PgClient): OperatorSessionStore {
  return notYet<OperatorSessionStore>('pgOperatorSessions');
}
export function pgTestLinks(_client: PgClient): TestLinkStore {
  return notYet<TestLinkStore>('pgTestLinks');
}
