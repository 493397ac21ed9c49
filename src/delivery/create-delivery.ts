import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Config } from '../config/config-schema';
import type { FormRegistry } from '../forms/form-registry';
import type { Metrics } from '../metrics/metrics';
import type { RoutingTable } from '../routing/routing-table';
import type { DeliveryQueue, Store, SubmissionRecord } from '../storage/ports';
import type { Logger } from '../support/logger';
import type { AuthorityCredentials } from './authority-credentials';
import { createChannelDispatcher, createHttpPush, type SendJob } from './channels';
import { DeliveryWorker, type DeliveryWorkerOptions } from './delivery-worker';
import type { PushTimeouts } from './http-channel';
import { createAuthorityEmail } from './email/authority-email';
import { createCitizenEmail } from './email/citizen-email';
import type { MailTemplates } from './email/mail-templates';
import { fileTransport, smtpTransport, type MailTransport } from './email/mail-transport';
import { createOutboundPayloads, type OutboundPayloads } from './outbound-payload';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy';
import { receiptFileName } from '../i18n/receipt-texts';

/**
 * Delivery in two halves, because operators reload forms and tenants while the process runs
 * (src/live/): the worker and the mail transport live as long as the process
 * (createDeliveryWorker, createMailTransport), while the channels, which read the routing table,
 * the forms and the authorities' credentials, are built per loaded set (createDeliveryChannels).
 * The worker sends each job through whatever sender it was given, so after a reload a queued job
 * goes out over the new set's channels, with the authority id and body it was stored with.
 */

/** The settings delivery reads (from the loaded Config). */
export type DeliveryConfig = Pick<Config,
  'deliveryTimeoutMs' | 'deliveryMinBytesPerSecond' | 'deliveryPollIntervalMs' | 'deliveryConcurrency' | 'deliveryGiveUpAfterHours' | 'mailFrom' | 'smtpUrl' | 'dataDir'
  | 'emailAttachmentMaxBytes' | 'publicBaseUrl' | 'attachmentMaxSubmissionBytes' | 'bodyLimitBytes'>;

/** Where the channels get a submission's PDF receipt from (rendered once and stored, receipts/receipt-service.ts). */
export interface DeliveryReceipts {
  receiptOf(record: SubmissionRecord): Promise<{ readonly reference: string; readonly pdf: Buffer }>;
}

/** SMTP with SMTP_URL, else .eml files under DATA_DIR/mail; shared by every loaded set, closed once. */
export function createMailTransport(config: Pick<DeliveryConfig, 'smtpUrl' | 'dataDir'>): MailTransport {
  return config.smtpUrl ? smtpTransport(config.smtpUrl) : fileTransport(path.join(config.dataDir, 'mail'));
}

/** What one loaded set's channels are built from (nothing here reads files). */
export interface DeliveryChannelDependencies {
  readonly config: Pick<DeliveryConfig, 'mailFrom' | 'emailAttachmentMaxBytes' | 'publicBaseUrl'> & PushConfig;
  /** The set's secrets, agents and encryption keys (loadAuthorityCredentials); closed by whoever loaded them. */
  readonly credentials: Pick<AuthorityCredentials, 'secretOf' | 'agentOf' | 'encrypterOf' | 'inboxKeys'>;
  readonly store: Store;
  readonly forms: FormRegistry;
  readonly routing: RoutingTable;
  readonly receipts: DeliveryReceipts;
  /** From loadMailTemplates, before the store was opened. */
  readonly mailTemplates: MailTemplates;
  /** The process's mail transport (createMailTransport). */
  readonly transport: MailTransport;
  readonly logger: Logger;
  readonly now: () => Date;
}

/**
 * The time limits of an http push: DELIVERY_TIMEOUT_MS, and for a push with files its body's size
 * at DELIVERY_MIN_BYTES_PER_SECOND on top (http-channel.ts, pushTimeLimitMs), up to
 * longestPushMs. The worker renews its lease while such a push runs (delivery-worker.ts).
 */
export function pushTimeouts(config: PushConfig): PushTimeouts {
  return { timeoutMs: config.deliveryTimeoutMs, minBytesPerSecond: config.deliveryMinBytesPerSecond, maxTimeoutMs: longestPushMs(config) };
}

/** What the limits of a push are computed from. */
type PushConfig = Pick<DeliveryConfig, 'deliveryTimeoutMs' | 'deliveryMinBytesPerSecond' | 'attachmentMaxSubmissionBytes' | 'bodyLimitBytes'>;

/**
 * The most time any push is given: DELIVERY_TIMEOUT_MS plus the largest body a push can have at
 * the minimum rate. That body is a submission's files (ATTACHMENT_MAX_SUBMISSION_BYTES) and its
 * payload (answers of at most BODY_LIMIT, as XML), each possibly a JWE, whose base64url is 4/3 of
 * the bytes, with a few hundred bytes of part headers per file: twice the sum, plus 1 MiB, is
 * more than that. A bound, so that the worker's own limit on the attempt (attemptTimeoutMs) is
 * always the longer one, even for a body this estimate did not foresee.
 */
