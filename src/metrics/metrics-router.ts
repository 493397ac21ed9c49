import express, { Router, type Express, type RequestHandler } from 'express';
import { AppError } from '../errors';
import { requireAdminToken } from '../http/admin-router';
import { errorHandler } from '../http/problem';
import type { Logger } from '../support/logger';
import type { Metrics } from './metrics';

type Exposition = Pick<Metrics, 'contentType' | 'text'>;

export interface MetricsRouterOptions {
  readonly metrics: Exposition;
  /** SHA-256 (hex) of the admin token (ADMIN_TOKEN_HASH); empty: /metrics is off on this app. */
  readonly adminTokenHash: string;
}

function serveMetrics(metrics: Exposition): RequestHandler {
  return async (_req, res) => {
    const body = await metrics.text();
    res.status(200).set('cache-control', 'no-store').type(metrics.contentType).send(body);
  };
}

/**
 * GET /metrics on the public app, behind the admin API's bearer-token check (401 problem+json
 * without or with a wrong token). Without an admin token hash it answers 404: the numbers
 * (volumes per form, backlog) are not for the public, and a separate port (metricsApp) is the
 * way to scrape without a token.
 */
export function metricsRouter(options: MetricsRouterOptions): Router {
  const router = Router();
  if (options.adminTokenHash === '') {
    router.get('/metrics', () => {
      throw new AppError('NOT_FOUND', 'metrics: off on this port (no ADMIN_TOKEN_HASH)');
    });
    return router;
  }
  // The check is part of the route, so refused scrapes are counted under route "/metrics" too.
  router.get('/metrics', requireAdminToken(options.adminTokenHash, 'metrics: no or wrong token'), serveMetrics(options.metrics));
  return router;
}

/**
 * An app serving only GET /metrics, without a token, for a port of its own that only the
 * monitoring network reaches (never publish it). Everything else is a 404 problem document;
 * errors go through the same error handler (and log line) as the main app.
 */
export function metricsApp(metrics: Exposition, logger: Logger): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use((_req, res, next) => {
    res.set('x-content-type-options', 'nosniff');
    next();
  });
  app.get('/metrics', serveMetrics(metrics));
  app.use((_req, _res, next) => {
    next(new AppError('NOT_FOUND', 'metrics port: no such route'));
  });
  app.use(errorHandler(logger));
  return app;
}
