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
