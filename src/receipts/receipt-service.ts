import { createHash } from 'node:crypto';
import { AppError } from '../errors';
import type { FormRegistry } from '../forms/form-registry';
import type { Translator } from '../i18n/translator';
import type { MunicipalitySearch } from '../routing/municipality-search';
import type { RoutingTable } from '../routing/routing-table';
import type { AttachmentRepository, ReceiptStore, SubmissionRecord } from '../storage/ports';
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
  /** Where each receipt is kept once rendered (the store's `receipts`). */
  readonly stored: ReceiptStore;
  /** The files sent with a submission (the store's `attachments`), listed with size and SHA-512; without it, none. */
  readonly attachments?: Pick<AttachmentRepository, 'ofSubmission'>;
}

export interface Receipt {
  readonly reference: string;
  readonly pdf: Buffer;
}

/**
 * The PDF receipt of a submission: rendered once, by whoever asks first, from what was stored
 * (the answers and the XML payload as accepted), then kept in the store, so the applicant's
 * e-mail, the download, the authority's e-mail and its inbox serve the same bytes, in every
 * process (docs/receipts.md). Not rendered at acceptance: the 201 does not wait for a PDF.
 */
export interface Receipts {
  /** The receipt if the token matches; otherwise undefined, whatever was wrong. */
  receiptFor(reference: string, token: string | undefined): Promise<Receipt | undefined>;
  /**
   * The receipt of a stored submission (for e-mails and the inbox, which have no token).
   * Rejects with SUBMISSION_DATA_DELETED (410) for a purged submission, also one purged while
   * its receipt was being rendered: nothing is rendered from, or stored for, deleted data.
   */
  receiptOf(submission: SubmissionRecord): Promise<Receipt>;
}

export function createReceipts(deps: ReceiptsDependencies): Receipts {
  const { submissions, routing, forms, renderer, stored } = deps;
  /**
   * Renders under way in this process, by submission: the applicant's and the authority's
   * e-mails of one submission are often sent at the same moment, and the second must wait for
   * the first's PDF instead of rendering its own. Other processes may render at the same time;
   * the store keeps the first PDF stored and every process serves that one.
   */
  const rendering = new Map<string, Promise<Receipt>>();

  async function render(submission: SubmissionRecord): Promise<Buffer> {
    const found = routing.authority(submission.authorityId);
    const form = forms.get(submission.formId);
    // The authority's payload as accepted (the job may carry it encrypted).
    const xml = submission.payloadXml;
    if (!found) throw new ReceiptError(`receipt ${submission.id}: authority ${submission.authorityId} is no longer in the tenant files`);
    if (!form) throw new ReceiptError(`receipt ${submission.id}: form ${submission.formId} is no longer loaded`);
    if (xml === '') throw new ReceiptError(`receipt ${submission.id}: the submission holds no payload`);
    const attachments = deps.attachments ? await deps.attachments.ofSubmission(submission.id) : [];
    const receipt = buildReceiptModel({
      submission, xml, form, tenant: found.tenant, authority: found.authority,
      strings: (language) => deps.translator.strings(language), municipalities: deps.municipalities, attachments,
    });
    return renderer.render(receipt, xml);
  }

  async function renderAndStore(submission: SubmissionRecord, store: ReceiptStore): Promise<Receipt> {
    const kept = await store.findReceipt(submission.id);
    if (kept) return { reference: submission.id, pdf: checked(submission.id, kept) };
    const first = await store.putReceiptIfAbsent(submission.id, await render(submission));
    // The record was read before a purge that has committed since: the PDF is dropped.
    if (!first) throw new AppError('SUBMISSION_DATA_DELETED', `receipt of ${submission.id}: purged while it was rendered`);
    return { reference: submission.id, pdf: checked(submission.id, first) };
  }

  async function receiptOf(submission: SubmissionRecord): Promise<Receipt> {
    if (submission.purgedAt) throw new AppError('SUBMISSION_DATA_DELETED', `receipt of ${submission.id}: purged`);
    const running = rendering.get(submission.id);
    if (running) return running;
    const started = renderAndStore(submission, stored).finally(() => rendering.delete(submission.id));
    rendering.set(submission.id, started);
    return started;
  }

  return {
    async receiptFor(reference, token) {
      const submission = await submissions.findWithToken(reference, token);
      return submission ? receiptOf(submission) : undefined;
    },
    receiptOf,
  };
}

/** The stored bytes, if they still hash to the SHA-256 stored with them: a damaged row is never served as a receipt. */
function checked(reference: string, kept: { readonly pdf: Buffer; readonly sha256: string }): Buffer {
  const actual = createHash('sha256').update(kept.pdf).digest('hex');
  if (actual !== kept.sha256) throw new ReceiptError(`receipt ${reference}: the stored PDF does not match its SHA-256`);
  return kept.pdf;
}
