import type { Language, LocalizedText } from './language';

/**
 * The wording around a responsibility's local parameters (issue 12: fee, legal basis, processing
 * time, documents, contact, address) wherever citizens read them: the pages' info box, the check
 * page, the confirmation and the receipt (src/routing/parameter-view.ts builds the rows).
 */
export const PARAMETER_LABELS = {
  fee: { de: 'Gebühr', en: 'Fee' },
  legalBasis: { de: 'Rechtsgrundlage', en: 'Legal basis' },
  processingDuration: { de: 'Bearbeitungsdauer', en: 'Processing time' },
  requiredDocuments: { de: 'Erforderliche Unterlagen', en: 'Required documents' },
  furtherInformation: { de: 'Weitere Informationen', en: 'Further information' },
  contactPersons: { de: 'Ansprechpersonen', en: 'Contact' },
  address: { de: 'Anschrift', en: 'Address' },
} as const satisfies Readonly<Record<string, LocalizedText>>;

/** {amount}: "108,00 €" / "€108.00"; {purpose}: what the fee is for. */
export const FEE_TEXT: LocalizedText = { de: '{amount} ({purpose})', en: '{amount} ({purpose})' };

/** A processing time from {min} to {max} units; {unit} is the plural of PROCESSING_UNITS. */
export const DURATION_RANGE: LocalizedText = { de: '{min} bis {max} {unit}', en: '{min} to {max} {unit}' };

/** A processing time of exactly {n} units. */
export const DURATION_EXACT: LocalizedText = { de: '{n} {unit}', en: '{n} {unit}' };

/** The units of a processing time (the Routing API's), singular and plural. */
export const PROCESSING_UNITS: Readonly<Record<'year' | 'month' | 'week' | 'day' | 'workday' | 'hour', Readonly<Record<Language, { readonly one: string; readonly other: string }>>>> = {
  year: { de: { one: 'Jahr', other: 'Jahre' }, en: { one: 'year', other: 'years' } },
  month: { de: { one: 'Monat', other: 'Monate' }, en: { one: 'month', other: 'months' } },
  week: { de: { one: 'Woche', other: 'Wochen' }, en: { one: 'week', other: 'weeks' } },
  day: { de: { one: 'Tag', other: 'Tage' }, en: { one: 'day', other: 'days' } },
  workday: { de: { one: 'Arbeitstag', other: 'Arbeitstage' }, en: { one: 'working day', other: 'working days' } },
  hour: { de: { one: 'Stunde', other: 'Stunden' }, en: { one: 'hour', other: 'hours' } },
};

/** Parts of a contact person's line: "Tel. 0361 655-0", "E-Mail: …", "Fax …". */
export const CONTACT_PARTS = {
  tel: { de: 'Tel. {value}', en: 'Tel. {value}' },
  fax: { de: 'Fax {value}', en: 'Fax {value}' },
  email: { de: 'E-Mail: {value}', en: 'E-mail: {value}' },
} as const satisfies Readonly<Record<string, LocalizedText>>;
