import type { LocalizedText } from './language';

/**
 * The coverage report's HTML page (src/coverage/coverage-html.ts), written for a ministry:
 * German, with the English of headings and column heads beside it. Counts are given as
 * "{online} von {total}" so no text needs a singular and a plural.
 */
export const COVERAGE_PAGE_TEXTS = {
  title: { de: 'Online-Abdeckung der Anträge', en: 'Online coverage of applications' },
  generatedAt: { de: 'Stand: {date}', en: 'As of {date}' },
  intro: {
    de: 'Wie viele Gemeinden und Einwohner einen Antrag schon online stellen können, je Kreis und für das ganze Land. Flächendeckend heißt: jede Gemeinde des Gebiets kann den Antrag online stellen.',
    en: 'How many municipalities and inhabitants can already apply online, per district and for the whole state. Complete means: every municipality of the area can apply online.',
  },
  overview: { de: 'Übersicht', en: 'Overview' },
  overviewCaption: { de: 'Abdeckung je Antrag und Land', en: 'Coverage per application and state' },
  form: { de: 'Antrag', en: 'Application' },
  tenant: { de: 'Land', en: 'State' },
  districtCaption: { de: 'Abdeckung nach Kreisen: {form}, {tenant}', en: 'Coverage by district: {form}, {tenant}' },
  district: { de: 'Kreis', en: 'District' },
  municipalitiesOnline: { de: 'Gemeinden online', en: 'Municipalities online' },
  inhabitantsOnline: { de: 'Einwohner online', en: 'Inhabitants online' },
  complete: { de: 'Flächendeckend', en: 'Complete' },
  yes: { de: 'ja', en: 'yes' },
  no: { de: 'nein', en: 'no' },
  wholeState: { de: 'Land gesamt', en: 'Whole state' },
  countOf: { de: '{online} von {total}', en: '{online} of {total}' },
  unknown: { de: 'unbekannt', en: 'unknown' },
  populationUnknown: {
    de: 'Einwohnerzahl unbekannt für {count} von {total} Gemeinden; sie zählen mit 0 Einwohnern.',
    en: 'Population unknown for {count} of {total} municipalities; they count as 0 inhabitants.',
  },
  missing: { de: 'Noch nicht online', en: 'Not online yet' },
  missingInDistrict: { de: '{district}: fehlende Gemeinden: {count}', en: '{district}: missing municipalities: {count}' },
  noneMissing: { de: 'Jede Gemeinde kann diesen Antrag online stellen.', en: 'Every municipality can apply online for this.' },
  notLive: { de: 'Noch nicht live', en: 'Not live yet' },
  notLiveNone: { de: 'keine', en: 'none' },
  // A count of municipalities and inhabitants whose responsible route is in one rollout state.
  rolloutCount: { de: '{state}: {municipalities} Gemeinden, {inhabitants} Einwohner', en: '{state}: {municipalities} municipalities, {inhabitants} inhabitants' },
  planned: { de: 'geplant', en: 'planned' },
  plannedFrom: { de: 'geplant ab {date}', en: 'planned from {date}' },
  testing: { de: 'im Test', en: 'testing' },
  paused: { de: 'pausiert', en: 'paused' },
  notLiveNote: {
    de: 'Noch nicht live: Eine Behörde ist zuständig, nimmt den Antrag aber noch nicht (geplant, im Test) oder gerade nicht (pausiert) online an. Diese Gemeinden zählen nicht als online.',
    en: 'Not live yet: an authority is responsible, but does not take the application online yet (planned, testing) or just now (paused). These municipalities do not count as online.',
  },
  noItems: { de: 'Kein Antrag und kein Land ausgewählt.', en: 'No application and no state selected.' },
} as const satisfies Readonly<Record<string, LocalizedText>>;

/** INVALID_PARAMETER of GET /api/admin/coverage: ?tenant= or ?form= names nothing; {known}: the ids, comma-separated. */
export const UNKNOWN_COVERAGE_TENANT_DETAIL: LocalizedText = {
  de: 'tenant ist unbekannt; bekannt sind: {known}.',
  en: 'tenant is unknown; known are: {known}.',
};

export const UNKNOWN_COVERAGE_FORM_DETAIL: LocalizedText = {
  de: 'form ist unbekannt; bekannt sind: {known}.',
  en: 'form is unknown; known are: {known}.',
};
