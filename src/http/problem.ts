import type { ErrorRequestHandler, Response } from 'express';
import { AppError, ERROR_CATALOGUE, type ErrorCode, type Language } from '../errors';
import type { Logger } from '../support/logger';
import { negotiateLanguage } from './language';

/** Writes an RFC 9457 problem document for a catalogue code. */
export function sendProblem(res: Response, error: AppError, language: Language): void {
  const entry = ERROR_CATALOGUE[error.code];
  const body: Record<string, unknown> = {
    type: `urn:efa-forms:problem:${error.code.toLowerCase().replace(/_/g, '-')}`,
    title: entry.title[language],
    status: entry.status,
    code: error.code,
  };
  if (error.options.detail) body.detail = error.options.detail[language];
  if (error.options.errors) body.errors = error.options.errors;
  // RFC 6750: a 401 names the scheme the client should use.
  if (entry.status === 401) res.set('www-authenticate', 'Bearer');
  res.status(entry.status).type('application/problem+json').set('content-language', language).send(JSON.stringify(body));
}

/** body-parser reports its failures with a `type`; these are the client's mistakes, not ours. */
const BODY_PARSER_ERRORS: Readonly<Record<string, ErrorCode>> = {
  'entity.too.large': 'PAYLOAD_TOO_LARGE',
  'entity.parse.failed': 'MALFORMED_REQUEST',
  'entity.verify.failed': 'MALFORMED_REQUEST',
  'request.aborted': 'MALFORMED_REQUEST',
  'request.size.invalid': 'MALFORMED_REQUEST',
  'encoding.unsupported': 'UNSUPPORTED_MEDIA_TYPE',
  'charset.unsupported': 'UNSUPPORTED_MEDIA_TYPE',
  'parameters.too.many': 'MALFORMED_REQUEST',
};

function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const type = (err as { type?: unknown } | null)?.type;
  if (typeof type === 'string' && BODY_PARSER_ERRORS[type]) {
    return new AppError(BODY_PARSER_ERRORS[type], `request body: ${type}`, { cause: err });
  }
  // Other client errors express or its parsers raise (a badly encoded URL is a URIError with 400).
  const status = (err as { status?: unknown } | null)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new AppError('MALFORMED_REQUEST', `client error ${status}`, { cause: err });
  }
  return new AppError('INTERNAL', err instanceof Error ? `${err.name}: ${err.message}` : 'non-error thrown', { cause: err });
}

/** The one place that maps errors to HTTP responses. Unknown errors become a 500 and a log line. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const error = toAppError(err);
    if (error.status >= 500) {
      const stack = error.options.cause instanceof Error ? error.options.cause.stack : undefined;
      logger.error('http.internal_error', { method: req.method, route: req.route ? String((req.route as { path: unknown }).path) : req.path, error: error.logMessage, stack });
    }
    sendProblem(res, error, negotiateLanguage(req.get('accept-language')));
  };
}
