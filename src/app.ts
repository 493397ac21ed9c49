import path from 'node:path';
import express, { type Express } from 'express';
import { AppError } from './errors';
import type { FormRegistry } from './forms/form-registry';
import { adminRouter, type AdminDependencies } from './http/admin-router';
import { authorityInboxRouter, type AuthorityInboxDependencies } from './http/authority-inbox-router';
import { formsRouter } from './http/forms-router';
import { openApiDocument } from './http/openapi';
import { errorHandler } from './http/problem';
import type { Pages } from './http/pages/create-pages';
import { submissionsRouter } from './http/submissions-router';
import { healthRouter, type Readiness } from './http/health-router';
import { metricsRouter } from './http/metrics-router';
import { routingApiRouter } from './http/routing-api-router';
import type { RoutingApi } from './routing-api/create-routing-api';
import type { Metrics } from './metrics/metrics';
import type { RateLimiter } from './http/rate-limit';
import type { Receipts } from './receipts/receipt-service';
import type { SubmissionService } from './submissions/submission-service';
import type { Logger } from './support/logger';

export interface AppDependencies {
  readonly forms: FormRegistry;
  readonly submissions: SubmissionService;
  readonly receipts: Receipts;
  readonly logger: Logger;
  readonly bodyLimitBytes: number;
  readonly version: string;
  readonly templatesDir: string;
  readonly pages: Pages;
  readonly inbox: AuthorityInboxDependencies;
  readonly admin: AdminDependencies;
  readonly metrics: Metrics;
  /** The FIT-Connect-shaped Routing API for state portals (/api/routes, /api/areas, /api/info). */
  readonly routingApi: RoutingApi;
  readonly rateLimiter: RateLimiter;
  /** express "trust proxy": whose X-Forwarded-For names the client (TRUSTED_PROXIES). */
  readonly trustedProxies: readonly string[];
  /** Protects /metrics on this app like the admin API (empty: /metrics answers 404 here). */
  readonly adminTokenHash: string;
  /** What /readyz checks: the store writable, the worker (if this process runs one) polling. */
  readonly readiness: Readiness;
}

/**
 * An express app with the settings and headers every efa-forms response gets. The benchmark
 * builds its hello-world baseline on this too, so the comparison is fair.
 */
export function baseApp(): Express {
  const app = express();
  app.disable('x-powered-by');
  // Responses carry personal data and are not cached (no-store); hashing each body for an ETag
  // would only cost time.
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.use((_req, res, next) => {
    res.set({
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer', // status URLs carry a token: never leak it in a Referer
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
    });
    next();
  });
  return app;
}

/** Builds the express app without listening, so tests exercise exactly what production runs. */
export function createApp(deps: AppDependencies): Express {
  const app = baseApp();
  // Without trusted proxies req.ip is the connection's address; X-Forwarded-For is ignored.
  app.set('trust proxy', deps.trustedProxies.length > 0 ? [...deps.trustedProxies] : false);
  // First, so that every answer (404s and errors included) is counted, by route pattern.
  app.use(deps.metrics.httpMiddleware());

  const openapi = openApiDocument(deps.version);
  app.use(healthRouter({ readiness: deps.readiness }));
  app.get('/api/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  app.use(formsRouter(deps.forms));
  app.use(routingApiRouter(deps.routingApi));
  app.use(submissionsRouter(deps.submissions, deps.receipts, deps.bodyLimitBytes, deps.rateLimiter));
  app.use(authorityInboxRouter(deps.inbox));
  app.use(adminRouter(deps.admin));
  app.use(metricsRouter({ metrics: deps.metrics, adminTokenHash: deps.adminTokenHash }));
  app.use('/assets', express.static(path.join(deps.templatesDir, 'assets'), { index: false, maxAge: '1h', redirect: false }));
  app.use(deps.pages.router);

  app.use((req, _res, next) => {
    next(new AppError('NOT_FOUND', `no route ${req.method} ${req.path}`));
  });
  app.use(errorHandler(deps.logger));
  return app;
}
