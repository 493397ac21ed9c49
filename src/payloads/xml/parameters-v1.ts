import type { Element } from 'xml-js';
import type { LocalText } from '../../i18n/language';
import type { ContactPerson, LocalParameters } from '../../routing/tenant';
import { group, text } from './xml-elements';
import { xmlSafe } from './xml-safe';

/**
 * The `<parameters>` element of the v1 header (docs/payload-v1.md#parameters): the local
 * parameters that held for the responsibility when the submission was accepted, so an
 * authority's system need not look them up (a fee changes with the statute; the payload keeps
 * the one the applicant was shown). Fields appear in a fixed order, each only when set; texts as
 * `<de>` and an optional `<en>` child.
 */

function safeText(name: string, value: string): Element {
  return text(name, xmlSafe(value));
}

function localText(name: string, value: LocalText): Element {
  return group(name, [safeText('de', value.de), ...(value.en !== undefined ? [safeText('en', value.en)] : [])]);
}

/** 12345 cents as "123.45": xs:decimal, for systems that do not want to divide. */
export function decimalAmount(cents: number): string {
  const whole = Math.trunc(cents / 100);
  const rest = String(cents % 100).padStart(2, '0');
  return `${whole}.${rest}`;
}

function contactPerson(person: ContactPerson): Element {
  const optional: Element[] = [];
  if (person.role !== undefined) optional.push(localText('role', person.role));
  if (person.tel !== undefined) optional.push(safeText('tel', person.tel));
  if (person.fax !== undefined) optional.push(safeText('fax', person.fax));
  if (person.email !== undefined) optional.push(safeText('email', person.email));
  return group('contactPerson', [safeText('name', person.name), ...optional]);
}

/** The element, or undefined when no parameter is set (the header then has none: v1 payloads from before stay byte for byte). */
export function parametersElement(parameters: LocalParameters | undefined): Element | undefined {
  if (!parameters) return undefined;
  const children: Element[] = [];
  const { fee, legalBasis, processingDuration, requiredDocuments, furtherInformation, contactPersons, address } = parameters;
  if (fee) {
    children.push(group('fee', [
      text('amountCents', String(fee.amountCents)),
      text('amount', decimalAmount(fee.amountCents)),
      text('currency', fee.currency),
      localText('purpose', fee.purpose),
    ]));
  }
  if (legalBasis) children.push(localText('legalBasis', legalBasis));
  if (processingDuration) {
    children.push(group('processingDuration', [
      text('min', String(processingDuration.min)),
      text('max', String(processingDuration.max)),
      text('unit', processingDuration.unit),
    ]));
  }
  if (requiredDocuments && requiredDocuments.length > 0) {
    children.push(group('requiredDocuments', requiredDocuments.map((document) => localText('document', document))));
  }
  if (furtherInformation) children.push(localText('furtherInformation', furtherInformation));
  if (contactPersons && contactPersons.length > 0) children.push(group('contactPersons', contactPersons.map(contactPerson)));
  if (address) {
    children.push(group('address', [
      safeText('street', address.street),
      ...(address.houseNumber !== undefined ? [safeText('houseNumber', address.houseNumber)] : []),
      ...(address.additional !== undefined ? [safeText('additional', address.additional)] : []),
      safeText('zip', address.zip),
      safeText('city', address.city),
    ]));
  }
  return children.length > 0 ? group('parameters', children) : undefined;
}
