import type { LocalizedText } from './language';
import type { DocumentMediaType } from '../support/media-type';

/**
 * Why a file was not taken or cannot go with the application, as the citizen reads it: at the
 * field and in the error summary on the pages, and as the field error's message in the API.
 * Keyed by the stable codes of attachments/attachment-service.ts.
 */
export const ATTACHMENT_REFUSAL_TEXTS = {
  'empty': { de: 'Die ausgewählte Datei ist leer. Bitte wählen Sie eine andere Datei.', en: 'The selected file is empty. Please choose another file.' },
  'too large': { de: 'Die Datei ist zu groß. Bitte laden Sie eine kleinere Datei hoch.', en: 'The file is too large. Please upload a smaller file.' },
  'type not accepted': { de: 'Die Datei hat ein Format, das hier nicht angenommen wird. Bitte laden Sie eine Datei in einem der genannten Formate hoch.', en: 'The file is in a format that is not accepted here. Please upload a file in one of the formats named.' },
  'malware': { de: 'In der Datei wurde Schadsoftware gefunden. Sie wurde nicht angenommen und gelöscht.', en: 'Malware was found in the file. It was not accepted and has been deleted.' },
  'scan unavailable': { de: 'Die Datei kann gerade nicht auf Schadsoftware geprüft werden. Bitte versuchen Sie es in einigen Minuten noch einmal.', en: 'The file cannot be checked for malware right now. Please try again in a few minutes.' },
  'too many': { de: 'Sie haben hier schon die höchstmögliche Anzahl an Dateien hochgeladen. Entfernen Sie eine Datei, um eine andere hochzuladen.', en: 'You have already uploaded the largest possible number of files here. Remove a file to upload another one.' },
  'draft full': { de: 'Ihre Dateien zu diesem Antrag haben zusammen die zulässige Gesamtgröße erreicht. Entfernen Sie eine Datei, um eine andere hochzuladen.', en: 'Your files for this application have together reached the largest possible size. Remove a file to upload another one.' },
  'unknown': { de: 'Diese Datei wurde nicht gefunden. Bitte laden Sie sie noch einmal hoch.', en: 'This file was not found. Please upload it again.' },
  'foreign': { de: 'Diese Datei gehört nicht zu diesem Antrag. Bitte laden Sie sie noch einmal hoch.', en: 'This file does not belong to this application. Please upload it again.' },
  'used': { de: 'Diese Datei wurde schon mit einem Antrag gesendet. Bitte laden Sie sie noch einmal hoch.', en: 'This file has already been sent with an application. Please upload it again.' },
  'wrong question': { de: 'Diese Datei wurde für eine andere Frage hochgeladen. Bitte laden Sie sie bei dieser Frage noch einmal hoch.', en: 'This file was uploaded for another question. Please upload it again for this question.' },
  'submission too large': { de: 'Die Dateien dieses Antrags sind zusammen zu groß. Bitte entfernen Sie eine Datei.', en: 'The files of this application are too large together. Please remove a file.' },
} as const satisfies Record<string, LocalizedText>;

export type AttachmentTextKey = keyof typeof ATTACHMENT_REFUSAL_TEXTS;

/** The names of the document types a file question can accept, as its hint lists them. */
export const MEDIA_TYPE_NAMES: Readonly<Record<DocumentMediaType, string>> = {
  'application/pdf': 'PDF', 'image/jpeg': 'JPEG', 'image/png': 'PNG', 'image/tiff': 'TIFF', 'image/webp': 'WebP', 'image/heic': 'HEIC',
};

/**
 * The hint under a file question (pages): which formats, how large, how many. {formats} is a
 * list of MEDIA_TYPE_NAMES, {max} a size ("10 MB", i18n/file-size.ts), {n} the number of files.
 */
export const FILE_HINT_TEXTS = {
  one: { de: 'Erlaubte Formate: {formats}. Höchstens {max}.', en: 'Accepted formats: {formats}. At most {max}.' },
  many: { de: 'Erlaubte Formate: {formats}. Höchstens {max} je Datei, bis zu {n} Dateien.', en: 'Accepted formats: {formats}. At most {max} per file, up to {n} files.' },
} as const satisfies Record<string, LocalizedText>;

/** The receipt's list of the files sent with the application (src/receipts/). */
export const ATTACHMENT_RECEIPT_TEXTS = {
  title: { de: 'Mitgesendete Dateien', en: 'Files sent with the application' },
  intro: {
    de: 'Diese Dateien wurden mit dem Antrag an die Behörde übermittelt. Die SHA-512-Prüfsumme weist jede Datei eindeutig aus.',
    en: 'These files were sent to the authority with the application. The SHA-512 checksum identifies each file exactly.',
  },
  size: { de: 'Größe', en: 'Size' },
  hash: { de: 'SHA-512', en: 'SHA-512' },
} as const satisfies Record<string, LocalizedText>;

/** The details of the upload API's refusals that are about the request, not the file. */
export const ATTACHMENT_API_TEXTS = {
  notFileQuestion: { de: 'Der Parameter field muss auf eine Datei-Frage des Formulars zeigen.', en: 'The field parameter must point to a file question of the form.' },
  notMultipart: { de: 'Bitte senden Sie die Datei als multipart/form-data im Feld „file“.', en: 'Please send the file as multipart/form-data in the field "file".' },
  unreadable: { de: 'Die Anfrage ist kein lesbares multipart/form-data mit genau einer Datei im Feld „file“.', en: 'The request is not readable multipart/form-data with exactly one file in the field "file".' },
} as const satisfies Record<string, LocalizedText>;

/**
 * The status messages of a step's file questions (pages, role="status", WCAG 4.1.3): what the
 * post before did, shown once on the page that follows it ({name} is the file's name), and what
 * the page script says in the question's live region when an upload never reached the server
 * (connection lost, or the server's request timeout): the file stays chosen for another try.
 */
export const FILE_STATUS_TEXTS = {
  uploaded: { de: 'Datei „{name}“ wurde hochgeladen.', en: 'File “{name}” has been uploaded.' },
  removed: { de: 'Die Datei wurde entfernt.', en: 'The file has been removed.' },
  interrupted: {
    de: 'Die Datei konnte nicht hochgeladen werden: Die Verbindung ist abgebrochen oder das Hochladen hat zu lange gedauert. Die Datei ist weiter ausgewählt. Bitte versuchen Sie es noch einmal, wenn möglich über eine schnellere Verbindung.',
    en: 'The file could not be uploaded: the connection was lost or the upload took too long. The file is still selected. Please try again, if possible over a faster connection.',
  },
} as const satisfies Record<string, LocalizedText>;
