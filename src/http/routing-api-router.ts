import { Router, type Request } from 'express';
import { AppError } from '../errors';
import type { LocalizedText } from '../i18n/language';
import { ONE_AREA_PARAMETER_DETAIL, ROUTING_PARAMETER_DETAILS } from '../i18n/routing-api-texts';
import type { RoutingApi } from '../routing-api/create-routing-api';
import { checkAreasQuery, checkRoutesQuery, type Checked } from '../routing-api/query-parameters';

/** What a routing answer may be cached for: it changes only when tenant files are loaded (a start or a reload). */
const CACHE_CONTROL = 'public, max-age=300';

function detailOf(parameter: string): LocalizedText {
  return parameter in ROUTING_PARAMETER_DETAILS
    ? ROUTING_PARAMETER_DETAILS[parameter as keyof typeof ROUTING_PARAMETER_DETAILS]
    : ONE_AREA_PARAMETER_DETAIL;
}

/** The checked query, or a 400 problem naming the parameter (FIT-Connect's `error`, RFC 7807). */
function valid<T>(checked: Checked<T>, req: Request): T {
  if (checked.ok) return checked.value;
  throw new AppError('INVALID_PARAMETER', `routing api: bad ${checked.parameter} on ${req.path}`, { detail: detailOf(checked.parameter) });
}

/**
 * The Routing API in the shape of FIT-Connect's (v2): /api/routes, /api/areas, /api/info, and
 * the key that verifies each route's destinationSignature at /.well-known/jwks.json. Public,
 * like FIT-Connect's: it tells who is responsible, nothing about any application.
 */
export function routingApiRouter(api: RoutingApi): Router {
  const router = Router();

  router.get('/api/routes', async (req, res) => {
    const query = valid(checkRoutesQuery(req.query), req);
    res.set('cache-control', CACHE_CONTROL).json(await api.routes(query));
  });

  router.get('/api/areas', (req, res) => {
    const query = valid(checkAreasQuery(req.query), req);
    res.set('cache-control', CACHE_CONTROL).json(api.areas(query));
  });

  router.get('/api/info', (_req, res) => {
    res.json(api.info());
  });

  router.get('/.well-known/jwks.json', async (_req, res) => {
    res.set('cache-control', CACHE_CONTROL).json(await api.jwks());
  });

  return router;
}
