import type { ErrorRequestHandler } from 'express';
import { CONSOLE_TEXTS } from '../../i18n/console-texts';
import type { Logger } from '../../support/logger';
import { logStorageUnavailable, STORAGE_RETRY_AFTER_SECONDS, toAppError } from '../problem';
import { callerOf } from './console-auth-routes';
import { consoleLanguage, sendConsolePage } from './console-frame';
import type { ConsoleTemplates } from './console-templates';

/**
 * Errors under /admin get console pages, not problem documents: 404 for what does not exist or
 * is another tenant's (the same page for both), 400 for a malformed or oversized form, 503 when
 * the store cannot be written, and a readable 500 (logged with the route pattern, never a body).
 */
export function consoleErrorHandler(deps: { readonly templates: ConsoleTemplates; readonly logger: Logger }): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const language = consoleLanguage(req);
    const caller = callerOf(res);
    const show = (status: number, title: string, message: string) =>
      sendConsolePage(deps.templates, req, res, { status, page: 'message', title, caller, model: { message } });
    const error = toAppError(err, language);
    if (error.status === 404) {
      show(404, CONSOLE_TEXTS.notFoundTitle[language], CONSOLE_TEXTS.notFound[language]);
      return;
    }
    if (error.code === 'STORAGE_UNAVAILABLE') {
      logStorageUnavailable(deps.logger, error, routeOf(req.route));
      res.set('retry-after', String(error.options.retryAfterSeconds ?? STORAGE_RETRY_AFTER_SECONDS));
      show(503, CONSOLE_TEXTS.unavailableTitle[language], CONSOLE_TEXTS.unavailable[language]);
      return;
    }
    if (error.status >= 400 && error.status < 500) {
      show(error.status, CONSOLE_TEXTS.badRequestTitle[language], CONSOLE_TEXTS.badRequest[language]);
      return;
    }
    deps.logger.error('console.internal_error', { route: routeOf(req.route), error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
    show(500, CONSOLE_TEXTS.errorTitle[language], CONSOLE_TEXTS.error[language]);
  };
}

/** The route pattern, not the path: a path may carry whatever someone typed. */
function routeOf(route: unknown): string {
  const pattern = (route as { path?: unknown } | undefined)?.path;
  return typeof pattern === 'string' ? `/admin${pattern}` : 'unknown';
}
