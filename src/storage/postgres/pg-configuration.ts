import type { ConfigurationGenerationStore } from '../ports';
import type { PgClient } from './pg-client';
import { notYet } from './pg-not-yet';

export function pgConfiguration(_client: PgClient): ConfigurationGenerationStore {
  return notYet<ConfigurationGenerationStore>('pgConfiguration');
}
