import type { SubmissionRepository } from '../ports';
import type { PgClient } from './pg-client';
import { notYet } from './pg-not-yet';

export function pgSubmissions(_client: PgClient): SubmissionRepository {
  return notYet<SubmissionRepository>('pgSubmissions');
}
