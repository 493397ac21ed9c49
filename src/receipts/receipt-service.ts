import type { FormModel } from '../forms/question-tree';
import type { MunicipalitySearch } from '../routing/municipality-search';
import type { RoutingTable } from '../routing/routing-table';
import type { SubmissionRecord } from '../storage/ports';
import type { SubmissionService } from '../submissions/submission-service';
import { ReceiptError } from './receipt-error';
import { buildReceiptModel } from './receipt-model';
import type { ReceiptRenderer } from './render-receipt';
import type { Language } from '../i18n/language';
import type { UiStrings } from '../i18n/translator';

export interface ReceiptServiceOptions {
  readonly submissions: Pick<SubmissionService, 'findWithToken'>;
  readonly routing: RoutingTable;
  readonly models: ReadonlyMap<string, FormModel>;
  readonly strings: (language: Language) => UiStrings;
  readonly municipalities: MunicipalitySearch;
  readonly renderer: ReceiptRenderer;
}

export interface Receipt {
  readonly reference: string;
  readonly pdf: Buffer;
}

/**
 * The PDF receipt of a submission, rendered on demand from what was stored (nothing is kept):
 * the answers and the XML payload as accepted. Only with the status token.
 */
export function createReceiptService(options: ReceiptServiceOptions) {
  const { submissions, routing, models, renderer } = options;

  /** The receipt if the token matches; otherwise undefined, whatever was wrong. */
  async function receiptFor(reference: string, token: string | undefined): Promise<Receipt | undefined> {
    const submission = await submissions.findWithToken(reference, token);
    return submission ? receiptOf(submission) : undefined;
  }

  /** The receipt of a stored submission (for the applicant's e-mail, which has no token). */
  async function receiptOf(submission: SubmissionRecord): Promise<Receipt> {
    const found = routing.authority(submission.authorityId);
    const model = models.get(submission.formId);
    // The authority's payload as accepted (the job may carry it encrypted).
    const xml = submission.payloadXml;
    if (!found) throw new ReceiptError(`receipt ${submission.id}: authority ${submission.authorityId} is no longer in the tenant files`);
    if (!model) throw new ReceiptError(`receipt ${submission.id}: form ${submission.formId} is no longer loaded`);
    if (xml === '') throw new ReceiptError(`receipt ${submission.id}: the submission holds no payload`);
    const receipt = buildReceiptModel({
      submission, xml, model, tenant: found.tenant, authority: found.authority,
      strings: options.strings, municipalities: options.municipalities,
    });
    return { reference: submission.id, pdf: await renderer.render(receipt, xml) };
  }

  return { receiptFor, receiptOf };
}

export type ReceiptService = ReturnType<typeof createReceiptService>;
