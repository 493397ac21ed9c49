import { readFile } from 'node:fs/promises';
import path from 'node:path';
import Handlebars from 'handlebars';
import type Mail from 'nodemailer/lib/mailer';
import type { FormRegistry } from '../../forms/form-registry';
import { sendAsAttempt, type MailTransport } from './mail-transport';
import { receiptFailureFields } from '../../receipts/receipt-error';
import type { RoutingTable } from '../../routing/routing-table';
import type { AttachmentRepository, SubmissionRecord, SubmissionRepository } from '../../storage/ports';
import type { Logger } from '../../support/logger';
import type { SendJob } from '../channels';
import type { OutboundFile, OutboundPayloads } from '../outbound-payload';
import { localize } from '../../i18n/language';
import { formatFileSize } from '../../i18n/file-size';
import { formatLongDateTime } from '../../i18n/formatters';
import { AUTHORITY_NO_RECEIPT_NOTE, TEST_SUBJECT_PREFIX } from '../../i18n/authority-email-texts';
import { receiptFileName } from '../../i18n/receipt-texts';

type Template = (model: Record<string, unknown>) => string;
export interface AuthorityEmailTemplates { readonly subject: Template; readonly text: Template }

/** Loads templates/email/authority.de.{subject,text}.hbs once, at start (authorities get German). */
export async function loadAuthorityEmailTemplates(templatesDir: string): Promise<AuthorityEmailTemplates> {
  const hbs = Handlebars.create();
  const load = async (part: string): Promise<Template> =>
    hbs.compile((await readFile(path.join(templatesDir, 'email', `authority.de.${part}.hbs`), 'utf8')).trim(), { noEscape: true });
  return { subject: await load('subject'), text: await load('text') };
}

/** Said to the authority in place of the receipt's attachment line when there is no PDF. */
export const NO_RECEIPT_NOTE = AUTHORITY_NO_RECEIPT_NOTE.de;
/** Stands for the PDF's name while the text is rendered without a PDF (see withoutReceiptLine). */
const NO_PDF_MARK = '\u0000no-receipt\u0000';

/**
 * The authority's text when the receipt could not be produced: the template names the PDF in a
 * line of its own ("- {{pdfName}}: die Eingangsbestätigung …"), rendered with a mark in place
 * of the name; that line becomes the note. A template that does not name the PDF gets the note
 * at the end.
 */
function withoutReceiptLine(text: string): string {
  const lines = text.split('\n');
  if (!lines.some((line) => line.includes(NO_PDF_MARK))) return `${text}\n\n${NO_RECEIPT_NOTE}`;
  let noted = false;
  return lines.flatMap((line) => {
    if (!line.includes(NO_PDF_MARK)) return [line];
    if (noted) return [];
    noted = true;
    return ['', NO_RECEIPT_NOTE];
  }).join('\n');
}

export interface AuthorityEmailOptions {
  readonly submissions: Pick<SubmissionRepository, 'find'>;
  readonly forms: FormRegistry;
  readonly routing: RoutingTable;
  readonly templates: AuthorityEmailTemplates;
  readonly transport: MailTransport;
  readonly from: string;
  /**
   * The PDF receipt of the submission. When it throws, the e-mail goes out with the XML alone
   * and a note: the authority must get the application whatever happens to its receipt.
   */
  readonly receipt: (record: SubmissionRecord) => Promise<Buffer>;
  /** Decides whether the attachments leave plain or as JWE, and with which key id; hands over the submission's files. */
  readonly outbound: Pick<OutboundPayloads, 'authorityMail' | 'withFiles'>;
  /**
   * The largest total of the applicant's files (in bytes, as attached: the JWE when sealed) the
   * message carries for an authority with an API key (`delivery.apiKeyHashEnv`); with more, none
   * is attached and the text says where to fetch them (the inbox API). An authority without a key
   * gets every file attached. Default DEFAULT_MAX_ATTACHMENT_BYTES (EMAIL_ATTACHMENT_MAX_BYTES).
   */
  readonly maxAttachmentBytes?: number;
  /**
   * Where the files a message goes without are marked as waiting in the inbox: the submission's
   * retention then waits until each was fetched (docs/retention.md), so none is deleted unseen.
   */
  readonly attachments: Pick<AttachmentRepository, 'holdForFetch' | 'releaseHold'>;
  /** Whether the authority has a loaded API key for the inbox's file routes (authority-credentials.ts inboxKeys). */
  readonly canFetchFiles: (authorityId: string) => boolean;
  readonly now: () => Date;
  /** PUBLIC_BASE_URL, for the files' address in the text; '' gives the path alone. */
  readonly publicBaseUrl?: string;
  /** Where a receipt that could not be produced is logged (`receipt.render_failed`). */
  readonly logger?: Logger;
}

/** 10 MB: what most mail servers still accept once base64 has made it a third larger. */
export const DEFAULT_MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;

/** How the text names one of the applicant's files: its size and hash as the payload lists them (the upload's, also when sealed). */
function fileLine(file: OutboundFile): Record<string, string> {
  return { name: file.fileName, size: formatFileSize(file.uploadedSize, 'de'), sha512: file.sha512 };
}

