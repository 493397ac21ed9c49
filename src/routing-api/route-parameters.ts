import type { LocalText } from '../i18n/language';
import type { LocalParameters } from '../routing/tenant';
import type { RouteContactPerson, RouteDescription, RouteFee, RouteLocalFields } from './routing-api-types';

/**
 * The local parameters as FIT-Connect's route members. Its descriptions "may contain HTML", so
 * a portal may insert them as HTML: the tenant file's plain texts are escaped and wrapped
 * (`<p>` for a text, `<ul><li>` for the list of documents), so that no operator's "<" becomes
 * markup in a portal's page. Members are set only when the parameters set them.
 */

function escapeHtml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function paragraph(text: LocalText): RouteDescription {
  const html = (value: string) => `<p>${escapeHtml(value)}</p>`;
  return { description: { de: html(text.de), ...(text.en !== undefined ? { en: html(text.en) } : {}) } };
}

/** English when any document has it, each missing translation in German (as citizens read them). */
function list(items: readonly LocalText[]): RouteDescription {
  const html = (values: readonly string[]) => `<ul>${values.map((v) => `<li>${escapeHtml(v)}</li>`).join('')}</ul>`;
  const english = items.some((item) => item.en !== undefined);
  return { description: { de: html(items.map((i) => i.de)), ...(english ? { en: html(items.map((i) => i.en ?? i.de)) } : {}) } };
}

/** A text as it is (not HTML): customParameters have no schema and no HTML rule. */
function plain(text: LocalText): { de: string; en?: string } {
  return { de: text.de, ...(text.en !== undefined ? { en: text.en } : {}) };
}

/** The fee for customParameters: amount in cents, currency, purpose as plain de/en text. */
export function routeFee(parameters: LocalParameters): RouteFee | undefined {
  const { fee } = parameters;
  return fee ? { amountCents: fee.amountCents, currency: fee.currency, purpose: plain(fee.purpose) } : undefined;
}

/** The contact persons of the parameters (FIT-Connect has no role: it is left out), or undefined. */
export function routeContactPersons(parameters: LocalParameters): RouteContactPerson[] | undefined {
  const people = parameters.contactPersons;
  if (!people || people.length === 0) return undefined;
  return people.map((p) => ({
    name: p.name,
    ...(p.tel !== undefined ? { tel: p.tel } : {}),
    ...(p.fax !== undefined ? { fax: p.fax } : {}),
    ...(p.email !== undefined ? { email: p.email } : {}),
  }));
}

/** legalBasis, processingDuration, requiredDocuments, furtherInformation and address, those set. */
export function routeLocalFields(parameters: LocalParameters): RouteLocalFields {
  const { legalBasis, processingDuration, requiredDocuments, furtherInformation, address } = parameters;
  return {
    ...(legalBasis ? { legalBasis: paragraph(legalBasis) } : {}),
    ...(processingDuration ? { processingDuration: { minDuration: processingDuration.min, maxDuration: processingDuration.max, unit: processingDuration.unit } } : {}),
    ...(requiredDocuments && requiredDocuments.length > 0 ? { requiredDocuments: list(requiredDocuments) } : {}),
    ...(furtherInformation ? { furtherInformation: paragraph(furtherInformation) } : {}),
    ...(address ? {
      address: {
        street: address.street,
        ...(address.houseNumber !== undefined ? { houseNumber: address.houseNumber } : {}),
        ...(address.additional !== undefined ? { additional: address.additional } : {}),
        zip: address.zip,
        city: address.city,
      },
    } : {}),
  };
}