export function longestPushMs(config: PushConfig): number {
  const largestBody = 2 * (config.attachmentMaxSubmissionBytes + config.bodyLimitBytes) + 1024 * 1024;
  return config.deliveryTimeoutMs + Math.ceil((largestBody * 1000) / config.deliveryMinBytesPerSecond);
}

/** One loaded set's side of delivery: what leaves to an authority, and how. */
export interface DeliveryChannels {
  /** What leaves to an authority, plain or sealed: for the submission service and the inbox. */
  readonly outbound: OutboundPayloads;
  /** The channel dispatcher alone (http push, the authority's and the applicant's e-mail), for a job as it is. */
  readonly dispatch: SendJob;
  /** What the worker calls: a job stored plain before its authority got a key is sealed first, then dispatched. */
  readonly send: SendJob;
}

/**
 * Builds the outbound-payload service and the channels (http push, the authority's and the
 * applicant's e-mail) of one loaded set of forms and tenants.
 */
export function createDeliveryChannels(deps: DeliveryChannelDependencies): DeliveryChannels {
  const { config, credentials, store, forms, routing, receipts, mailTemplates, transport, logger, now } = deps;
  const outbound = createOutboundPayloads({
    encrypterOf: credentials.encrypterOf, submissions: store.submissions, deliveries: store.deliveries,
    attachments: store.attachments, attachmentFiles: store.attachmentFiles,
  });
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
    maxAttachmentBytes: config.emailAttachmentMaxBytes,
    publicBaseUrl: config.publicBaseUrl,
    attachments: store.attachments, now,
    canFetchFiles: (authorityId) => credentials.inboxKeys.some((k) => k.authorityId === authorityId),
  });
  const dispatch = createChannelDispatcher({
    http: createHttpPush({ routing, outbound, secretOf: credentials.secretOf, agentOf: credentials.agentOf, now, ...pushTimeouts(config) }),
    email: authorityEmail,
    citizenEmail,
  });
  return {
    outbound,
    dispatch,
    send: async (job) => dispatch(await outbound.ensureSealed(job)),
  };
}

/** Whoever sends a claimed job: the currently loaded set (src/live/). */
export interface JobSender {
  send(job: Parameters<SendJob>[0]): ReturnType<SendJob>;
}

/** What the long-lived worker is built from. */
export interface DeliveryWorkerDependencies {
  readonly config: Pick<DeliveryConfig, 'deliveryPollIntervalMs' | 'deliveryConcurrency' | 'deliveryGiveUpAfterHours'> & PushConfig;
  readonly store: Pick<Store, 'deliveries'>;
  /** Asked for every claimed job; it decides the channel (a set's DeliveryChannels.send). */
  readonly sender: JobSender;
  readonly logger: Logger;
  readonly metrics: Pick<Metrics, 'deliveryAttempt'>;
  readonly now: () => Date;
  readonly random: () => number;
  /** Default: DEFAULT_RETRY_POLICY. */
  readonly retryPolicy?: RetryPolicy | undefined;
  /** This worker's lease owner, unique per process; default: `<pid>-<random UUID>`. */
  readonly ownerId?: string | undefined;
}

/**
 * A worker that also wakes when the store hears of new jobs committed by any process
 * (DeliveryQueue.onNewJobs, PostgreSQL's NOTIFY): subscribed while it runs, so a process whose
 * worker is never started (a web process with DELIVERY_WORKER off) opens no listening connection.
 */
class ListeningDeliveryWorker extends DeliveryWorker {
  private unsubscribe: (() => void) | undefined;

  constructor(options: DeliveryWorkerOptions, private readonly onNewJobs: DeliveryQueue['onNewJobs']) {
    super(options);
  }

  override start(): void {
    if (!this.isRunning()) this.unsubscribe ??= this.onNewJobs?.(() => this.nudge());
    super.start();
  }

  override stop(timeoutMs: number): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    return super.stop(timeoutMs);
  }
}

/** The outbox worker (started by the entry points, not here); one per process. */
export function createDeliveryWorker(deps: DeliveryWorkerDependencies): DeliveryWorker {
  const { config, sender } = deps;
  const queue = deps.store.deliveries;
  return new ListeningDeliveryWorker({
    queue,
    send: (job) => sender.send(job),
    logger: deps.logger,
    now: deps.now,
    random: deps.random,
    retryPolicy: deps.retryPolicy ?? DEFAULT_RETRY_POLICY,
    ownerId: deps.ownerId ?? `${process.pid}-${randomUUID()}`,
    pollIntervalMs: config.deliveryPollIntervalMs,
    concurrency: config.deliveryConcurrency,
    timeoutMs: config.deliveryTimeoutMs,
    // An http push may take its longest plus DELIVERY_TIMEOUT_MS for what comes before the
    // request (reading the files once to sign them, sealing them), so the push's own limit ends it
    // first; the other channels keep DELIVERY_TIMEOUT_MS.
    attemptTimeoutMs: (job) => (job.channel === 'http' ? longestPushMs(config) + config.deliveryTimeoutMs : config.deliveryTimeoutMs),
    giveUpAfterMs: config.deliveryGiveUpAfterHours * 3_600_000,
    metrics: deps.metrics,
  }, queue.onNewJobs?.bind(queue));
}
