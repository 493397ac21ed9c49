import type { LocalizedText } from './language';
import { ATTACHMENT_REFUSAL_TEXTS } from './attachment-texts';

/**
 * The citizen-facing title of each error code of the catalogue (src/errors.ts keeps the codes
 * and their HTTP statuses; docs/errors.md documents them). Keyed by code.
 */
export const ERROR_TITLES = {
  VALIDATION_FAILED: { de: 'Bitte prüfen Sie Ihre Angaben.', en: 'Please check your answers.' },
  MALFORMED_REQUEST: {
    de: 'Die Anfrage konnte nicht gelesen werden. Bitte senden Sie gültiges JSON.',
    en: 'The request could not be read. Please send valid JSON.',
  },
  NOT_FOUND: { de: 'Diese Seite gibt es nicht.', en: 'This page does not exist.' },
  FORM_NOT_FOUND: { de: 'Dieses Formular gibt es nicht.', en: 'This form does not exist.' },
  SUBMISSION_NOT_FOUND: {
    de: 'Zu dieser Vorgangsnummer wurde nichts gefunden. Bitte prüfen Sie den Link.',
    en: 'Nothing was found for this reference number. Please check the link.',
  },
  SUBMISSION_DATA_DELETED: {
    de: 'Die Angaben zu diesem Antrag wurden nach Ablauf der Aufbewahrungsfrist gelöscht. Vorgangsnummer und Verlauf bleiben erhalten; die Eingangsbestätigung kann nicht mehr abgerufen werden.',
    en: 'The answers of this application were deleted when their retention period ended. The reference number and its history remain; the receipt can no longer be downloaded.',
  },
  UNAUTHORIZED: {
    de: 'Für diese Schnittstelle ist ein gültiger Zugangsschlüssel nötig.',
    en: 'This interface needs a valid access key.',
  },
  DELIVERY_NOT_FOUND: { de: 'Diesen Zustellauftrag gibt es nicht.', en: 'This delivery job does not exist.' },
  AUTHORITY_NOT_FOUND: { de: 'Diese Behörde gibt es nicht.', en: 'This authority does not exist.' },
  DELIVERY_NOT_RETRYABLE: {
    de: 'Nur fehlgeschlagene oder aufgegebene Zustellungen können erneut versucht werden.',
    en: 'Only failed or dead deliveries can be retried.',
  },
  INVALID_PARAMETER: { de: 'Ein Parameter der Anfrage ist ungültig.', en: 'A parameter of the request is invalid.' },
  PAYLOAD_TOO_LARGE: {
    de: 'Die Anfrage ist zu groß.',
    en: 'The request is too large.',
  },
  // The title fits both the submission (JSON) and the upload (multipart); the detail says which.
  UNSUPPORTED_MEDIA_TYPE: {
    de: 'Diese Art von Inhalt wird hier nicht angenommen.',
    en: 'This kind of content is not accepted here.',
  },
  NO_RESPONSIBLE_AUTHORITY: {
    de: 'Für Ihren Wohnort ist für diesen Antrag noch keine Behörde online erreichbar.',
    en: 'No authority for your place of residence accepts this application online yet.',
  },
  SERVICE_NOT_YET_ONLINE: {
    de: 'Dieser Antrag ist für Ihren Wohnort noch nicht online verfügbar.',
    en: 'This application is not yet available online for your place of residence.',
  },
  SERVICE_PAUSED: {
    de: 'Dieser Antrag ist für Ihren Wohnort vorübergehend nicht online verfügbar.',
    en: 'This application is temporarily not available online for your place of residence.',
  },
  TEST_ACCESS_NOT_HERE: {
    de: 'Mit diesem Testzugang können Sie für diesen Ort keinen Antrag senden.',
    en: 'With this test access you cannot send an application for this place.',
  },
  // Worded once, for the field and the API's title alike.
  MALWARE_FOUND: ATTACHMENT_REFUSAL_TEXTS.malware,
  SCAN_UNAVAILABLE: ATTACHMENT_REFUSAL_TEXTS['scan unavailable'],
  RATE_LIMITED: {
    de: 'Zu viele Anfragen in kurzer Zeit. Bitte warten Sie einen Moment und versuchen Sie es dann erneut.',
    en: 'Too many requests in a short time. Please wait a moment and try again.',
  },
  STORAGE_UNAVAILABLE: {
    de: 'Ihre Angaben können gerade nicht gespeichert werden. Bitte versuchen Sie es in einigen Minuten erneut; es ist nichts verloren gegangen.',
    en: 'Your answers cannot be saved just now. Please try again in a few minutes; nothing has been lost.',
  },
  ENCRYPTION_KEY_MISSING: {
    de: 'Diese Datei kann gerade nicht verschlüsselt ausgeliefert werden: Für Ihre Behörde ist kein Verschlüsselungsschlüssel mehr eingerichtet. Bitte wenden Sie sich an den Betrieb der Plattform.',
    en: 'This file cannot be delivered encrypted just now: no encryption key is configured for your authority any more. Please contact the platform\'s operators.',
  },
  CONFIGURATION_REFUSED: {
    de: 'Die geänderten Formulare oder Mandanten-Dateien haben Fehler; es gilt weiter die bisherige Konfiguration.',
    en: 'The changed forms or tenant files have problems; the running configuration stays.',
  },
  INTERNAL: {
    de: 'Es ist ein technischer Fehler aufgetreten. Bitte versuchen Sie es später erneut.',
    en: 'A technical error occurred. Please try again later.',
  },
} as const satisfies Record<string, LocalizedText>;

