/**
 * The catalogue of errors a client or citizen can see. Each code has a stable name, an HTTP
 * status and citizen-facing text in German and English (its title, from
 * src/i18n/error-texts.ts); log text is kept separately on the AppError instance.
 * docs/errors.md documents every code (test/unit/errors.test.ts checks it).
 */

import type { LocalizedText } from './i18n/language';
import { ERROR_TITLES } from './i18n/error-texts';

export interface FieldError {
  /** JSON pointer (RFC 6901) into the submitted data, to the field the citizen must fix. */
  readonly pointer: string;
  readonly message: string;
}

interface CatalogueEntry {
  readonly status: number;
  readonly title: LocalizedText;
}

export const ERROR_CATALOGUE = {
  VALIDATION_FAILED: { status: 400, title: ERROR_TITLES.VALIDATION_FAILED },
  MALFORMED_REQUEST: { status: 400, title: ERROR_TITLES.MALFORMED_REQUEST },
  NOT_FOUND: { status: 404, title: ERROR_TITLES.NOT_FOUND },
  FORM_NOT_FOUND: { status: 404, title: ERROR_TITLES.FORM_NOT_FOUND },
  SUBMISSION_NOT_FOUND: { status: 404, title: ERROR_TITLES.SUBMISSION_NOT_FOUND },
  SUBMISSION_DATA_DELETED: { status: 410, title: ERROR_TITLES.SUBMISSION_DATA_DELETED },
  UNAUTHORIZED: { status: 401, title: ERROR_TITLES.UNAUTHORIZED },
  DELIVERY_NOT_FOUND: { status: 404, title: ERROR_TITLES.DELIVERY_NOT_FOUND },
  DELIVERY_NOT_RETRYABLE: { status: 409, title: ERROR_TITLES.DELIVERY_NOT_RETRYABLE },
  AUTHORITY_NOT_FOUND: { status: 404, title: ERROR_TITLES.AUTHORITY_NOT_FOUND },
  INVALID_PARAMETER: { status: 400, title: ERROR_TITLES.INVALID_PARAMETER },
  PAYLOAD_TOO_LARGE: { status: 413, title: ERROR_TITLES.PAYLOAD_TOO_LARGE },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: ERROR_TITLES.UNSUPPORTED_MEDIA_TYPE },
  NO_RESPONSIBLE_AUTHORITY: { status: 422, title: ERROR_TITLES.NO_RESPONSIBLE_AUTHORITY },
  SERVICE_NOT_YET_ONLINE: { status: 422, title: ERROR_TITLES.SERVICE_NOT_YET_ONLINE },
  SERVICE_PAUSED: { status: 422, title: ERROR_TITLES.SERVICE_PAUSED },
  TEST_ACCESS_NOT_HERE: { status: 422, title: ERROR_TITLES.TEST_ACCESS_NOT_HERE },
  MALWARE_FOUND: { status: 422, title: ERROR_TITLES.MALWARE_FOUND },
  RATE_LIMITED: { status: 429, title: ERROR_TITLES.RATE_LIMITED },
  SCAN_UNAVAILABLE: { status: 503, title: ERROR_TITLES.SCAN_UNAVAILABLE },
  STORAGE_UNAVAILABLE: { status: 503, title: ERROR_TITLES.STORAGE_UNAVAILABLE },
  ENCRYPTION_KEY_MISSING: { status: 503, title: ERROR_TITLES.ENCRYPTION_KEY_MISSING },
  CONFIGURATION_REFUSED: { status: 422, title: ERROR_TITLES.CONFIGURATION_REFUSED },
  INTERNAL: { status: 500, title: ERROR_TITLES.INTERNAL },
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/**
 * An error with a stable code. `logMessage` is for operators and must not contain personal data;
 * citizens see the catalogue title, an optional localized detail and field errors.
 */
export class AppError extends Error {
  override readonly name = 'AppError';

  constructor(
    readonly code: ErrorCode,
    readonly logMessage: string,
    readonly options: {
      readonly detail?: LocalizedText;
      readonly errors?: readonly FieldError[];
      readonly cause?: unknown;
      /** Sent as Retry-After (429, 503): when the client may try again. */
      readonly retryAfterSeconds?: number;
    } = {},
  ) {
    super(`${code}: ${logMessage}`, options.cause === undefined ? undefined : { cause: options.cause });
  }

  get status(): number {
    return ERROR_CATALOGUE[this.code].status;
  }
}