/**
 * The `email` channel: the payload, the PDF receipt and the applicant's files to the authority's
 * functional mailbox (the files only up to maxAttachmentBytes in total; beyond, the text points
 * to the inbox API instead).
 * When the authority has an encryption key, both attachments are JWE and nothing readable is
 * in the message itself (the text names only form, reference number and time). A receipt that
 * cannot be produced never holds the application back: the XML goes out alone, with a note.
 */
export function createAuthorityEmail(options: AuthorityEmailOptions): SendJob {
  const maxAttachmentBytes = options.maxAttachmentBytes ?? DEFAULT_MAX_ATTACHMENT_BYTES;
  return (job) => options.outbound.withFiles(job, async (files) => {
    const record = await options.submissions.find(job.submissionId);
    const form = record ? options.forms.get(record.formId) : undefined;
    const found = options.routing.authority(job.authorityId);
    if (!record || !form || !found) return { ok: false, error: 'submission, form or authority not found' };
    const target = found.authority.delivery;
    const to = target.type === 'email' && target.to ? target.to : found.authority.email;
    let pdf: Buffer | undefined;
    try {
      pdf = await options.receipt(record);
    } catch (err) {
      // Only the reference and what receiptFailureFields lets through: never the answers.
      options.logger?.error('receipt.render_failed', { reference: record.id, channel: 'email', ...receiptFailureFields(err) });
    }
    // Plain or encrypted is decided in outbound-payload.ts (the job's payload was sealed before
    // this channel was called; the receipt embeds the XML and is sealed with it).
    const { encrypted, kid, payload, receipt } = await options.outbound.authorityMail(job, pdf);
    const xmlAttachment: Mail.Attachment = { filename: `${record.id}.xml${payload.fileSuffix}`, content: payload.body, contentType: payload.contentType };
    const pdfAttachment: Mail.Attachment | undefined = receipt
      ? { filename: `${receiptFileName(record.id)}${receipt.fileSuffix}`, content: receipt.body, contentType: receipt.contentType }
      : undefined;
    // The files follow the payload (sealed copies when it is a JWE), streamed from the store.
    // Past the limit they stay in the inbox only for an authority that can fetch them (its API
    // key); one that cannot gets them attached whatever their size: a mail server refusing the
    // message fails the job, which is retried and shown to operators, never delivered without them.
    // A key that is loaded, not merely named: files held for a fetch that cannot come would keep the application for ever.
    const canFetch = target.type === 'email' && options.canFetchFiles(job.authorityId);
    const filesAttached = !canFetch || files.reduce((sum, file) => sum + file.size, 0) <= maxAttachmentBytes;
    const fileAttachments: Mail.Attachment[] = filesAttached
      ? files.map((file) => ({ filename: file.fileName, content: file.open(), contentType: file.contentType }))
      : [];
    // Held before the message leaves: once it is out, the inbox is where the files are.
    if (!filesAttached && files.length > 0) await options.attachments.holdForFetch(record.id, options.now());
    const attachments = [xmlAttachment, ...(pdfAttachment ? [pdfAttachment] : []), ...fileAttachments];
    const model = {
      reference: record.id,
      formTitle: localize(form.definition.title, 'de'),
      formVersion: record.formVersion,
      authorityName: found.authority.name,
      tenantName: localize(found.tenant.name, 'de'),
      receivedAt: formatLongDateTime(record.createdAt, 'de'),
      encrypted,
      kid,
      xmlName: xmlAttachment.filename,
      pdfName: pdfAttachment ? pdfAttachment.filename : NO_PDF_MARK,
      files: files.map(fileLine),
      filesAttached,
      filesLimit: formatFileSize(maxAttachmentBytes, 'de'),
      filesUrl: `${options.publicBaseUrl ?? ''}/api/authority/inbox/${encodeURIComponent(record.id)}/attachments`,
    };
    const text = options.templates.text(model);
    const message: Mail.Options = {
      from: options.from,
      to,
      // The mark is for the text's attachment line only, never for a header.
      subject: `${job.test === true ? TEST_SUBJECT_PREFIX.de : ''}${options.templates.subject({ ...model, pdfName: pdfAttachment?.filename ?? '' })}`,
      text: pdfAttachment ? text : withoutReceiptLine(text),
      // The same Message-ID on every attempt lets the mailbox drop a repeated message.
      messageId: `<${job.idempotencyKey}@efa-forms>`,
      headers: {
        'Auto-Submitted': 'auto-generated', 'X-Efa-Reference': record.id, 'Idempotency-Key': job.idempotencyKey,
        ...(job.test === true ? { 'X-Efa-Test': 'true' } : {}),
      },
      attachments,
    };
    // A mailbox the server refuses needs an operator to fix the tenant file: dead at once.
    const sent = await sendAsAttempt(options.transport, message, `${record.id}-${job.id}.eml`, true);
    // A later attempt that carried the files (a higher limit, the key gone) ends an earlier hold.
    if (sent.ok && filesAttached && files.length > 0) await options.attachments.releaseHold(record.id);
    return sent;
  });
}
