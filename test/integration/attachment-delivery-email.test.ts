import type { ParsedMail } from 'mailparser';
import request from 'supertest';
import { formatFileSize } from '../../src/i18n/file-size';
import { StartupError } from '../../src/startup-error';
import { sha256Hex } from '../../src/support/sha256';
import { channelHarness, waitUntil } from '../support/channel-harness';
import { decryptJwe, testEncryptionKeys } from '../support/encryption-keys';
import { startSmtp, type TestSmtp } from '../support/smtp';
import { getBinary } from '../support/pdf';
import { testRoutingSigningKeyFile } from '../support/routing-signing-key';
import { listedAttachments, sha512Hex, submitWithFiles } from '../support/stored-attachments';

/**
 * The authority's e-mail with the applicant's files (issue 15), through a real SMTP server:
 * attached (each its own JWE with a key, under its id) up to EMAIL_ATTACHMENT_MAX_BYTES in
 * total; beyond, none is attached and the text says where the inbox API serves them, which the
 * authority's API key then fetches.
 */
const JENA = 'stadt-jena-buergeramt';
const MAILBOX = 'buergerservice.jena@example.org';
const toJena = (m: ParsedMail) => (m.to && !Array.isArray(m.to) ? m.to.text : '') === MAILBOX;
const FILES = [
  { fileName: 'Fahrzeugschein Müller.pdf', mediaType: 'application/pdf' as const, size: 600_000 },
  { fileName: 'rueckseite.png', mediaType: 'image/png' as const, size: 30_000 },
];

