import { pgAttachments } from './pg-attachments';
import { pgAttachmentFiles } from './pg-attachment-files';
import type { Store } from '../ports';
import { createPgClient, type PgClientOptions } from './pg-client';
import { migratePostgres } from './pg-migrate';
import { createPgJobAnnouncer } from './pg-job-announcer';
import { pgSubmissions } from './pg-submissions';
import { pgDeliveries } from './pg-deliveries';
import { pgInbox } from './pg-inbox';
import { pgDrafts } from './pg-drafts';
import { pgOperatorAudit, pgOperatorSessions, pgTestLinks } from './pg-operators';
import { pgConfiguration } from './pg-configuration';
import { pgReceipts } from './pg-receipts';
import { pgWriteProbe } from './pg-write-probe';
import { createPgJobListener } from './pg-listener';
import type { Logger } from '../../support/logger';

export interface PostgresStoreOptions extends PgClientOptions {
  /** Told when the jobs listener's connection is lost and back (no data); optional. */
  readonly logger?: Logger | undefined;
}

/**
 * The store on PostgreSQL (DATABASE_URL): the same ports as the SQLite adapter, checked by the
 * same contract suite (test/contract). Several processes and machines share one database: claims
 * take rows with FOR UPDATE SKIP LOCKED under leases; migrations run at start under an advisory
 * lock. The pool is bounded (DATABASE_POOL_SIZE) and every statement has a timeout. New jobs are
 * announced with NOTIFY efa_jobs and heard on one connection of its own, opened with the first
 * onNewJobs subscriber (a web process without a worker never opens it).
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const client = createPgClient(options);
  try {
    await migratePostgres(client, 'DATABASE_URL');
  } catch (err) {
    await client.close();
    throw err;
  }
  const announcer = createPgJobAnnouncer(client);
  const submissions = pgSubmissions(client, announcer);
  const jobListener = createPgJobListener({ url: options.url, schema: options.schema, logger: options.logger });
  return {
    submissions,
    deliveries: { ...pgDeliveries(client), onNewJobs: (listener) => jobListener.subscribe(listener) },
    inbox: pgInbox(client),
    drafts: pgDrafts(client),
    operatorAudit: pgOperatorAudit(client),
    operatorSessions: pgOperatorSessions(client),
    testLinks: pgTestLinks(client),
    configuration: pgConfiguration(client),
    receipts: pgReceipts(client),
    attachments: pgAttachments(client),
    attachmentFiles: pgAttachmentFiles(client),
    probeWritable: pgWriteProbe(client),
    close: async () => {
      await announcer.idle();
      await Promise.all([jobListener.close(), client.close()]);
    },
  };
}
