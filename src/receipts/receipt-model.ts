import { sha256Hex } from '../support/sha256';
import { getAtPointer } from '../support/json-pointer';
import { pruneInapplicable, stepApplies } from '../forms/applicability';
import type { CompiledForm } from '../forms/compiled-form';
import { summaryEntries, type SummaryEntry } from '../forms/summary';
import type { MunicipalitySearch } from '../routing/municipality-search';
import type { Tenant } from '../routing/tenant';
import type { AttachmentRecord, SubmissionRecord } from '../storage/ports';
import { ATTACHMENT_RECEIPT_TEXTS } from '../i18n/attachment-texts';
import { formatFileSize } from '../i18n/file-size';
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
  /** The files sent with it (the store's attachments of the submission, in the order of the answers). */
  readonly attachments?: readonly AttachmentRecord[];
}

export interface ReceiptSection {
  readonly title: string;
  /** Answered questions only, in form order; lists as numbered items. */
  readonly entries: readonly SummaryEntry[];
}

/** A file sent with the application as the receipt lists it. */
export interface ReceiptAttachment {
  readonly fileName: string;
  /** "1,2 MB" (i18n/file-size.ts). */
  readonly size: string;
  /** SHA-512 of the bytes, hex (128 characters): what the authority receives can be checked against it. */
  readonly sha512: string;
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
  /** The files sent with the application, with size and SHA-512; none: the receipt has no such section. */
  readonly attachments: readonly ReceiptAttachment[];
  readonly attachmentTexts: { readonly title: string; readonly intro: string; readonly size: string; readonly hash: string };
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
 * declarations confirmed, the files sent with it (size and SHA-512) and the fingerprint of the
 * XML the authority receives. Pure.
 */
export function buildReceiptModel(source: ReceiptSource): ReceiptModel {
  const { submission, form } = source;
  const language: Language = submission.language === 'en' ? 'en' : 'de';
  const texts = RECEIPT_TEXTS[language];
  const data = pruneInapplicable(form.root, parseData(submission.dataJson));
  const attachments = source.attachments ?? [];
  // A file question's answer reads as its files' names and sizes, as on the check page.
  const files = { byId: new Map(attachments.map((a) => [a.id, { fileName: a.fileName, size: a.size }])), maxFileBytes: Number.MAX_SAFE_INTEGER };
  const context = { language, strings: source.strings(language), municipalities: source.municipalities, files };
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
    attachments: attachments.map((a) => ({ fileName: a.fileName, size: formatFileSize(a.size, language), sha512: a.sha512 })),
    attachmentTexts: {
      title: ATTACHMENT_RECEIPT_TEXTS.title[language], intro: ATTACHMENT_RECEIPT_TEXTS.intro[language],
      size: ATTACHMENT_RECEIPT_TEXTS.size[language], hash: ATTACHMENT_RECEIPT_TEXTS.hash[language],
    },
    xmlSha256: sha256Hex(source.xml),
    xmlFileName: `${submission.id}.xml`,
  };
}
