import type { Store } from '../ports';
import { createPgClient, type PgClientOptions } from './pg-client';
import { migratePostgres } from './pg-migrate';
import { pgSubmissions } from './pg-submissions';
import { pgDeliveries } from './pg-deliveries';
import { pgInbox } from './pg-inbox';
import { pgDrafts } from './pg-drafts';
import { pgOperatorAudit, pgOperatorSessions, pgTestLinks } from './pg-operators';
import { pgConfiguration } from './pg-configuration';
import { pgWriteProbe } from './pg-write-probe';

export type PostgresStoreOptions = PgClientOptions;

/**
 * The store on PostgreSQL (DATABASE_URL): the same ports as the SQLite adapter, checked by the
 * same contract suite (test/contract). Several processes and machines share one database: claims
 * take rows with FOR UPDATE SKIP LOCKED under leases; migrations run at start under an advisory
 * lock. The pool is bounded (DATABASE_POOL_SIZE) and every statement has a timeout.
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const client = createPgClient(options);
  try {
    await migratePostgres(client, 'DATABASE_URL');
  } catch (err) {
    await client.close();
    throw err;
  }
  const submissions = pgSubmissions(client);
  return {
    submissions,
    deliveries: pgDeliveries(client),
    inbox: pgInbox(client),
    drafts: pgDrafts(client),
    operatorAudit: pgOperatorAudit(client),
    operatorSessions: pgOperatorSessions(client),
    testLinks: pgTestLinks(client),
    configuration: pgConfiguration(client),
    probeWritable: pgWriteProbe(client),
    close: () => client.close(),
  };
}
