import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Config } from '../config/config-schema';
import type { FormRegistry } from '../forms/form-registry';
import type { Metrics } from '../metrics/metrics';
import type { RoutingTable } from '../routing/routing-table';
import type { Store, SubmissionRecord } from '../storage/ports';
import type { Logger } from '../support/logger';
import type { AuthorityCredentials } from './authority-credentials';
import { createChannelDispatcher, createHttpPush } from './channels';
import { DeliveryWorker } from './delivery-worker';
import { createAuthorityEmail } from './email/authority-email';
import { createCitizenEmail } from './email/citizen-email';
import type { MailTemplates } from './email/mail-templates';
import { fileTransport, smtpTransport } from './email/mail-transport';
import { createOutboundPayloads, type OutboundPayloads } from './outbound-payload';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy';
import { receiptFileName } from '../i18n/receipt-texts';

/** The settings delivery reads (from the loaded Config). */
export type DeliveryConfig = Pick<Config,
  'deliveryTimeoutMs' | 'deliveryPollIntervalMs' | 'deliveryConcurrency' | 'deliveryGiveUpAfterHours' | 'mailFrom' | 'smtpUrl' | 'dataDir'>;

/** Where the channels get a submission's PDF receipt from (rendered on demand). */
export interface DeliveryReceipts {
  receiptOf(record: SubmissionRecord): Promise<{ readonly reference: string; readonly pdf: Buffer }>;
}

/** Everything delivery is built from, loaded and checked before (nothing here reads files). */
export interface DeliveryDependencies {
  readonly config: DeliveryConfig;
  /** The authorities' secrets, agents, encryption keys (loadAuthorityCredentials); closed by whoever loaded them. */
  readonly credentials: Pick<AuthorityCredentials, 'secretOf' | 'agentOf' | 'encrypterOf'>;
  readonly store: Store;
  readonly forms: FormRegistry;
  readonly routing: RoutingTable;
  readonly receipts: DeliveryReceipts;
  /** From loadMailTemplates, before the store was opened. */
  readonly mailTemplates: MailTemplates;
  readonly logger: Logger;
  readonly metrics: Pick<Metrics, 'deliveryAttempt'>;
  readonly now: () => Date;
  readonly random: () => number;
  /** Default: DEFAULT_RETRY_POLICY. */
  readonly retryPolicy?: RetryPolicy | undefined;
  /** This worker's lease owner, unique per process; default: `<pid>-<random UUID>`. */
  readonly ownerId?: string | undefined;
}

/** The delivery of accepted submissions: what leaves, over which channel, by which worker. */
export interface Delivery {
  /** The outbox worker (started by the entry points, not here). */
  readonly worker: DeliveryWorker;
  /** What leaves to an authority, plain or sealed: for the submission service and the inbox. */
  readonly outbound: OutboundPayloads;
  /** Asks the worker for a poll now (a no-op while it is stopped); may be passed on as it is. */
  readonly nudge: () => void;
  /** Stops the worker (letting deliveries finish within timeoutMs), then closes the mail transport. */
  close(timeoutMs: number): Promise<void>;
}

/**
 * Builds the outbound-payload service, the channels (http push, the authority's and the
 * applicant's e-mail) and the worker that sends each due job, sealed first where the authority
 * has a key by now. Without SMTP_URL e-mails become .eml files under DATA_DIR/mail.
 */
export function createDelivery(deps: DeliveryDependencies): Delivery {
  const { config, credentials, store, forms, routing, receipts, mailTemplates, logger, now } = deps;
  const outbound = createOutboundPayloads({ encrypterOf: credentials.encrypterOf, submissions: store.submissions, deliveries: store.deliveries });
  const transport = config.smtpUrl ? smtpTransport(config.smtpUrl) : fileTransport(path.join(config.dataDir, 'mail'));
  const citizenEmail = createCitizenEmail({
    store, forms, routing, templates: mailTemplates.citizen, transport, from: config.mailFrom, logger,
    attachments: async (record) => {
      const receipt = await receipts.receiptOf(record);
      return [{ filename: receiptFileName(receipt.reference), content: receipt.pdf, contentType: 'application/pdf' }];
    },
  });
  const authorityEmail = createAuthorityEmail({
    submissions: store.submissions, forms, routing, templates: mailTemplates.authority, transport, from: config.mailFrom, logger,
    receipt: async (record) => (await receipts.receiptOf(record)).pdf,
    outbound,
  });
  const dispatch = createChannelDispatcher({
    http: createHttpPush({ routing, secretOf: credentials.secretOf, agentOf: credentials.agentOf, timeoutMs: config.deliveryTimeoutMs, now }),
    email: authorityEmail,
    citizenEmail,
  });
  const worker = new DeliveryWorker({
    queue: store.deliveries,
    // A job stored plain before its authority got a key is sealed before it is sent.
    send: async (job) => dispatch(await outbound.ensureSealed(job)),
    logger,
    now,
    random: deps.random,
    retryPolicy: deps.retryPolicy ?? DEFAULT_RETRY_POLICY,
    ownerId: deps.ownerId ?? `${process.pid}-${randomUUID()}`,
    pollIntervalMs: config.deliveryPollIntervalMs,
    concurrency: config.deliveryConcurrency,
    timeoutMs: config.deliveryTimeoutMs,
    giveUpAfterMs: config.deliveryGiveUpAfterHours * 3_600_000,
    metrics: deps.metrics,
  });

  return {
    worker,
    outbound,
    nudge: () => worker.nudge(),
    async close(timeoutMs) {
      await worker.stop(timeoutMs);
      transport.close();
    },
  };
}
