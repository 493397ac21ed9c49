import type { Express } from 'express';
import { createApp } from './app';
import type { Config } from './config/config-schema';
import { createDelivery } from './delivery/create-delivery';
import type { DeliveryWorker } from './delivery/delivery-worker';
import type { RetryPolicy } from './delivery/retry-policy';
import type { FormRegistry } from './forms/form-registry';
import type { RoutingTable } from './routing/routing-table';
import { loadOperatorFiles } from './operator-files';
import { createRoutingApi } from './routing-api/create-routing-api';
import type { Store } from './storage/ports';
import { openSqliteStore } from './storage/sqlite/sqlite-store';
import { createSubmissionLookup } from './submissions/submission-lookup';
import { createSubmissionService, type SubmissionService } from './submissions/submission-service';
import { DraftCleanup } from './drafts/draft-cleanup';
import { createDraftService } from './drafts/draft-service';
import { createMunicipalitySearch } from './routing/municipality-search';
import { createReceipts } from './receipts/receipt-service';
import { createReceiptRenderer } from './receipts/render-receipt';
import { createRateLimiter } from './http/rate-limit';
import { createMetrics, type Metrics } from './metrics/metrics';
import { countSubmissions, timeReceipts } from './metrics/instrumentation';
import { createPageFlow } from './forms/page-flow';
import { createPages } from './http/pages/create-pages';
import { workerStaleAfter } from './http/health-router';
import type { Logger } from './support/logger';

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
  readonly forms: FormRegistry;
  readonly routing: RoutingTable;
  readonly store: Store;
  readonly submissions: SubmissionService;
  readonly worker: DeliveryWorker;
  readonly draftCleanup: DraftCleanup;
  /** This process's metrics (served on /metrics of the app, or by main on METRICS_PORT). */
  readonly metrics: Metrics;
  /** Stops the worker (letting deliveries finish within timeoutMs) and closes the store. */
  close(timeoutMs: number): Promise<void>;
}

/**
 * The composition root: loads and checks forms and tenants (throwing StartupError on any
 * problem, before anything is opened), opens the store and wires services, worker and app.
 */
export async function createContainer(options: ContainerOptions): Promise<Container> {
  const { config, env, logger, product } = options;
  const now = options.now ?? (() => new Date());
  const random = options.random ?? Math.random;

  // Forms, tenants, credentials, templates, fonts and SITE_TENANT, checked as `efa-forms check` does.
  const { forms, routing, credentials, renderer, receiptFonts, siteTenant, mailTemplates, routingSigningKey, operatorAccess } = await loadOperatorFiles(config, env, logger);
  const store = openSqliteStore(config.dataDir);
  const metrics = createMetrics({ formIds: forms.ids(), deliveries: store.deliveries, now, logger });
  const receiptRenderer = timeReceipts(createReceiptRenderer(receiptFonts), metrics);
  const municipalities = createMunicipalitySearch(routing.tenants());
  const routingApi = createRoutingApi({ routing, forms, municipalities, signingKey: routingSigningKey, issuer: config.publicBaseUrl, now });
  const receipts = createReceipts({
    submissions: createSubmissionLookup(store), routing, forms, translator: renderer, municipalities, renderer: receiptRenderer,
  });
  const delivery = createDelivery({
    config, credentials, store, forms, routing, receipts, mailTemplates, logger, metrics, now, random, retryPolicy: options.retryPolicy,
  });
  const worker = delivery.worker;
  const submissions = countSubmissions(createSubmissionService({
    forms, routing, store, product, now, onAccepted: delivery.nudge, payloads: delivery.outbound,
  }), metrics);
  const drafts = createDraftService({ store, now, ttlDays: config.draftTtlDays });
  const draftCleanup = new DraftCleanup(drafts, logger);
  const rateLimiter = createRateLimiter({
    windowMs: config.rateLimitWindowSeconds * 1000,
    limits: { drafts: config.rateLimitDrafts, steps: config.rateLimitSteps, submissions: config.rateLimitSubmissions },
    now,
  });
  const app = createApp({
    routingApi, forms, submissions, receipts, logger, metrics, rateLimiter, trustedProxies: config.trustedProxies, adminTokenHash: config.adminTokenHash,
    readiness: {
      store,
      // main.ts starts this worker only with DELIVERY_WORKER=on; otherwise `npm run worker` delivers.
      worker: config.deliveryWorker ? worker : undefined,
      workerStaleAfterMs: workerStaleAfter(config.deliveryPollIntervalMs),
      logger,
    }, bodyLimitBytes: config.bodyLimitBytes, version: product.version, templatesDir: config.templatesDir,
    inbox: { inbox: store.inbox, submissions: store.submissions, receipts, keys: credentials.inboxKeys, outbound: delivery.outbound, now },
    admin: { deliveries: store.deliveries, submissions: store.submissions, adminTokenHash: config.adminTokenHash, now, nudge: delivery.nudge, routing, forms, access: operatorAccess, audit: store.operatorAudit },
    pages: createPages({
      forms, flow: createPageFlow({ routing, municipalities, translator: renderer }), renderer, drafts, submissions, routing, municipalities, siteTenant,
      secureCookies: config.production, bodyLimitBytes: config.bodyLimitBytes, publicBaseUrl: config.publicBaseUrl, logger, rateLimiter,
    }),
  });

  return {
    app,
    forms,
    routing,
    store,
    submissions,
    worker,
    draftCleanup,
    metrics,
    async close(timeoutMs: number) {
      await draftCleanup.stop();
      await delivery.close(timeoutMs);
      credentials.close();
      await store.close();
    },
  };
}
