import type { LocalizedText } from './language';

/**
 * The authorities section of the coverage report's HTML page (src/coverage/coverage-html.ts) and
 * the refusal of an unknown `?csv=` of GET /api/admin/coverage. German, with the English of
 * headings and column heads beside it, as the rest of the page (coverage-texts.ts).
 */
export const COVERAGE_AUTHORITY_TEXTS = {
  heading: { de: 'Behörden und Zustellungen', en: 'Authorities and deliveries' },
  caption: { de: 'Behörden: {tenant}', en: 'Authorities: {tenant}' },
  authority: { de: 'Behörde', en: 'Authority' },
  channel: { de: 'Übermittlung', en: 'Channel' },
  responsibilities: { de: 'Zuständigkeiten', en: 'Responsibilities' },
  lastTest: { de: 'Letzter erfolgreicher Test', en: 'Last successful test' },
  lastReal: { de: 'Letzte echte Zustellung', en: 'Last real delivery' },
  note: { de: 'Hinweis', en: 'Note' },
  never: { de: 'noch nie', en: 'never' },
  live: { de: 'live', en: 'live' },
  noResponsibilities: { de: 'keine', en: 'none' },
  liveWithoutDelivery: {
    de: 'Live, aber noch nie zugestellt: Testzustellung senden',
    en: 'Live, but never delivered: send a test delivery',
  },
  noNote: { de: 'keiner', en: 'none' },
  channelHttp: { de: 'HTTP (signiert)', en: 'HTTP (signed)' },
  channelEmail: { de: 'E-Mail', en: 'e-mail' },
  channelInbox: { de: 'Postfach zum Abholen', en: 'inbox to fetch from' },
  intro: {
    de: 'Je Behörde: wie viele Zuständigkeiten live, im Test, geplant oder pausiert sind, und wann ihr Übermittlungsweg zuletzt einen Test und eine echte Zustellung angenommen hat.',
    en: 'Per authority: how many responsibilities are live, testing, planned or paused, and when its channel last took a test and a real delivery.',
  },
  deliveriesUnknown: {
    de: 'Ohne Zustellungsdaten: Der Bericht wurde ohne die Datenbank erstellt, daher fehlen die Zeiten der letzten Zustellungen.',
    en: 'Without delivery data: the report was made without the database, so the times of the last deliveries are missing.',
  },
} as const satisfies Readonly<Record<string, LocalizedText>>;

/** INVALID_PARAMETER of GET /api/admin/coverage: ?csv= is neither `areas` nor `authorities`. */
export const UNKNOWN_COVERAGE_CSV_DETAIL: LocalizedText = {
  de: 'csv ist unbekannt; möglich sind: areas, authorities.',
  en: 'csv is unknown; possible are: areas, authorities.',
};