describe('authority e-mail with attachments', () => {
  const harness = channelHarness();
  let smtp: TestSmtp | undefined;
  afterEach(async () => {
    await harness.close();
    await smtp?.close();
    smtp = undefined;
  });

  test('with a key: every file attached as its own JWE under its id, decrypted to exactly the uploaded bytes (hash as listed); no file name readable', async () => {
    const keys = testEncryptionKeys();
    smtp = await startSmtp();
    const c = await harness.start('http://127.0.0.1:9', { [JENA]: { delivery: { type: 'email' }, encryptionKey: keys.publicJwk } }, { SMTP_URL: `smtp://127.0.0.1:${smtp.port}` });
    const { accepted, uploads } = await submitWithFiles(c, FILES, 'valid-2');
    expect(accepted.authority.id).toBe(JENA);
    c.worker.start();
    await waitUntil(() => smtp!.messages.some(toJena));
    const mail = smtp.messages.find(toJena)!;
    expect(mail.attachments.map((a) => a.filename)).toEqual([
      `${accepted.id}.xml.jwe`, `Eingangsbestaetigung-${accepted.id}.pdf.jwe`, ...uploads.map((u) => `${u.id}.jwe`),
    ]);
    const xml = (await decryptJwe(mail.attachments[0]!.content.toString('ascii'), keys.privateKey)).plaintext.toString('utf8');
    const listing = listedAttachments(xml);
    for (const [i, upload] of uploads.entries()) {
      const attached = mail.attachments[2 + i]!;
      expect(attached.contentType).toBe('application/jose');
      const opened = await decryptJwe(attached.content.toString('ascii'), keys.privateKey);
      expect(opened.header).toMatchObject({ kid: keys.publicJwk.kid, cty: upload.mediaType });
      expect(opened.plaintext.equals(upload.bytes)).toBe(true);
      expect(sha512Hex(opened.plaintext)).toBe(listing[i]!.sha512);
      // The size and hash the payload lists: the upload's, not the JWE's (which is a third larger).
      expect(mail.text).toContain(`- ${upload.id}.jwe (${formatFileSize(listing[i]!.size, 'de')}, SHA-512 ${listing[i]!.sha512})`);
    }
    expect(mail.text).toContain('ebenfalls angehängt und verschlüsselt');
    const readable = `${mail.subject ?? ''}\n${mail.text ?? ''}\n${mail.attachments.map((a) => a.filename).join('\n')}`;
    expect(readable).not.toContain('Müller');
    expect(readable).not.toContain('rueckseite');
  });

  test('without a key, within the limit: the files attached as uploaded, with their names and types', async () => {
    smtp = await startSmtp();
    const c = await harness.start('http://127.0.0.1:9', { [JENA]: { delivery: { type: 'email' } } }, { SMTP_URL: `smtp://127.0.0.1:${smtp.port}` });
    const { accepted, uploads } = await submitWithFiles(c, FILES, 'valid-2');
    c.worker.start();
    await waitUntil(async () => (await c.store.submissions.find(accepted.id))?.status === 'delivered');
    const mail = smtp.messages.find(toJena)!;
    expect(mail.attachments.slice(2).map((a) => [a.filename, a.contentType])).toEqual([
      ['Fahrzeugschein Müller.pdf', 'application/pdf'], ['rueckseite.png', 'image/png'],
    ]);
    for (const [i, upload] of uploads.entries()) expect(mail.attachments[2 + i]!.content.equals(upload.bytes)).toBe(true);
    expect(mail.text).toContain('- Fahrzeugschein Müller.pdf (586\u00a0KB, SHA-512 ');
    expect(mail.text).not.toContain('/api/authority/inbox');
  });

  test('past EMAIL_ATTACHMENT_MAX_BYTES without an API key to fetch them: every file attached all the same, never left behind', async () => {
    smtp = await startSmtp();
    const c = await harness.start('http://127.0.0.1:9', { [JENA]: { delivery: { type: 'email' } } }, { SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, EMAIL_ATTACHMENT_MAX_BYTES: '600000' });
    const { accepted, uploads } = await submitWithFiles(c, FILES, 'valid-2');
    c.worker.start();
    await waitUntil(async () => (await c.store.submissions.find(accepted.id))?.status === 'delivered');
    const mail = smtp.messages.find(toJena)!;
    expect(mail.attachments).toHaveLength(2 + uploads.length);
    for (const upload of uploads) expect(mail.attachments.some((a) => a.content.equals(upload.bytes))).toBe(true);
    expect(mail.text).not.toContain('nicht angehängt');
  });

  test('past EMAIL_ATTACHMENT_MAX_BYTES: no file attached, the text says they are in the inbox, the authority fetches them there with its key, and retention waits until it has', async () => {
    smtp = await startSmtp();
    const key = 'jena-files-key-0123456789abcdef';
    const c = await harness.start('http://127.0.0.1:9', { [JENA]: { delivery: { type: 'email', apiKeyHashEnv: 'EFA_FILES_JENA' } } }, {
      SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, EMAIL_ATTACHMENT_MAX_BYTES: '600000', PUBLIC_BASE_URL: 'https://antrag.example.de', EFA_FILES_JENA: sha256Hex(key),
    });
    const { accepted, uploads } = await submitWithFiles(c, FILES, 'valid-2');
    c.worker.start();
    await waitUntil(async () => (await c.store.submissions.find(accepted.id))?.status === 'delivered');
    const mail = smtp.messages.find(toJena)!;
    expect(mail.attachments.map((a) => a.filename)).toEqual([`${accepted.id}.xml`, `Eingangsbestaetigung-${accepted.id}.pdf`]);
    expect(mail.text).toContain('zusammen größer als 586\u00a0KB und deshalb nicht angehängt');
    const url = `/api/authority/inbox/${accepted.id}/attachments`;
    expect(mail.text).toContain(`https://antrag.example.de${url}\n`);
    expect(mail.text).toContain('- rueckseite.png (29,3\u00a0KB, SHA-512 ');

    // Held for the inbox: retention keeps them (and the application) until each is fetched.
    const held = await c.store.attachments.ofSubmission(accepted.id);
    expect(held.map((f) => [f.heldAt instanceof Date, f.fetchedAt])).toEqual([[true, undefined], [true, undefined]]);
    const monthLater = () => c.store.submissions.purgeDue({ now: new Date(Date.now() + 31 * 86_400_000), defaultDays: 30, daysByForm: new Map(), limit: 10 });
    expect((await monthLater()).purged).toBe(0);

    const files = await request(c.app).get(url).set('authorization', `Bearer ${key}`);
    expect(files.status).toBe(200);
    // Neither the listing nor a HEAD is a fetch.
    expect((await request(c.app).head(files.body.items[0].url as string).set('authorization', `Bearer ${key}`)).status).toBe(200);
    expect((await c.store.attachments.ofSubmission(accepted.id)).every((f) => f.fetchedAt === undefined)).toBe(true);
    for (const [i, upload] of uploads.entries()) {
      const res = await getBinary(c.app, files.body.items[i].url as string, { authorization: `Bearer ${key}` });
      expect(res.headers['content-type']).toBe(upload.mediaType);
      expect((res.body as Buffer).equals(upload.bytes)).toBe(true);
      if (i === 0) expect((await monthLater()).purged).toBe(0);
    }
    // Recorded once the whole file has gone out, just after the response ended.
    await waitUntil(async () => (await c.store.attachments.ofSubmission(accepted.id)).every((f) => f.fetchedAt instanceof Date));
    expect((await monthLater()).purged).toBe(1);
    // An e-mail authority's key opens its files only: its inbox lists nothing and serves no payload.
    expect((await request(c.app).get('/api/authority/inbox').set('authorization', `Bearer ${key}`)).body.items).toEqual([]);
    expect((await request(c.app).get(`/api/authority/inbox/${accepted.id}`).set('authorization', `Bearer ${key}`)).status).toBe(404);
  });

  test('a key variable named but not set: the files past the limit are attached all the same (nothing held for a fetch that cannot come); in production it stops the start', async () => {
    smtp = await startSmtp();
    const c = await harness.start('http://127.0.0.1:9', { [JENA]: { delivery: { type: 'email', apiKeyHashEnv: 'EFA_FILES_JENA_UNSET' } } }, {
      SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, EMAIL_ATTACHMENT_MAX_BYTES: '600000',
    });
    const { accepted, uploads } = await submitWithFiles(c, FILES, 'valid-2');
    c.worker.start();
    await waitUntil(async () => (await c.store.submissions.find(accepted.id))?.status === 'delivered');
    const mail = smtp.messages.find(toJena)!;
    expect(mail.attachments.map((a) => a.filename)).toEqual([`${accepted.id}.xml`, `Eingangsbestaetigung-${accepted.id}.pdf`, ...uploads.map((u) => u.fileName)]);
    expect((await c.store.attachments.ofSubmission(accepted.id)).map((f) => f.heldAt)).toEqual([undefined, undefined]);
    await harness.close();

    const production = { NODE_ENV: 'production', PUBLIC_BASE_URL: 'https://antrag.example.de', ADMIN_TOKEN_HASH: sha256Hex('admin'), ROUTING_SIGNING_KEY_FILE: testRoutingSigningKeyFile(), SMTP_URL: `smtp://127.0.0.1:${smtp.port}` };
    const refused = await harness.start('http://127.0.0.1:9', { [JENA]: { delivery: { type: 'email', apiKeyHashEnv: 'EFA_FILES_JENA_UNSET' } } }, production).then(() => undefined, (err: unknown) => err);
    expect(refused).toBeInstanceOf(StartupError);
    expect((refused as StartupError).problems).toEqual([expect.stringMatching(/\/delivery\/apiKeyHashEnv: EFA_FILES_JENA_UNSET is not set; the authority could never fetch the files too large for its e-mail/)]);
  });
});
