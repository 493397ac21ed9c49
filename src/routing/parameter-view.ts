import { formatEuroCents, formatNumber } from '../i18n/formatters';
import { localize, type Language } from '../i18n/language';
import { CONTACT_PARTS, DURATION_EXACT, DURATION_RANGE, FEE_TEXT, PARAMETER_LABELS, PROCESSING_UNITS } from '../i18n/parameter-texts';
import { format } from '../i18n/translator';
import type { ContactPerson, LocalParameters, PostalAddress } from './tenant';

/** Which parameter a row shows (stable, for templates and tests). */
export type ParameterKey = keyof typeof PARAMETER_LABELS;

/**
 * One parameter as citizens read it: a label and its lines. A row with several `items` (the
 * documents, several contact persons) is a list; an address is one item per line (`lines`).
 */
export interface ParameterRow {
  readonly key: ParameterKey;
  readonly label: string;
  /** One entry per document or person; one entry for everything else. */
  readonly items: readonly string[];
  /** Whether items are a list of their own (several documents, several persons). */
  readonly list: boolean;
}

function durationText(duration: NonNullable<LocalParameters['processingDuration']>, language: Language): string {
  const unit = PROCESSING_UNITS[duration.unit][language];
  const word = duration.max === 1 ? unit.one : unit.other;
  if (duration.min === duration.max) return format(DURATION_EXACT[language], { n: formatNumber(duration.max, language), unit: word });
  return format(DURATION_RANGE[language], { min: formatNumber(duration.min, language), max: formatNumber(duration.max, language), unit: word });
}

function contactText(person: ContactPerson, language: Language): string {
  const role = localize(person.role, language);
  return [
    role === undefined ? person.name : `${person.name}, ${role}`,
    ...(person.tel !== undefined ? [format(CONTACT_PARTS.tel[language], { value: person.tel })] : []),
    ...(person.fax !== undefined ? [format(CONTACT_PARTS.fax[language], { value: person.fax })] : []),
    ...(person.email !== undefined ? [format(CONTACT_PARTS.email[language], { value: person.email })] : []),
  ].join(', ');
}

/** "Fischmarkt 1, Zimmer 12, 99084 Erfurt": street line, additional line, place line. */
export function addressLines(address: PostalAddress): string[] {
  const street = address.houseNumber !== undefined ? `${address.street} ${address.houseNumber}` : address.street;
  return [street, ...(address.additional !== undefined ? [address.additional] : []), `${address.zip} ${address.city}`];
}

/**
 * The local parameters of a responsibility as rows to show, in a fixed order (fee, legal basis,
 * processing time, documents, further information, contact persons, address) and only those that
 * are set. Amounts in euro and numbers as the language writes them; texts in the language asked
 * for, German where the file has no English. Used by the citizen's pages; the receipt can use the
 * same rows (or pick `fee` and `legalBasis` from them).
 */
export function parameterRows(parameters: LocalParameters, language: Language): ParameterRow[] {
  const rows: ParameterRow[] = [];
  const row = (key: ParameterKey, items: readonly string[], list = false): void => {
    if (items.length > 0) rows.push({ key, label: PARAMETER_LABELS[key][language], items, list });
  };
  const { fee } = parameters;
  if (fee) row('fee', [format(FEE_TEXT[language], { amount: formatEuroCents(fee.amountCents, language), purpose: localize(fee.purpose, language) ?? '' })]);
  const legalBasis = localize(parameters.legalBasis, language);
  if (legalBasis !== undefined) row('legalBasis', [legalBasis]);
  if (parameters.processingDuration) row('processingDuration', [durationText(parameters.processingDuration, language)]);
  const documents = (parameters.requiredDocuments ?? []).map((d) => localize(d, language) ?? '');
  row('requiredDocuments', documents, documents.length > 1);
  const further = localize(parameters.furtherInformation, language);
  if (further !== undefined) row('furtherInformation', [further]);
  const persons = (parameters.contactPersons ?? []).map((p) => contactText(p, language));
  row('contactPersons', persons, persons.length > 1);
  if (parameters.address) row('address', addressLines(parameters.address));
  return rows;
}
