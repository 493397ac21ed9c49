import { createServer, type Server } from 'node:http';
import express, { Router, type Express, type RequestHandler } from 'express';
import { AppError } from '../errors';
import { requireAdminToken } from './admin-router';
import { errorHandler } from './problem';
import type { Logger } from '../support/logger';
import type { Metrics } from '../metrics/metrics';

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

export interface MetricsServerTimeouts {
  /** Time a client has to send the complete request headers (HTTP_HEADERS_TIMEOUT_MS). */
  readonly headersTimeoutMs: number;
  /** Time a client has to send the complete request (HTTP_REQUEST_TIMEOUT_MS). */
  readonly requestTimeoutMs: number;
  /** Idle time after a response before a kept-alive connection is closed (HTTP_KEEP_ALIVE_TIMEOUT_MS). */
  readonly keepAliveTimeoutMs: number;
}

/**
 * Starts the metrics app on its own port with the same timeouts as the public server, rather than
 * Node's defaults (a 5-minute request timeout, checked every 30 s): a client that opens
 * connections and sends its headers slowly cannot keep them open for long. Node checks the header
 * and request timeouts every `connectionsCheckingInterval`, so that is at most 1 s here.
 */
export function listenMetrics(app: Express, port: number, host: string, timeouts: MetricsServerTimeouts): Server {
  const server = createServer(
    {
      headersTimeout: timeouts.headersTimeoutMs,
      requestTimeout: timeouts.requestTimeoutMs,
      keepAliveTimeout: timeouts.keepAliveTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, timeouts.headersTimeoutMs),
    },
    app,
  );
  return server.listen(port, host);
}
