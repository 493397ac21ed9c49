import path from 'node:path';
import express, { type Express } from 'express';
import { AppError } from './errors';
import { adminConfigRouter } from './http/admin-config-router';
import { openApiDocument } from './http/openapi';
import { errorHandler } from './http/problem';
import { healthRouter, type Readiness } from './http/health-router';
import { metricsRouter } from './http/metrics-router';
import type { LiveConfiguration } from './live/live-configuration';
import type { Metrics } from './metrics/metrics';
import type { OperatorAuditLog } from './storage/ports';
import type { Logger } from './support/logger';
import type { OperatorConsole } from './http/console/create-operator-console';

export interface AppDependencies {
  readonly logger: Logger;
  readonly version: string;
  readonly templatesDir: string;
  /**
   * The loaded forms and tenants. Each request is handed to the router of the set that is current
   * when it arrives (forms, Routing API, submissions, authority inbox, admin, pages: see
   * live/served-set.ts) and finishes there, even if a reload replaces the set meanwhile.
   */
  readonly live: Pick<LiveConfiguration, 'current' | 'reload' | 'versions' | 'operatorAccess'>;
  /** Where reloads are recorded (who, outcome; no personal data). */
  readonly audit: OperatorAuditLog;
  readonly now: () => Date;
  readonly metrics: Metrics;
  /** express "trust proxy": whose X-Forwarded-For names the client (TRUSTED_PROXIES). */
  readonly trustedProxies: readonly string[];
  /** Protects /metrics on this app like the admin API (empty: /metrics answers 404 here). */
  readonly adminTokenHash: string;
  /** What /readyz checks: the store writable, the worker (if this process runs one) polling. */
  readonly readiness: Readiness;
  /** The operator console under /admin (its own pages, sessions and CSRF). */
  readonly console: OperatorConsole;
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

/**
 * Builds the express app without listening, so tests exercise exactly what production runs. What
 * does not depend on the forms and tenants (health, OpenAPI, metrics, assets, reload) is mounted
 * here; everything else is the current served set's router.
 */
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
  // Reload and the loaded versions live beside the sets they replace, not inside one.
  app.use(adminConfigRouter({ configuration: deps.live, audit: deps.audit, now: deps.now }));
  app.use(metricsRouter({ metrics: deps.metrics, adminTokenHash: deps.adminTokenHash }));
  app.use('/assets', express.static(path.join(deps.templatesDir, 'assets'), { index: false, maxAge: '1h', redirect: false }));
  // After /assets (its pages load /assets/console.css), before the citizen pages.
  app.use(deps.console.router);
  // The set is picked once per request: its router's closures hold that set's objects only.
  app.use((req, res, next) => {
    deps.live.current().router(req, res, next);
  });

  app.use((req, _res, next) => {
    next(new AppError('NOT_FOUND', `no route ${req.method} ${req.path}`));
  });
  app.use(errorHandler(deps.logger));
  return app;
}
