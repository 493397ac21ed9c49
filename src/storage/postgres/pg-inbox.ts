import type { AuthorityInboxStore } from '../ports';
import type { PgClient } from './pg-client';
import { notYet } from './pg-not-yet';

export function pgInbox(_client: PgClient): AuthorityInboxStore {
  return notYet<AuthorityInboxStore>('pgInbox');
}
