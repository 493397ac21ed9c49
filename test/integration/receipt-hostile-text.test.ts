import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { ParsedMail } from 'mailparser';
import type { Container } from '../../src/container';
import { createAuthorityEmail, loadAuthorityEmailTemplates, NO_RECEIPT_NOTE } from '../../src/delivery/email/authority-email';
import { createCitizenEmail, loadConfirmationTemplates } from '../../src/delivery/email/citizen-email';
import { smtpTransport, type MailTransport } from '../../src/delivery/email/mail-transport';
import { createOutboundPayloads } from '../../src/delivery/outbound-payload';
import { ReceiptError } from '../../src/receipts/receipt-error';
import type { Tenant } from '../../src/routing/tenant';
import { createMemoryLogger } from '../../src/support/logger';
import { FAST_RETRIES, submit, waitUntil } from '../support/channel-harness';
import { decryptJwe, TEST_ENCRYPTION_KID, testEncryptionKeys } from '../support/encryption-keys';
import { HOSTILE_TEXTS } from '../support/hostile-texts';
import { getBinary, pdfText, squash } from '../support/pdf';
import { startSmtp, type TestSmtp } from '../support/smtp';
import { listedAttachments } from '../support/stored-attachments';
import { tempDir } from '../support/temp-dir';
import { buildContainer, example, REPO, SAMPLE_FORMS, writeSampleTenant } from '../support/test-setup';

/**
 * Issue 9, point 2: whatever passes validation renders, and a receipt that cannot be produced
 * never blocks the authority's delivery or the applicant's e-mail. Jena's authority takes its
 * applications by e-mail here; authority and applicant mail through one real SMTP server.
 */

const JENA = 'buergerservice.jena@example.org';
const APPLICANT = 'a.gruenewald@example.org';
const addressedTo = (address: string) => (m: ParsedMail) => (m.to && !Array.isArray(m.to) ? m.to.text : '') === address;

/**
 * The residents' parking sample (Jena) with the applicant's name in Tifinagh and joiners; its
 * two vehicle registration files (uploaded by submit) travel with it to the authority.
 */
function parkingPermitWithTifinagh(): Record<string, unknown> {
  const data = example('anwohnerparkausweis', 'valid-2') as { antragsteller: Record<string, unknown>; fahrzeug: Record<string, unknown> };
  data.antragsteller.vorname = HOSTILE_TEXTS.tifinaghZwj;
  data.antragsteller.nachname = `${HOSTILE_TEXTS.tifinaghZwnj} ${HOSTILE_TEXTS.tifinaghCgj}`;
  data.fahrzeug.halterName = HOSTILE_TEXTS.tifinaghZwjAlone;
  expect(data.antragsteller.email).toBe(APPLICANT);
  return data;
}

