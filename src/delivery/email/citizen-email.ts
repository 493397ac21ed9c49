import { readFile } from 'node:fs/promises';
import path from 'node:path';
import Handlebars from 'handlebars';
import type Mail from 'nodemailer/lib/mailer';
import type { SendJob } from '../channels';
import type { FormRegistry } from '../../forms/form-registry';
import { getAtPointer } from '../../support/json-pointer';
import { receiptFailureFields } from '../../receipts/receipt-error';
import type { RoutingTable } from '../../routing/routing-table';
import type { Store, SubmissionRecord } from '../../storage/ports';
import type { Logger } from '../../support/logger';
import { sendAsAttempt, type MailTransport } from './mail-transport';
import type { Language } from '../../i18n/language';
import { localize } from '../../i18n/language';
import { formatLongDateTime } from '../../i18n/formatters';
import { TEST_SUBJECT_PREFIX } from '../../i18n/authority-email-texts';

type Template = (model: Record<string, unknown>) => string;
/** The applicant's confirmation in one language: subject, plain text and HTML. */
export interface ConfirmationTemplates { readonly subject: Template; readonly text: Template; readonly html: Template }

/** Loads templates/email/confirmation.<lang>.{subject,text,html}.hbs once, at start. */
export async function loadConfirmationTemplates(templatesDir: string): Promise<Record<Language, ConfirmationTemplates>> {
  const hbs = Handlebars.create();
  const load = async (language: Language, part: string, escape: boolean): Promise<Template> => {
    const source = await readFile(path.join(templatesDir, 'email', `confirmation.${language}.${part}.hbs`), 'utf8');
    return hbs.compile(source.trim(), { noEscape: !escape });
  };
  const result = {} as Record<Language, ConfirmationTemplates>;
  for (const language of ['de', 'en'] as const) {
    // Only the HTML part is HTML-escaped; subject and plain text carry the characters as they are.
    result[language] = { subject: await load(language, 'subject', false), text: await load(language, 'text', false), html: await load(language, 'html', true) };
  }
  return result;
}

export interface Attachment {
  readonly filename: string;
  readonly content: Buffer;
  readonly contentType: string;
}

export interface CitizenEmailOptions {
  readonly store: Store;
  readonly forms: FormRegistry;
  readonly routing: RoutingTable;
  readonly templates: Record<Language, ConfirmationTemplates>;
  readonly transport: MailTransport;
  readonly from: string;
  /**
   * The receipt PDF to attach, when receipts are available. When it throws, the e-mail goes out
   * without it: the applicant downloads the receipt later, the e-mail must not wait for it.
   */
  readonly attachments?: (record: SubmissionRecord) => Promise<Attachment[]>;
  /** Where a receipt that could not be produced is logged (`receipt.render_failed`). */
  readonly logger?: Logger;
}

/**
 * The confirmation e-mail to the applicant, sent from the durable job queue like a delivery:
 * an SMTP outage delays it, it never loses it or fails the submission. The address and texts
 * are taken from the stored submission when the job runs; errors name only SMTP codes.
 */
export function createCitizenEmail(options: CitizenEmailOptions): SendJob {
  return async (job) => {
    const record = await options.store.submissions.find(job.submissionId);
    const form = record ? options.forms.get(record.formId) : undefined;
    const found = record ? options.routing.authority(record.authorityId) : undefined;
    if (!record || !form || !found) return { ok: false, error: 'submission, form or authority not found' };
    const pointer = form.definition.emailField;
    const to = pointer ? getAtPointer(JSON.parse(record.dataJson), pointer) : undefined;
    // Nothing to send is done, not failed: the job was only made when there was an address.
    if (typeof to !== 'string' || to === '') return { ok: true, status: 0 };
    const language: Language = record.language === 'en' ? 'en' : 'de';
    let attachments: Attachment[] = [];
    try {
      if (options.attachments) attachments = await options.attachments(record);
    } catch (err) {
      // Only the reference and what receiptFailureFields lets through: never the answers.
      options.logger?.error('receipt.render_failed', { reference: record.id, channel: 'email-citizen', ...receiptFailureFields(err) });
    }
    const model = {
      reference: record.id,
      formTitle: localize(form.definition.title, language),
      authorityName: found.authority.name,
      authorityEmail: found.authority.email,
      tenantName: localize(found.tenant.name, language),
      receivedAt: formatLongDateTime(record.createdAt, language),
      hasReceipt: attachments.length > 0,
    };
    const templates = options.templates[language];
    const message: Mail.Options = {
      from: options.from,
      to,
      subject: `${job.test === true ? TEST_SUBJECT_PREFIX[language] : ''}${templates.subject(model)}`,
      text: templates.text(model),
      html: templates.html(model),
      // The same Message-ID on every attempt lets mail systems drop a repeated message.
      messageId: `<${job.idempotencyKey}@efa-forms>`,
      headers: { 'Auto-Submitted': 'auto-generated', ...(job.test === true ? { 'X-Efa-Test': 'true' } : {}) },
      attachments: attachments.map((a) => ({ filename: a.filename, content: a.content, contentType: a.contentType })),
    };
    // An address the applicant mistyped stays wrong, but the applicant's e-mail is retried until
    // it is given up like any other job: it never decides anything.
    return sendAsAttempt(options.transport, message, `${record.id}-${job.id}.eml`, false);
  };
}
