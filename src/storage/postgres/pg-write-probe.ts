import type { PgClient } from './pg-client';

export function pgWriteProbe(_client: PgClient): (now: Date) => Promise<void> {
  return () => Promise.reject(new Error('probeWritable: not implemented on PostgreSQL yet'));
}
