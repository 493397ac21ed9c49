import type express from 'express';
import { AppError } from '../../errors';
import type { FormRegistry } from '../../forms/form-registry';
import type { Logger } from '../../support/logger';
import { logStorageUnavailable, STORAGE_RETRY_AFTER_SECONDS, toAppError } from '../problem';
import { pageLanguage } from './page-frame';
import type { PageViews } from './page-views';

/** Errors on pages get pages, not problem documents: a readable message with the right status. */
export function pageErrorHandler(deps: { readonly forms: FormRegistry; readonly views: Pick<PageViews, 'renderMessage'>; readonly logger: Logger }): express.ErrorRequestHandler {
  const { views } = deps;
  return (err: unknown, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const form = deps.forms.get(String((req.params as { id?: string }).id ?? ''));
    if (err instanceof AppError && err.status === 404) {
      views.renderMessage(req, res, 404, 'notFound', form);
      return;
    }
    // The limiter has set Retry-After already.
    if (err instanceof AppError && err.code === 'RATE_LIMITED') {
      views.renderMessage(req, res, 429, 'rateLimited', form);
      return;
    }
    const status = err instanceof AppError ? err.status : (err as { status?: unknown } | null)?.status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      views.renderMessage(req, res, status, 'error', form);
      return;
    }
    // The route pattern, not the path: a resume path carries the citizen's token.
    const route = typeof (req.route as { path?: unknown } | undefined)?.path === 'string' ? (req.route as { path: string }).path : 'unknown';
    // A store that cannot be written just now (disk full, read-only): classified as the API does.
    const unavailable = toAppError(err, pageLanguage(req));
    if (unavailable.code === 'STORAGE_UNAVAILABLE') {
      logStorageUnavailable(deps.logger, unavailable, route);
      res.set('retry-after', String(unavailable.options.retryAfterSeconds ?? STORAGE_RETRY_AFTER_SECONDS));
      views.renderMessage(req, res, 503, 'unavailable', form);
      return;
    }
    deps.logger.error('pages.internal_error', { route, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
    views.renderMessage(req, res, 500, 'error', form);
  };
}
