import type { Express } from 'express';
import { createApp } from './app';
import type { Config } from './config/config-schema';
import { createMailTransport } from './delivery/create-delivery';
import type { DeliveryWorker } from './delivery/delivery-worker';
import type { RetryPolicy } from './delivery/retry-policy';
import type { FormRegistry } from './forms/form-registry';
import type { RoutingTable } from './routing/routing-table';
import { createLiveConfiguration, type LiveConfiguration } from './live/live-configuration';
import { loadVersionedOperatorFiles } from './live/load-versioned';
import type { Store } from './storage/ports';
import { openStore } from './storage/open-store';
import type { SubmissionService } from './submissions/submission-service';
import { attachmentServiceFromSettings, type AttachmentService } from './attachments/attachment-service';
import { DraftCleanup } from './drafts/draft-cleanup';
import { RetentionCleanup } from './retention/retention-cleanup';
import { createDraftService } from './drafts/draft-service';
import { createRateLimiter } from './http/rate-limit';
import { createMetrics, type Metrics } from './metrics/metrics';
import { workerStaleAfter } from './http/health-router';
import type { Logger } from './support/logger';
import { createOperatorConsole } from './http/console/create-operator-console';
import { createReceiptRenderPool } from './receipts/render-pool';

export interface ContainerOptions {
  readonly config: Config;
  /** The environment, read only for the secret variables the tenant files name. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly logger: Logger;
  readonly product: { readonly name: string; readonly version: string };
  readonly now?: () => Date;
  readonly random?: () => number;
  readonly retryPolicy?: RetryPolicy;
}

export interface Container {
  readonly app: Express;
  /** The loaded forms and tenants, replaced by reload() (SIGHUP, POST /api/admin/reload). */
  readonly live: LiveConfiguration;
  /** The current set's forms, routing table and submission service (after a reload, the new set's). */
  readonly forms: FormRegistry;
  readonly routing: RoutingTable;
  readonly submissions: SubmissionService;
  readonly store: Store;
  readonly worker: DeliveryWorker;
  readonly draftCleanup: DraftCleanup;
  /** Uploaded documents (issue 15): the pages and the API take files in through it. */
  readonly attachments: AttachmentService;
  /** Deletes submissions' personal data after their retention period (started by both entry points). */
  readonly retentionCleanup: RetentionCleanup;
  /** This process's metrics (served on /metrics of the app, or by main on METRICS_PORT). */
  readonly metrics: Metrics;
  /** Stops the worker (letting deliveries finish within timeoutMs) and closes the store. */
  close(timeoutMs: number): Promise<void>;
}

/**
 * The composition root: loads and checks forms and tenants (throwing StartupError on any
 * problem, before anything is opened), opens the store and wires what lives as long as the
 * process (metrics, drafts, rate limits, mail transport) with the live configuration, which
 * builds the served set of forms and tenants (live/served-set.ts) now and on every reload.
 */
export async function createContainer(options: ContainerOptions): Promise<Container> {
  const { config, env, logger, product } = options;
  const now = options.now ?? (() => new Date());
  const random = options.random ?? Math.random;

  // Forms, tenants, credentials, templates, fonts and SITE_TENANT, checked as `efa-forms check` does.
  const initial = await loadVersionedOperatorFiles({ config, env, logger, now });
  const store = await openStore(config, logger);
  const metrics = createMetrics({ formIds: initial.files.forms.ids(), deliveries: store.deliveries, now, logger });
  const drafts = createDraftService({ store, now, ttlDays: config.draftTtlDays });
  const attachments = attachmentServiceFromSettings(config, store, now, logger);
  const draftCleanup = new DraftCleanup(drafts, logger, undefined, attachments, now);
  const rateLimiter = createRateLimiter({
    windowMs: config.rateLimitWindowSeconds * 1000,
    limits: { drafts: config.rateLimitDrafts, steps: config.rateLimitSteps, submissions: config.rateLimitSubmissions, 'sign-in': config.rateLimitSignIn },
    now,
  });
  const transport = createMailTransport(config);
  const receiptRenderer = config.receiptThreads > 0 ? createReceiptRenderPool(config.receiptThreads) : undefined;
  const live = createLiveConfiguration({
    initial, config, env, store, logger, metrics, rateLimiter, drafts, attachments, transport, product, now, random, retryPolicy: options.retryPolicy, receiptRenderer,
  });
  const retentionCleanup = new RetentionCleanup({
    submissions: store.submissions, forms: live.forms, defaultDays: config.retentionDays, intervalMinutes: config.retentionIntervalMinutes,
    now, logger, metrics, mail: transport, attachmentFiles: store.attachmentFiles,
  });
  const operatorConsole = createOperatorConsole({
    sets: live, reload: live, store, templates: initial.files.consoleTemplates, rateLimiter, logger, now, worker: live.worker,
    secureCookies: config.production, idleMinutes: config.consoleIdleMinutes,
  });
  const app = createApp({
    live, console: operatorConsole, audit: store.operatorAudit, now, logger, metrics, trustedProxies: config.trustedProxies, adminTokenHash: config.adminTokenHash,
    readiness: {
      store,
      // main.ts starts this worker only with DELIVERY_WORKER=on; otherwise `npm run worker` delivers.
      worker: config.deliveryWorker ? live.worker : undefined,
      workerStaleAfterMs: workerStaleAfter(config.deliveryPollIntervalMs),
      logger,
    }, version: product.version, templatesDir: config.templatesDir,
  });

  return {
    app,
    live,
    forms: live.forms,
    routing: live.routing,
    submissions: live.submissions,
    store,
    worker: live.worker,
    draftCleanup,
    attachments,
    retentionCleanup,
    metrics,
    async close(timeoutMs: number) {
      await Promise.all([draftCleanup.stop(), retentionCleanup.stop()]);
      // The worker first (deliveries finish), then every loaded set's agents, the mail transport, the store.
      await live.close(timeoutMs);
      await receiptRenderer?.close();
      transport.close();
      await store.close();
    },
  };
}
