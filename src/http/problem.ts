import type { ErrorRequestHandler, Response } from 'express';
import { AppError, ERROR_CATALOGUE, type ErrorCode, type FieldError } from '../errors';
import { MAX_FIELD_ERRORS } from '../forms/input-limits';
import { tooManyValuesError } from '../forms/validation-messages';
import { StorageUnavailableError } from '../storage/ports';
import type { Logger } from '../support/logger';
import { negotiateLanguage } from './language';
import type { Language } from '../i18n/language';
import { MORE_ERRORS_NOTE } from '../i18n/error-texts';
import { format } from '../i18n/translator';

/** No problem document is larger than this (field errors are dropped from the end to fit). */
export const MAX_PROBLEM_BYTES = 64 * 1024;

/**
 * The problem document's JSON: at most MAX_FIELD_ERRORS field errors and MAX_PROBLEM_BYTES in
 * all; when errors were left out, `errorsTruncated` is true and `detail` says so.
 */
export function problemJson(error: AppError, language: Language): string {
  const entry = ERROR_CATALOGUE[error.code];
  const head: Record<string, unknown> = {
    type: `urn:efa-forms:problem:${error.code.toLowerCase().replace(/_/g, '-')}`,
    title: entry.title[language],
    status: entry.status,
    code: error.code,
  };
  const all = error.options.errors;
  let shown: readonly FieldError[] | undefined = all?.slice(0, MAX_FIELD_ERRORS);
  for (;;) {
    const body: Record<string, unknown> = { ...head };
    const truncated = all !== undefined && shown !== undefined && shown.length < all.length;
    const note = truncated ? format(MORE_ERRORS_NOTE[language], { n: shown?.length ?? 0 }) : undefined;
    const detail = [error.options.detail?.[language], note].filter((t) => t !== undefined).join(' ');
    if (detail !== '') body.detail = detail;
    if (shown) body.errors = shown;
    if (truncated) body.errorsTruncated = true;
    const json = JSON.stringify(body);
    // Messages are bounded by the start-up checks, so this loop ends after a few rounds at most.
    if (Buffer.byteLength(json) <= MAX_PROBLEM_BYTES || !shown || shown.length === 0) return json;
    shown = shown.slice(0, Math.floor(shown.length / 2));
  }
}

/** Writes an RFC 9457 problem document for a catalogue code. */
export function sendProblem(res: Response, error: AppError, language: Language): void {
  const entry = ERROR_CATALOGUE[error.code];
  // RFC 6750: a 401 names the scheme the client should use.
  if (entry.status === 401) res.set('www-authenticate', 'Bearer');
  if (error.options.retryAfterSeconds !== undefined) res.set('retry-after', String(Math.max(1, Math.ceil(error.options.retryAfterSeconds))));
  res.status(entry.status).type('application/problem+json').set('content-language', language).send(problemJson(error, language));
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

/** The body-parser error type of a JSON body with more values than INPUT_LIMITS allows. */
export const TOO_MANY_VALUES_TYPE = 'efa.too.many.values';

/** When a client may try again after the store could not be written (disk full, read-only, …). */
export const STORAGE_RETRY_AFTER_SECONDS = 30;

/**
 * Any error as the catalogue code a client sees. Exported for the citizen pages, which answer
 * with pages of their own but must classify errors exactly as the API does.
 */
export function toAppError(err: unknown, language: Language): AppError {
  if (err instanceof AppError) return err;
  // An operating condition, not a bug: 503 with Retry-After; nothing was half-written.
  if (err instanceof StorageUnavailableError) {
    return new AppError('STORAGE_UNAVAILABLE', err.message, { retryAfterSeconds: STORAGE_RETRY_AFTER_SECONDS, cause: err });
  }
  const type = (err as { type?: unknown } | null)?.type;
  if (type === TOO_MANY_VALUES_TYPE) {
    return new AppError('VALIDATION_FAILED', 'request body: too many JSON values', { errors: [tooManyValuesError(language)] });
  }
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

/**
 * A store that cannot be written is logged as a warning with its reason and the driver's code, not
 * as an internal error with a stack: operators need the cause (disk full, read-only), and the
 * stack would be the same for every request while the fault lasts.
 */
export function logStorageUnavailable(logger: Logger, error: AppError, route: string): void {
  const cause = error.options.cause;
  logger.warn('storage.unavailable', {
    route,
    ...(cause instanceof StorageUnavailableError ? { reason: cause.reason, code: cause.code } : { error: error.logMessage }),
  });
}

/** The one place that maps errors to HTTP responses. Unknown errors become a 500 and a log line. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const language = negotiateLanguage(req.get('accept-language'));
    const error = toAppError(err, language);
    if (error.code === 'STORAGE_UNAVAILABLE') {
      logStorageUnavailable(logger, error, req.route ? String((req.route as { path: unknown }).path) : req.path);
    } else if (error.code === 'ENCRYPTION_KEY_MISSING') {
      // A configuration fault for operators to fix, not a bug: no stack, the job and authority.
      logger.error('delivery.encryption_key_missing', { route: req.route ? String((req.route as { path: unknown }).path) : req.path, error: error.logMessage });
    } else if (error.status >= 500) {
      const stack = error.options.cause instanceof Error ? error.options.cause.stack : undefined;
      logger.error('http.internal_error', { method: req.method, route: req.route ? String((req.route as { path: unknown }).path) : req.path, error: error.logMessage, stack });
    }
    sendProblem(res, error, language);
  };
}
