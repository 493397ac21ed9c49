import { Router } from 'express';
import type { Config } from '../config/config-schema';
import { createDeliveryChannels, type DeliveryChannels } from '../delivery/create-delivery';
import type { MailTransport } from '../delivery/email/mail-transport';
import type { AttachmentService } from '../attachments/attachment-service';
import type { DraftService } from '../drafts/draft-service';
import type { FormRegistry } from '../forms/form-registry';
import { createPageFlow } from '../forms/page-flow';
import type { LoadedVersions } from '../http/admin-config-router';
import { adminRouter } from '../http/admin-router';
import { adminTestRouter } from '../http/admin-test-router';
import { authorityInboxRouter } from '../http/authority-inbox-router';
import { formsRouter } from '../http/forms-router';
import { createPages } from '../http/pages/create-pages';
import type { RateLimiter } from '../http/rate-limit';
import { routingApiRouter } from '../http/routing-api-router';
import { attachmentsRouter } from '../http/attachments-router';
import { submissionsRouter } from '../http/submissions-router';
import { countSubmissions, timeReceipts } from '../metrics/instrumentation';
import type { Metrics } from '../metrics/metrics';
import type { OperatorFiles } from '../operator-files';
import type { OperatorAccess } from '../operators/operator-access';
import { createReceipts, type Receipts } from '../receipts/receipt-service';
import { createReceiptRenderer, type ReceiptRenderer } from '../receipts/render-receipt';
import { createMunicipalitySearch } from '../routing/municipality-search';
import type { RoutingTable } from '../routing/routing-table';
import { createRoutingApi } from '../routing-api/create-routing-api';
import type { Store } from '../storage/ports';
import { createSubmissionLookup } from '../submissions/submission-lookup';
import { createSubmissionService, type SubmissionService } from '../submissions/submission-service';
import type { Logger } from '../support/logger';
import { createTestDeliveries, type TestDeliveries } from '../test-delivery/test-delivery';
import { createTestLinks, type TestLinks } from '../test-delivery/test-links';

/**
 * Everything built from one load of the operator files (forms, tenants, credentials, templates,
 * fonts, signing key): served until a reload replaces it. A request runs entirely on the set it
 * started on, because the set's router closes over this set's objects only.
 */
export interface ServedSet {
  readonly files: OperatorFiles;
  /** Which version of every form and tenant file this set was built from. */
  readonly versions: LoadedVersions;
  readonly forms: FormRegistry;
  readonly routing: RoutingTable;
  readonly access: OperatorAccess;
  readonly submissions: SubmissionService;
  readonly receipts: Receipts;
  /** Outbound payloads and this set's channels (the worker sends through `send`). */
  readonly delivery: DeliveryChannels;
  /** Test payloads over an authority's real channel, with this set's channels and keys. */
  readonly testDeliveries: TestDeliveries;
  /** Testers' links for this set's authorities. */
  readonly testLinks: TestLinks;
  /** The per-set routes: forms, Routing API, submissions and receipts, authority inbox, admin, pages. */
  readonly router: Router;
  /** Closes the set's keep-alive agents; called once no request or delivery can still use them. */
  close(): void;
}

/** What lives as long as the process and every set shares. */
export interface ServedSetDependencies {
  readonly config: Config;
  readonly store: Store;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly rateLimiter: RateLimiter;
  readonly drafts: DraftService;
  /** Uploaded documents (issue 15): taken in on the pages and the API, checked and claimed by submissions. */
  readonly attachments: AttachmentService;
  readonly transport: MailTransport;
  readonly product: { readonly name: string; readonly version: string };
  readonly now: () => Date;
  /** Asks the delivery worker for a poll now (after an accepted submission or a retry). */
  readonly nudge: () => void;
  /** The process's render threads (RECEIPT_THREADS); without them, receipts render on the event loop with the set's fonts. */
  readonly receiptRenderer?: ReceiptRenderer | undefined;
}

/** Builds one served set from loaded operator files: the wiring container.ts did before reloads existed. */
export function buildServedSet(files: OperatorFiles, versions: LoadedVersions, deps: ServedSetDependencies): ServedSet {
  const { config, store, logger, metrics, now, nudge } = deps;
  const { forms, routing, credentials, renderer, receiptFonts, siteTenant, mailTemplates, routingSigningKey, operatorAccess } = files;
  const municipalities = createMunicipalitySearch(routing.tenants());
  const routingApi = createRoutingApi({ routing, forms, municipalities, signingKey: routingSigningKey, issuer: config.publicBaseUrl, now });
  const receipts = createReceipts({
    submissions: createSubmissionLookup(store), routing, forms, translator: renderer, municipalities,
    renderer: timeReceipts(deps.receiptRenderer ?? createReceiptRenderer(receiptFonts), metrics), stored: store.receipts, attachments: store.attachments,
  });
  const delivery = createDeliveryChannels({
    config, credentials, store, forms, routing, receipts, mailTemplates, transport: deps.transport, logger, now,
  });
  const submissions = countSubmissions(createSubmissionService({
    forms, routing, store, product: deps.product, now, onAccepted: nudge, payloads: delivery.outbound, attachments: deps.attachments,
  }), metrics);
  const testDeliveries = createTestDeliveries({
    formsDir: config.formsDir, forms, routing, store, outbound: delivery.outbound, send: delivery.dispatch, product: deps.product, now, logger,
    timeoutMs: config.deliveryTimeoutMs,
  });
  const testLinks = createTestLinks({ store, routing, now });
  const pages = createPages({
    forms, flow: createPageFlow({ routing, municipalities, translator: renderer }), renderer, drafts: deps.drafts, submissions, routing, municipalities, siteTenant,
    secureCookies: config.production, bodyLimitBytes: config.bodyLimitBytes, publicBaseUrl: config.publicBaseUrl, logger, rateLimiter: deps.rateLimiter,
    testLinks, attachments: deps.attachments,
  });

  const router = Router();
  router.use(formsRouter(forms));
  router.use(routingApiRouter(routingApi));
  router.use(attachmentsRouter(forms, deps.attachments, deps.rateLimiter));
  router.use(submissionsRouter(submissions, receipts, config.bodyLimitBytes, deps.rateLimiter));
  router.use(authorityInboxRouter({ inbox: store.inbox, submissions: store.submissions, receipts, keys: credentials.inboxKeys, outbound: delivery.outbound, deliveries: store.deliveries, attachments: store.attachments, now, logger }));
  router.use(adminRouter({
    deliveries: store.deliveries, submissions: store.submissions, adminTokenHash: config.adminTokenHash, now, nudge, routing, forms, access: operatorAccess, audit: store.operatorAudit,
  }));
  router.use(adminTestRouter({
    access: operatorAccess, routing, deliveries: store.deliveries, testDeliveries, testLinks, publicBaseUrl: config.publicBaseUrl,
  }));
  router.use(pages.router);

  return {
    files, versions, forms, routing, access: operatorAccess, submissions, receipts, delivery, testDeliveries, testLinks, router,
    close: () => credentials.close(),
  };
}
