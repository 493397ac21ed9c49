import type { DraftRepository } from '../ports';
import type { PgClient } from './pg-client';
import { notYet } from './pg-not-yet';

export function pgDrafts(_client: PgClient): DraftRepository {
  return notYet<DraftRepository>('pgDrafts');
}
