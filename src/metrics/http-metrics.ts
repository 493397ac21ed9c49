import type { Request, RequestHandler } from 'express';
import { Counter, Histogram, type Registry } from 'prom-client';

const KNOWN_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * Route patterns are finite (they come from our code), but a router mounted on a pattern with
 * parameters would put the matched path into `req.baseUrl`. None is mounted like that today;
 * the cap keeps a future one from growing the label set (and the scrape) without bound.
 */
const MAX_ROUTE_LABELS = 100;

/** The express route pattern of a finished request, never its path (paths carry references and tokens). */
function routePattern(req: Request): string | undefined {
  // Express types `req.route` as any; it is the matched Route (with its pattern) or undefined.
  const pattern = (req.route as { path?: unknown } | undefined)?.path;
  return typeof pattern === 'string' ? `${req.baseUrl}${pattern}` : undefined;
}

/**
 * Counts requests and their latency by method, route pattern and status, taken when the
 * response has been sent. Requests that matched no route (404s, static assets, a 401 from a
 * router-wide guard) are `unmatched`; the client aborted ones (no `finish`) are not counted.
 */
export function httpMetrics(registry: Registry): () => RequestHandler {
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new Counter({
    name: 'efa_http_requests_total', help: 'HTTP requests answered, by method, express route pattern and status code.',
    labelNames, registers: [registry],
  });
  const duration = new Histogram({
    name: 'efa_http_request_duration_seconds', help: 'Time from receiving a request to having sent the response, in seconds.',
    labelNames, buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [registry],
  });
  const routes = new Set<string>();

  function routeLabel(req: Request): string {
    const pattern = routePattern(req);
    if (pattern === undefined) return 'unmatched';
    if (!routes.has(pattern)) {
      if (routes.size >= MAX_ROUTE_LABELS) return 'other';
      routes.add(pattern);
    }
    return pattern;
  }

  return () => (req, res, next) => {
    const end = duration.startTimer();
    res.on('finish', () => {
      const labels = {
        method: KNOWN_METHODS.has(req.method) ? req.method : 'other',
        route: routeLabel(req),
        status: String(res.statusCode),
      };
      end(labels);
      requests.inc(labels);
    });
    next();
  };
}
