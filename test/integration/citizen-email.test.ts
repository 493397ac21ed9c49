import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import type { Container } from '../../src/container';
import { buildContainer, example, SAMPLE_FORMS, writeSampleTenant } from '../support/test-setup';
import { startSmtp, type TestSmtp } from '../support/smtp';
import { tempDir } from '../support/temp-dir';
import { withUploads } from '../support/with-uploads';

const FAST_RETRIES = { baseDelayMs: 50, maxDelayMs: 300 };

describe('confirmation e-mail to the applicant', () => {
  let dir: ReturnType<typeof tempDir>;
  let container: Container | undefined;
  let smtp: TestSmtp | undefined;

  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(async () => {
    await container?.close(2000);
    container = undefined;
    await smtp?.close();
    smtp = undefined;
    dir.remove();
  });

  async function start(extraEnv: Record<string, string>): Promise<Container> {
    const tenants = path.join(dir.path, 'tenants');
    mkdirSync(tenants, { recursive: true });
    // Authority deliveries go nowhere here (port 9): they retry; the e-mail does not depend on them.
    const env = writeSampleTenant(tenants, 'http://127.0.0.1:9');
    container = await buildContainer(
      { ...env, FORMS_DIR: SAMPLE_FORMS, TENANTS_DIR: tenants, DATA_DIR: path.join(dir.path, 'data'), MAIL_FROM: 'Freistaat Thüringen <noreply@example.org>', ...extraEnv },
      { retryPolicy: FAST_RETRIES },
    );
    container.worker.start();
    return container;
  }

  /** Submits through the API, uploading a file first for each made-up attachment id (withUploads), as a portal does. */
  const submit = async (c: Container, formId: string, data: unknown, language = 'de') => {
    const res = await request(c.app).post(`/api/forms/${formId}/submissions`).set('accept-language', language)
      .send({ data: await withUploads(c.app, formId, data) });
    expect(res.status).toBe(201);
    return res.body as { id: string };
  };

  test('arrives over SMTP in German with umlauts intact, addressed to the answer in emailField', async () => {
    smtp = await startSmtp();
    const c = await start({ SMTP_URL: `smtp://127.0.0.1:${smtp.port}` });
    const data = example('hundesteuer-anmeldung', 'valid-1');
    const res = await request(c.app).post('/api/forms/hundesteuer-anmeldung/submissions').send({ data });
    const id = res.body.id as string;
    await smtp.waitFor(1);
    const mail = smtp.messages[0]!;
    expect(mail.subject).toBe(`Eingangsbestätigung: Hund zur Hundesteuer anmelden – Vorgangsnummer ${id}`);
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.text : '').toBe((data.halter as { email: string }).email);
    expect(mail.from?.value).toEqual([{ name: 'Freistaat Thüringen', address: 'noreply@example.org' }]);
    expect(mail.text).toContain(`Vorgangsnummer: ${id}`);
    expect(mail.text).toContain('Mit freundlichen Grüßen');
    expect(mail.text).toContain('Stadtverwaltung Weimar');
    expect(mail.html).toContain('Grüßen');
    expect(mail.headers.get('auto-submitted')).toBe('auto-generated');
    // The receipt is attached, and it is the same PDF the applicant can download.
    expect(mail.attachments.map((a) => [a.filename, a.contentType])).toEqual([[`Eingangsbestaetigung-${id}.pdf`, 'application/pdf']]);
    expect(mail.attachments[0]!.content.subarray(0, 5).toString()).toBe('%PDF-');
    expect(mail.text).toContain('Im Anhang finden Sie die Eingangsbestätigung');
    const download = await request(c.app).get(res.body.receiptUrl as string).buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(Buffer.compare(download.body as Buffer, smtp.messages[0]!.attachments[0]!.content)).toBe(0);
    // The e-mail job does not count as the authority's delivery.
    expect((await c.store.submissions.find(id))?.status).toBe('accepted');
  });

  test('is in English when the application was made in English', async () => {
    smtp = await startSmtp();
    const c = await start({ SMTP_URL: `smtp://127.0.0.1:${smtp.port}` });
    const { id } = await submit(c, 'gewerbeanmeldung', example('gewerbeanmeldung', 'valid-1'), 'en');
    await smtp.waitFor(1);
    expect(smtp.messages[0]!.subject).toBe(`Confirmation of receipt: Register a trade or business – reference ${id}`);
    expect(smtp.messages[0]!.text).toContain('Kind regards');
  });

  test('an SMTP outage delays the e-mail; it arrives once the server is back', async () => {
    const probe = await startSmtp();
    const port = probe.port;
    await probe.close(); // nothing listens on this port now
    const c = await start({ SMTP_URL: `smtp://127.0.0.1:${port}` });
    const { id } = await submit(c, 'anwohnerparkausweis', example('anwohnerparkausweis', 'valid-1'));
    const mailJob = async () => (await c.store.deliveries.jobsOf(id)).find((j) => j.channel === 'email-citizen');
    for (const deadline = Date.now() + 10_000; ((await mailJob())?.attempts ?? 0) < 2;) {
      if (Date.now() > deadline) throw new Error('the e-mail was not retried');
      await new Promise((r) => setTimeout(r, 25));
    }
    expect((await mailJob())?.lastError).toMatch(/^e-mail not accepted: /);
    expect((await mailJob())?.lastError).not.toContain('@');
    smtp = await startSmtp(port);
    await smtp.waitFor(1);
    expect(smtp.messages[0]!.subject).toContain(id);
    for (const deadline = Date.now() + 10_000; (await mailJob())?.state !== 'delivered';) {
      if (Date.now() > deadline) throw new Error('the e-mail job was not marked delivered');
      await new Promise((r) => setTimeout(r, 25));
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.messages).toHaveLength(1);
  });

  test('without SMTP_URL the e-mail is written as an .eml file under DATA_DIR/mail', async () => {
    const c = await start({});
    const { id } = await submit(c, 'gewerbeanmeldung', example('gewerbeanmeldung', 'valid-2'));
    const folder = path.join(dir.path, 'data', 'mail');
    const emlFiles = () => (readdirSync(path.dirname(folder)).includes('mail') ? readdirSync(folder).filter((f) => f.endsWith('.eml')) : []);
    for (const deadline = Date.now() + 10_000; emlFiles().length === 0;) {
      if (Date.now() > deadline) throw new Error('no .eml file written');
      await new Promise((r) => setTimeout(r, 25));
    }
    const [file] = emlFiles();
    expect(file).toMatch(new RegExp(`^${id}-[0-9a-f-]{36}\\.eml$`));
    const eml = readFileSync(path.join(folder, file!), 'utf8');
    expect(eml).toMatch(/^Subject: =\?UTF-8\?/m);
  });

  test('the e-mail job is committed with the submission, next to the authority delivery', async () => {
    const c = await start({});
    const { id } = await submit(c, 'anwohnerparkausweis', example('anwohnerparkausweis', 'valid-2'));
    expect((await c.store.deliveries.jobsOf(id)).map((j) => j.channel).sort()).toEqual(['email-citizen', 'http']);
  });
});
