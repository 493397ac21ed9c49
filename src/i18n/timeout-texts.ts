import type { LocalizedText } from './language';

/**
 * The page a browser shows when a request took longer than HTTP_REQUEST_TIMEOUT_MS (or its
 * headers longer than HTTP_HEADERS_TIMEOUT_MS), typically a large file over a slow line
 * (src/http/request-timeout-page.ts). Node answers before any route has run, so the citizen's
 * language is unknown: the page shows German first, then English.
 */
export const REQUEST_TIMEOUT_TEXTS = {
  title: { de: 'Die Übertragung hat zu lange gedauert', en: 'The transfer took too long' },
  explanation: {
    de: 'Ihre Eingaben sind nicht vollständig bei uns angekommen, bevor die Zeit dafür abgelaufen war. Wenn Sie eine Datei hochladen wollten, wurde sie nicht übernommen.',
    en: 'What you sent did not reach us completely before the time for it ran out. If you were uploading a file, it was not taken.',
  },
  whatToDo: {
    de: 'Gehen Sie bitte zurück und versuchen Sie es noch einmal, mit einer kleineren Datei oder über eine schnellere Internetverbindung.',
    en: 'Please go back and try again, with a smaller file or over a faster internet connection.',
  },
  saved: {
    de: 'Die Angaben zu Ihrem Antrag, die bisher gespeichert wurden, bleiben erhalten.',
    en: 'The answers to your application saved so far are kept.',
  },
} as const satisfies Record<string, LocalizedText>;