/** Said when a problem lists only the first field errors (see http/problem.ts); {n}: how many. */
export const MORE_ERRORS_NOTE: LocalizedText = {
  de: 'Es gibt weitere fehlerhafte Angaben; hier stehen die ersten {n}. Bitte korrigieren Sie diese und senden Sie erneut.',
  en: 'There are more answers to correct; these are the first {n}. Please correct them and send again.',
};

/*
 * The `detail` of a problem document, where the catalogue title alone does not say what to fix.
 * Placeholders in braces are filled with format() or formatLocalized() (./translator).
 */

/** MALFORMED_REQUEST on submit: the body is JSON, but not {"data": {...}}. */
export const MALFORMED_BODY_DETAIL: LocalizedText = {
  de: 'Erwartet wird ein JSON-Objekt der Form {"data": {...}} mit den Antworten.',
  en: 'Expected a JSON object of the form {"data": {...}} holding the answers.',
};

/** INVALID_PARAMETER in the admin API: ?state= is no delivery state; {states}: the states, comma-separated. */
export const INVALID_DELIVERY_STATE_DETAIL: LocalizedText = {
  de: 'state muss einer von {states} sein.',
  en: 'state must be one of {states}.',
};

/** INVALID_PARAMETER in the admin API: ?limit= is out of range. */
export const INVALID_LIMIT_DETAIL: LocalizedText = {
  de: 'limit muss zwischen 1 und 1000 liegen.',
  en: 'limit must be from 1 to 1000.',
};

/** POST /api/admin/authorities/{id}/test-links with a body that is not {"formId"?, "validDays"?}. */
export const TEST_LINK_BODY_DETAIL: LocalizedText = {
  de: 'Erwartet wird kein Inhalt oder ein JSON-Objekt mit "formId" (Text) und "validDays" (Zahl).',
  en: 'Expected no body or a JSON object with "formId" (text) and "validDays" (number).',
};

/** A tester's link for a form the authority does not serve. */
export const TEST_LINK_FORM_NOT_SERVED_DETAIL: LocalizedText = {
  de: 'Diese Behörde ist für dieses Formular nicht zuständig.',
  en: 'This authority is not responsible for this form.',
};

/** A tester's link valid for fewer than 1 or more than 90 days. */
export const TEST_LINK_BAD_DAYS_DETAIL: LocalizedText = {
  de: '"validDays" muss eine ganze Zahl von 1 bis 90 sein.',
  en: '"validDays" must be a whole number from 1 to 90.',
};

/** The detail of a submission's 415: what the submission endpoint takes. */
export const SEND_AS_JSON_DETAIL: LocalizedText = {
  de: 'Bitte senden Sie die Daten als JSON (Content-Type: application/json).',
  en: 'Please send the data as JSON (Content-Type: application/json).',
};
