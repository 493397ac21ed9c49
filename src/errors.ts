/**
 * The catalogue of errors a client or citizen can see. Each code has a stable name, an HTTP
 * status and citizen-facing text in German and English; log text is kept separately on the
 * AppError instance. docs/errors.md documents every code (test/unit/errors.test.ts checks it).
 */

import type { LocalizedText } from './i18n/language';

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
  VALIDATION_FAILED: {
    status: 400,
    title: { de: 'Bitte prüfen Sie Ihre Angaben.', en: 'Please check your answers.' },
  },
  MALFORMED_REQUEST: {
    status: 400,
    title: {
      de: 'Die Anfrage konnte nicht gelesen werden. Bitte senden Sie gültiges JSON.',
      en: 'The request could not be read. Please send valid JSON.',
    },
  },
  NOT_FOUND: {
    status: 404,
    title: { de: 'Diese Seite gibt es nicht.', en: 'This page does not exist.' },
  },
  FORM_NOT_FOUND: {
    status: 404,
    title: { de: 'Dieses Formular gibt es nicht.', en: 'This form does not exist.' },
  },
  SUBMISSION_NOT_FOUND: {
    status: 404,
    title: {
      de: 'Zu dieser Vorgangsnummer wurde nichts gefunden. Bitte prüfen Sie den Link.',
      en: 'Nothing was found for this reference number. Please check the link.',
    },
  },
  UNAUTHORIZED: {
    status: 401,
    title: {
      de: 'Für diese Schnittstelle ist ein gültiger Zugangsschlüssel nötig.',
      en: 'This interface needs a valid access key.',
    },
  },
  DELIVERY_NOT_FOUND: {
    status: 404,
    title: { de: 'Diesen Zustellauftrag gibt es nicht.', en: 'This delivery job does not exist.' },
  },
  DELIVERY_NOT_RETRYABLE: {
    status: 409,
    title: {
      de: 'Nur fehlgeschlagene oder aufgegebene Zustellungen können erneut versucht werden.',
      en: 'Only failed or dead deliveries can be retried.',
    },
  },
  INVALID_PARAMETER: {
    status: 400,
    title: { de: 'Ein Parameter der Anfrage ist ungültig.', en: 'A parameter of the request is invalid.' },
  },
  PAYLOAD_TOO_LARGE: {
    status: 413,
    title: {
      de: 'Die Anfrage ist zu groß.',
      en: 'The request is too large.',
    },
  },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    title: {
      de: 'Bitte senden Sie die Daten als JSON (Content-Type: application/json).',
      en: 'Please send the data as JSON (Content-Type: application/json).',
    },
  },
  NO_RESPONSIBLE_AUTHORITY: {
    status: 422,
    title: {
      de: 'Für Ihren Wohnort ist für diesen Antrag noch keine Behörde online erreichbar.',
      en: 'No authority for your place of residence accepts this application online yet.',
    },
  },
  RATE_LIMITED: {
    status: 429,
    title: {
      de: 'Zu viele Anfragen in kurzer Zeit. Bitte warten Sie einen Moment und versuchen Sie es dann erneut.',
      en: 'Too many requests in a short time. Please wait a moment and try again.',
    },
  },
  STORAGE_UNAVAILABLE: {
    status: 503,
    title: {
      de: 'Ihre Angaben können gerade nicht gespeichert werden. Bitte versuchen Sie es in einigen Minuten erneut; es ist nichts verloren gegangen.',
      en: 'Your answers cannot be saved just now. Please try again in a few minutes; nothing has been lost.',
    },
  },
  INTERNAL: {
    status: 500,
    title: {
      de: 'Es ist ein technischer Fehler aufgetreten. Bitte versuchen Sie es später erneut.',
      en: 'A technical error occurred. Please try again later.',
    },
  },
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** Said when a problem lists only the first field errors (see http/problem.ts). */
export const MORE_ERRORS_NOTE: LocalizedText = {
  de: 'Es gibt weitere fehlerhafte Angaben; hier stehen die ersten {n}. Bitte korrigieren Sie diese und senden Sie erneut.',
  en: 'There are more answers to correct; these are the first {n}. Please correct them and send again.',
};

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
