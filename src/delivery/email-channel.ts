import { readFile } from 'node:fs/promises';
import path from 'node:path';
import Handlebars from 'handlebars';
import type Mail from 'nodemailer/lib/mailer';
import { localize } from '../forms/form-definition';
import type { FormRegistry } from '../forms/form-registry';
import { sendAsAttempt, type MailTransport } from '../notifications/mail-transport';
import type { RoutingTable } from '../routing/routing-table';
import type { SubmissionRecord, SubmissionRepository } from '../storage/ports';
import type { SendJob } from './channels';
import { JWE_CONTENT_TYPE } from './payload-encryption';

type Template = (model: Record<string, unknown>) => string;
export interface AuthorityEmailTemplates { readonly subject: Template; readonly text: Template }

/** Loads templates/email/authority.de.{subject,text}.hbs once, at start (authorities get German). */
export async function loadAuthorityEmailTemplates(templatesDir: string): Promise<AuthorityEmailTemplates> {
  const hbs = Handlebars.create();
  const load = async (part: string): Promise<Template> =>
    hbs.compile((await readFile(path.join(templatesDir, 'email', `authority.de.${part}.hbs`), 'utf8')).trim(), { noEscape: true });
  return { subject: await load('subject'), text: await load('text') };
}


export interface AuthorityEmailOptions {
  readonly submissions: Pick<SubmissionRepository, 'find'>;
  readonly forms: FormRegistry;
  readonly routing: RoutingTable;
  readonly templates: AuthorityEmailTemplates;
  readonly transport: MailTransport;
  readonly from: string;
  /** The PDF receipt of the submission. */
  readonly receipt: (record: SubmissionRecord) => Promise<Buffer>;
  /** Encrypts an attachment to the authority's key (JWE), when the payload is encrypted. */
  readonly seal: (authorityId: string, content: Buffer, contentType: string) => Promise<{ readonly jwe: string; readonly kid: string } | undefined>;
}

/**
 * The `email` channel: the payload and the PDF receipt to the authority's functional mailbox.
 * When the authority has an encryption key, both attachments are JWE and nothing readable is
 * in the message itself (the text names only form, reference number and time).
 */
export function createAuthorityEmail(options: AuthorityEmailOptions): SendJob {
  return async (job) => {
    const record = await options.submissions.find(job.submissionId);
    const form = record ? options.forms.get(record.formId) : undefined;
    const found = options.routing.authority(job.authorityId);
    if (!record || !form || !found) return { ok: false, error: 'submission, form or authority not found' };
    const target = found.authority.delivery;
    const to = target.type === 'email' && target.to ? target.to : found.authority.email;
    const pdf = await options.receipt(record);
    // The receipt embeds the XML: it is encrypted whenever the authority has a key (the job's
    // payload was sealed before this channel was called, see payload-sealing.ts).
    const sealedPdf = await options.seal(job.authorityId, pdf, 'application/pdf');
    const encrypted = job.contentType === JWE_CONTENT_TYPE && sealedPdf !== undefined;
    let attachments: Mail.Attachment[];
    let kid = '';
    if (encrypted) {
      kid = sealedPdf.kid;
      attachments = [
        { filename: `${record.id}.xml.jwe`, content: job.body, contentType: JWE_CONTENT_TYPE },
        { filename: `Eingangsbestaetigung-${record.id}.pdf.jwe`, content: sealedPdf.jwe, contentType: JWE_CONTENT_TYPE },
      ];
    } else {
      const jwe = job.contentType === JWE_CONTENT_TYPE;
      attachments = [
        { filename: jwe ? `${record.id}.xml.jwe` : `${record.id}.xml`, content: job.body, contentType: job.contentType },
        { filename: `Eingangsbestaetigung-${record.id}.pdf`, content: pdf, contentType: 'application/pdf' },
      ];
    }
    const model = {
      reference: record.id,
      formTitle: localize(form.definition.title, 'de'),
      formVersion: record.formVersion,
      authorityName: found.authority.name,
      tenantName: localize(found.tenant.name, 'de'),
      receivedAt: new Intl.DateTimeFormat('de-DE', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Europe/Berlin' }).format(record.createdAt),
      encrypted,
      kid,
      xmlName: attachments[0]?.filename,
      pdfName: attachments[1]?.filename,
    };
    const message: Mail.Options = {
      from: options.from,
      to,
      subject: options.templates.subject(model),
      text: options.templates.text(model),
      // The same Message-ID on every attempt lets the mailbox drop a repeated message.
      messageId: `<${job.idempotencyKey}@efa-forms>`,
      headers: { 'Auto-Submitted': 'auto-generated', 'X-Efa-Reference': record.id, 'Idempotency-Key': job.idempotencyKey },
      attachments,
    };
    // A mailbox the server refuses needs an operator to fix the tenant file: dead at once.
    return sendAsAttempt(options.transport, message, `${record.id}-${job.id}.eml`, true);
  };
}
