import type { LocalizedText } from './language';

/** Field errors at the form's region field (routing.regionField) when a submission cannot be routed. */

/** The region field holds no municipality key (ARS), though the form's own checks passed. */
export const REGION_MISSING: LocalizedText = {
  de: 'Bitte wählen Sie Ihre Gemeinde aus.',
  en: 'Please select your municipality.',
};

/** NO_RESPONSIBLE_AUTHORITY: no authority serves this form for the municipality chosen. */
export const NO_AUTHORITY_FOR_MUNICIPALITY: LocalizedText = {
  de: 'Für die gewählte Gemeinde nimmt noch keine Behörde diesen Antrag online entgegen. Bitte wenden Sie sich direkt an Ihre Gemeinde.',
  en: 'No authority accepts this application online for the selected municipality yet. Please contact your municipality directly.',
};

/*
 * A responsibility that is not `live` (issue 12): the municipality has an authority, but citizens
 * are not sent there yet or just now. Said at the region field, on the region step and in the
 * API's 422. {place} is the municipality's name, or PLACE_FALLBACK when it is not known.
 */

/** Stands in for {place} when the municipality's name is not known. */
export const PLACE_FALLBACK: LocalizedText = {
  de: 'die gewählte Gemeinde',
  en: 'the selected municipality',
};

/** SERVICE_NOT_YET_ONLINE (`planned` without a date, or `testing`). */
export const NOT_YET_ONLINE: LocalizedText = {
  de: 'Für {place} ist dieser Antrag noch nicht online verfügbar. Bitte wenden Sie sich bis dahin direkt an Ihre Gemeindeverwaltung.',
  en: 'This application is not yet available online for {place}. Until then, please contact your municipal administration directly.',
};

/** SERVICE_NOT_YET_ONLINE (`planned` with `plannedFrom`); {date}: "1. März 2027" / "1 March 2027". */
export const NOT_YET_ONLINE_PLANNED: LocalizedText = {
  de: 'Für {place} ist dieser Antrag noch nicht online verfügbar; geplant ist er ab {date}. Bitte wenden Sie sich bis dahin direkt an Ihre Gemeindeverwaltung.',
  en: 'This application is not yet available online for {place}; it is planned from {date}. Until then, please contact your municipal administration directly.',
};

/** SERVICE_PAUSED; {authority} and {email}: the responsible authority's name and e-mail address. */
export const SERVICE_PAUSED_HERE: LocalizedText = {
  de: 'Für {place} ist dieser Antrag vorübergehend nicht online verfügbar. Bitte wenden Sie sich an {authority} ({email}).',
  en: 'This application is temporarily not available online for {place}. Please contact {authority} ({email}).',
};

/**
 * TEST_ACCESS_NOT_HERE: a tester's link is for one authority; a municipality another authority is
 * responsible for cannot be chosen with it (the link must not turn real applications into tests,
 * nor reach another authority or tenant). {authority}: the link's authority; {place}: the choice.
 */
export const TEST_ACCESS_NOT_HERE: LocalizedText = {
  de: 'Dieser Testzugang gilt nur für {authority}. Für {place} ist eine andere Stelle zuständig; wählen Sie eine Gemeinde, für die {authority} zuständig ist.',
  en: 'This test access is only for {authority}. Another authority is responsible for {place}; choose a municipality {authority} is responsible for.',
};
