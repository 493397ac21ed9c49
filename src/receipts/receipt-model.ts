import { sha256Hex } from '../support/sha256';
import { getAtPointer } from '../support/json-pointer';
import { pruneInapplicable, stepApplies } from '../forms/applicability';
import type { CompiledForm } from '../forms/compiled-form';
import { summaryEntries, type SummaryEntry } from '../forms/summary';
import type { MunicipalitySearch } from '../routing/municipality-search';
import type { Tenant } from '../routing/tenant';
import type { SubmissionRecord } from '../storage/ports';
import { RECEIPT_TEXTS, type ReceiptTexts } from '../i18n/receipt-texts';
import type { Language } from '../i18n/language';
import { localize } from '../i18n/language';
import { formatReceivedAt } from '../i18n/formatters';
import type { UiStrings } from '../i18n/translator';
import { receiptParameters } from './receipt-parameters';

/** What the receipt is built from: all of it stored or loaded at start, nothing asked anew. */
export interface ReceiptSource {
  readonly submission: SubmissionRecord;
  /** The XML payload exactly as stored in the delivery job: the bytes the authority receives. */
  readonly xml: string;
  readonly form: CompiledForm;
  readonly tenant: Tenant;
  readonly authority: { readonly name: string; readonly email: string };
  /** The pages' UI strings (Ja/Nein), so that receipt and check page show answers alike. */
  readonly strings: (language: Language) => UiStrings;
  readonly municipalities: MunicipalitySearch;
}

export interface ReceiptSection {
  readonly title: string;
  /** Answered questions only, in form order; lists as numbered items. */
  readonly entries: readonly SummaryEntry[];
}

/** Everything the PDF shows, already in the applicant's language: rendering decides nothing. */
export interface ReceiptModel {
  readonly language: Language;
  readonly texts: ReceiptTexts;
  readonly tenantName: string;
  readonly title: string;
  readonly formTitle: string;
  readonly reference: string;
  /** The moment of receipt; also the PDF's creation date, which keeps the PDF reproducible. */
  readonly receivedAt: Date;
  /** "28.11.2026, 18:24 Uhr" / "28 November 2026, 18:24", Europe/Berlin. */
  readonly receivedAtText: string;
  readonly authority: { readonly name: string; readonly email: string };
  /** The fee with what it is for, in the receipt's language, when the submission's local parameters set one. */
  readonly fee?: string;
  /** The legal basis, when the local parameters set one. */
  readonly legalBasis?: string;
  /** A tester's submission: a TEST watermark on every page and a notice under the title. */
  readonly test: boolean;
  readonly sections: readonly ReceiptSection[];
  /** The labels of the declarations the applicant confirmed. */
  readonly declarations: readonly string[];
  /** SHA-256 (hex) of the XML payload, which the PDF also carries as an attachment. */
  readonly xmlSha256: string;
  readonly xmlFileName: string;
}


/** Unanswered questions and empty lists say nothing about what was submitted: left out. */
function answered(entries: readonly SummaryEntry[]): SummaryEntry[] {
  return entries.flatMap((entry): SummaryEntry[] => {
    if (entry.kind === 'answer') return entry.value === '' ? [] : [entry];
    const items = entry.items.map((item) => ({ title: item.title, entries: answered(item.entries) }));
    return items.length === 0 ? [] : [{ ...entry, items }];
  });
}

function parseData(dataJson: string): Record<string, unknown> {
  const parsed: unknown = JSON.parse(dataJson);
  return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
}

/**
 * Builds the receipt of a stored submission: in the language it was submitted in, the answers
 * grouped by step as on the check page (answers that no longer apply are left out), the
 * declarations confirmed and the fingerprint of the XML the authority receives. Pure.
 */
export function buildReceiptModel(source: ReceiptSource): ReceiptModel {
  const { submission, form } = source;
  const language: Language = submission.language === 'en' ? 'en' : 'de';
  const texts = RECEIPT_TEXTS[language];
  const data = pruneInapplicable(form.root, parseData(submission.dataJson));
  const context = { language, strings: source.strings(language), municipalities: source.municipalities };
  const sections = form.steps
    .filter((step) => stepApplies(step, data))
    .map((step) => ({ title: localize(step.title, language) ?? step.id, entries: answered(summaryEntries(form, step, data, context)) }))
    .filter((section) => section.entries.length > 0);
  const declarations = form.declarations
    .filter((node) => getAtPointer(data, node.pattern) === true)
    .map((node) => localize(node.label, language) ?? node.name);
  return {
    language,
    texts,
    tenantName: localize(source.tenant.name, language) ?? source.tenant.id,
    title: texts.title,
    formTitle: localize(form.definition.title, language) ?? form.definition.id,
    reference: submission.id,
    receivedAt: submission.createdAt,
    receivedAtText: formatReceivedAt(submission.createdAt, language),
    authority: { name: source.authority.name, email: source.authority.email },
    ...receiptParameters(submission.parametersJson, language, texts),
    test: submission.test === true,
    sections,
    declarations,
    xmlSha256: sha256Hex(source.xml),
    xmlFileName: `${submission.id}.xml`,
  };
}
