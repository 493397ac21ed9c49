import type { FormRegistry } from '../forms/form-registry';
import type { Translator } from '../i18n/translator';
import type { MunicipalitySearch } from '../routing/municipality-search';
import type { RoutingTable } from '../routing/routing-table';
import type { SubmissionRecord } from '../storage/ports';
import { ReceiptError } from './receipt-error';
import { buildReceiptModel } from './receipt-model';
import type { ReceiptRenderer } from './render-receipt';

export interface ReceiptsDependencies {
  /** The submission behind a reference, if the status token matches (submissions/submission-lookup.ts). */
  // Typed here, not imported from submissions/: that folder depends on delivery/, which uses receipts.
  readonly submissions: { readonly findWithToken: (reference: string, token: string | undefined) => Promise<SubmissionRecord | undefined> };
  readonly routing: RoutingTable;
  readonly forms: FormRegistry;
  /** The pages' UI strings (Ja/Nein), so that receipt and check page show answers alike. */
  readonly translator: Translator;
  readonly municipalities: MunicipalitySearch;
  readonly renderer: ReceiptRenderer;
}

export interface Receipt {
  readonly reference: string;
  readonly pdf: Buffer;
}

/**
 * The PDF receipt of a submission, rendered on demand from what was stored (nothing is kept):
 * the answers and the XML payload as accepted.
 */
export interface Receipts {
  /** The receipt if the token matches; otherwise undefined, whatever was wrong. */
  receiptFor(reference: string, token: string | undefined): Promise<Receipt | undefined>;
  /** The receipt of a stored submission (for e-mails and the inbox, which have no token). */
  receiptOf(submission: SubmissionRecord): Promise<Receipt>;
}

export function createReceipts(deps: ReceiptsDependencies): Receipts {
  const { submissions, routing, forms, renderer } = deps;

  async function receiptOf(submission: SubmissionRecord): Promise<Receipt> {
    const found = routing.authority(submission.authorityId);
    const form = forms.get(submission.formId);
    // The authority's payload as accepted (the job may carry it encrypted).
    const xml = submission.payloadXml;
    if (!found) throw new ReceiptError(`receipt ${submission.id}: authority ${submission.authorityId} is no longer in the tenant files`);
    if (!form) throw new ReceiptError(`receipt ${submission.id}: form ${submission.formId} is no longer loaded`);
    if (xml === '') throw new ReceiptError(`receipt ${submission.id}: the submission holds no payload`);
    const receipt = buildReceiptModel({
      submission, xml, form, tenant: found.tenant, authority: found.authority,
      strings: (language) => deps.translator.strings(language), municipalities: deps.municipalities,
    });
    return { reference: submission.id, pdf: await renderer.render(receipt, xml) };
  }

  return {
    async receiptFor(reference, token) {
      const submission = await submissions.findWithToken(reference, token);
      return submission ? receiptOf(submission) : undefined;
    },
    receiptOf,
  };
}