describe('hostile text in a submission, end to end', () => {
  let dir: ReturnType<typeof tempDir>;
  let container: Container | undefined;
  let smtp: TestSmtp | undefined;
  let transport: MailTransport | undefined;

  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(async () => {
    transport?.close();
    transport = undefined;
    await container?.close(2000);
    container = undefined;
    await smtp?.close();
    smtp = undefined;
    dir.remove();
  });

  /**
   * Makes the submission's row one without its plain payload, as migration 4 left those whose
   * payload it could not copy (it copied only from `http` jobs): the receipt service refuses to
   * build a receipt for it. Its e-mail job still carries the XML the authority is to get.
   */
  function withoutStoredPayload(reference: string): void {
    const db = new Database(path.join(dir.path, 'data', 'efa-forms.sqlite'));
    try {
      db.prepare('UPDATE submissions SET payload_xml = NULL WHERE id = ?').run(reference);
    } finally {
      db.close();
    }
  }

  /** The samples with Jena on the `email` channel, mailing to the test's SMTP server; worker not started. */
  async function start(jena: Partial<Tenant['authorities'][number]> = {}): Promise<Container & { logger: ReturnType<typeof createMemoryLogger> }> {
    smtp = await startSmtp();
    const tenants = path.join(dir.path, 'tenants');
    mkdirSync(tenants, { recursive: true });
    const env = writeSampleTenant(tenants, 'http://127.0.0.1:9', [], { 'stadt-jena-buergeramt': { delivery: { type: 'email' }, ...jena } });
    const c = await buildContainer(
      { ...env, FORMS_DIR: SAMPLE_FORMS, TENANTS_DIR: tenants, DATA_DIR: path.join(dir.path, 'data'), SMTP_URL: `smtp://127.0.0.1:${smtp.port}` },
      { retryPolicy: FAST_RETRIES },
    );
    container = c;
    return c;
  }

  test('Tifinagh with ZWJ/ZWNJ/CGJ in the name: 201, the receipt downloads, both e-mails arrive with it', async () => {
    const c = await start();
    c.worker.start();
    const a = await submit(c, 'anwohnerparkausweis', parkingPermitWithTifinagh());
    expect(a.authority.id).toBe('stadt-jena-buergeramt');

    const receipt = await getBinary(c.app, a.receiptUrl);
    expect(receipt.status).toBe(200);
    expect(receipt.headers['content-type']).toMatch(/^application\/pdf/);
    const downloaded = receipt.body as Buffer;
    const text = squash(pdfText(downloaded));
    expect(text).toContain('Anna');
    expect(text).toMatch(/Anna ⵜ ?ⵉ/);
    expect(text).toContain(a.id);

    await waitUntil(() => smtp!.messages.some(addressedTo(JENA)) && smtp!.messages.some(addressedTo(APPLICANT)));
    const authorityMail = smtp!.messages.find(addressedTo(JENA))!;
    // The applicant's files follow XML and receipt, under the names the payload lists.
    const files = listedAttachments(authorityMail.attachments[0]!.content.toString('utf8'));
    expect(files).toHaveLength(2);
    expect(authorityMail.attachments.map((x) => x.filename)).toEqual([`${a.id}.xml`, `Eingangsbestaetigung-${a.id}.pdf`, ...files.map((f) => f.fileName)]);
    expect(authorityMail.attachments[0]!.content.toString('utf8')).toContain('ⵜ\u200Cⵉ');
    expect(squash(pdfText(authorityMail.attachments[1]!.content))).toContain('Anna');
    const citizenMail = smtp!.messages.find(addressedTo(APPLICANT))!;
    expect(citizenMail.attachments.map((x) => x.filename)).toEqual([`Eingangsbestaetigung-${a.id}.pdf`]);
    expect(citizenMail.attachments[0]!.content.equals(downloaded)).toBe(true);

    await waitUntil(async () => (await c.store.submissions.find(a.id))?.status === 'delivered');
    const jobs = await c.store.deliveries.jobsOf(a.id);
    await waitUntil(async () => (await c.store.deliveries.jobsOf(a.id)).every((j) => j.state === 'delivered'));
    expect(jobs.map((j) => j.channel).sort()).toEqual(['email', 'email-citizen']);
    expect(c.logger.lines.filter((l) => l.level === 'error')).toEqual([]);
  });

  test('a receipt that really cannot be built: the authority gets the XML with a note, the applicant the e-mail without PDF', async () => {
    const c = await start();
    const a = await submit(c, 'anwohnerparkausweis', example('anwohnerparkausweis', 'valid-2'));
    withoutStoredPayload(a.id);
    expect((await c.store.submissions.find(a.id))?.payloadXml).toBe('');
    c.worker.start();

    await waitUntil(() => smtp!.messages.some(addressedTo(JENA)) && smtp!.messages.some(addressedTo(APPLICANT)));
    const authorityMail = smtp!.messages.find(addressedTo(JENA))!;
    const job = (await c.store.deliveries.jobsOf(a.id)).find((j) => j.channel === 'email')!;
    // No receipt, but the application is complete: the XML and the applicant's files.
    const files = listedAttachments(job.body);
    expect(files).toHaveLength(2);
    expect(authorityMail.attachments.map((x) => [x.filename, x.contentType])).toEqual([
      [`${a.id}.xml`, 'application/xml'], ...files.map((f) => [f.fileName, 'application/pdf']),
    ]);
    expect(authorityMail.attachments[0]!.content.toString('utf8')).toBe(job.body);
    expect(authorityMail.text).toContain(NO_RECEIPT_NOTE);
    expect(authorityMail.text).toContain(`- ${a.id}.xml: die Antragsdaten als XML`);
    // The receipt's line is gone (the files' lines name PDFs of their own).
    expect(authorityMail.text).not.toContain(`Eingangsbestaetigung-${a.id}.pdf`);
    expect(authorityMail.text).not.toContain('als PDF/A');
    for (const f of files) expect(authorityMail.text).toContain(`- ${f.fileName} (`);
    const citizenMail = smtp!.messages.find(addressedTo(APPLICANT))!;
    expect(citizenMail.attachments).toEqual([]);
    expect(citizenMail.text).toContain(`Vorgangsnummer: ${a.id}`);
    expect(citizenMail.text).not.toContain('Im Anhang');
    await waitUntil(async () => (await c.store.deliveries.jobsOf(a.id)).every((j) => j.state === 'delivered'));
    expect((await c.store.submissions.find(a.id))?.status).toBe('delivered');
  });

  test('encrypted to the authority\'s key: the XML without a receipt and the files, as JWE, with its key id and the note', async () => {
    const keys = testEncryptionKeys();
    const c = await start({ encryptionKey: keys.publicJwk });
    const a = await submit(c, 'anwohnerparkausweis', example('anwohnerparkausweis', 'valid-2'));
    withoutStoredPayload(a.id);
    c.worker.start();
    await waitUntil(() => smtp!.messages.some(addressedTo(JENA)));
    const mail = smtp!.messages.find(addressedTo(JENA))!;
    const xml = await decryptJwe(mail.attachments[0]!.content.toString('utf8'), keys.privateKey);
    expect(xml.plaintext.toString('utf8')).toContain('<?xml');
    // No receipt: the XML and the applicant's files, each a JWE under its id.
    const files = listedAttachments(xml.plaintext.toString('utf8'));
    expect(files).toHaveLength(2);
    expect(mail.attachments.map((x) => x.filename)).toEqual([`${a.id}.xml.jwe`, ...files.map((f) => `${f.id}.jwe`)]);
    expect(mail.text).toContain(`Schlüssel-ID ${TEST_ENCRYPTION_KID}`);
    expect(mail.text).toContain(NO_RECEIPT_NOTE);
    await waitUntil(async () => (await c.store.submissions.find(a.id))?.status === 'delivered');
  });

  test('both channels log receipt.render_failed with the reference and the error only, and still send', async () => {
    const c = await start();
    const data = parkingPermitWithTifinagh();
    const a = await submit(c, 'anwohnerparkausweis', data);
    const jobs = await c.store.deliveries.jobsOf(a.id);
    const logger = createMemoryLogger();
    transport = smtpTransport(`smtp://127.0.0.1:${smtp!.port}`);
    // The renderer's failure comes through the channels' own seam, the receipt callback: the
    // message names the applicant, as a careless error from deep inside a library might.
    const failure = () => Promise.reject(new RangeError(`cannot lay out ${String((data.antragsteller as { vorname: string }).vorname)}`));
    const authorityEmail = createAuthorityEmail({
      submissions: c.store.submissions, forms: c.forms, routing: c.routing, templates: await loadAuthorityEmailTemplates(path.join(REPO, 'templates')),
      transport, from: 'noreply@example.org', receipt: failure, outbound: createOutboundPayloads({ encrypterOf: () => undefined, submissions: c.store.submissions, deliveries: c.store.deliveries, attachments: c.store.attachments, attachmentFiles: c.store.attachmentFiles }), logger,
      attachments: c.store.attachments, now: () => new Date(), canFetchFiles: () => false,
    });
    const citizenEmail = createCitizenEmail({
      store: c.store, forms: c.forms, routing: c.routing, templates: await loadConfirmationTemplates(path.join(REPO, 'templates')),
      transport, from: 'noreply@example.org', attachments: failure, logger,
    });

    expect(await authorityEmail(jobs.find((j) => j.channel === 'email')!)).toEqual({ ok: true, status: 250 });
    expect(await citizenEmail(jobs.find((j) => j.channel === 'email-citizen')!)).toEqual({ ok: true, status: 250 });
    await smtp!.waitFor(2);
    const files = listedAttachments(jobs.find((j) => j.channel === 'email')!.body);
    expect(files).toHaveLength(2);
    expect(smtp!.messages.find(addressedTo(JENA))!.attachments.map((x) => x.filename)).toEqual([`${a.id}.xml`, ...files.map((f) => f.fileName)]);
    expect(smtp!.messages.find(addressedTo(APPLICANT))!.attachments).toEqual([]);

    // The message of an error from outside the receipt code is left out: it might quote answers.
    const failures = logger.lines.filter((l) => l.event === 'receipt.render_failed');
    expect(failures).toEqual([
      { level: 'error', event: 'receipt.render_failed', fields: { reference: a.id, channel: 'email', error: 'RangeError' } },
      { level: 'error', event: 'receipt.render_failed', fields: { reference: a.id, channel: 'email-citizen', error: 'RangeError' } },
    ]);
    expect(JSON.stringify(logger.lines)).not.toContain('Anna');
  });

  test("the message of the receipt code's own errors, which name only identifiers, is logged", async () => {
    const c = await start();
    const a = await submit(c, 'anwohnerparkausweis', example('anwohnerparkausweis', 'valid-2'));
    const job = (await c.store.deliveries.jobsOf(a.id)).find((j) => j.channel === 'email-citizen')!;
    const logger = createMemoryLogger();
    transport = smtpTransport(`smtp://127.0.0.1:${smtp!.port}`);
    const citizenEmail = createCitizenEmail({
      store: c.store, forms: c.forms, routing: c.routing, templates: await loadConfirmationTemplates(path.join(REPO, 'templates')),
      transport, from: 'noreply@example.org', attachments: () => Promise.reject(new ReceiptError(`receipt ${a.id}: the submission holds no payload`)), logger,
    });
    expect(await citizenEmail(job)).toEqual({ ok: true, status: 250 });
    expect(logger.lines).toEqual([
      { level: 'error', event: 'receipt.render_failed', fields: { reference: a.id, channel: 'email-citizen', error: 'ReceiptError', message: `receipt ${a.id}: the submission holds no payload` } },
    ]);
  });
});
