import type { AddressInfo } from 'node:net';
import type { ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import request from 'supertest';
import { channelHarness, submit, waitUntil } from '../support/channel-harness';
import { decryptJwe, testEncryptionKeys } from '../support/encryption-keys';
import { pdfText, squash } from '../support/pdf';
import { startSmtp, type TestSmtp } from '../support/smtp';
import { listedAttachments, sha512Hex } from '../support/stored-attachments';
import { example } from '../support/test-setup';

/**
 * The `email` channel: a small municipality (here Jena) gets each application in its
 * functional mailbox, from a real SMTP server (smtp-server) in the test.
 */
describe('delivery by e-mail to the authority', () => {
  const harness = channelHarness();
  let smtp: TestSmtp | undefined;
  afterEach(async () => {
    await harness.close();
    await smtp?.close();
    smtp = undefined;
  });

  const JENA = 'buergerservice.jena@example.org';
  const toJena = (m: ParsedMail) => (m.to && !Array.isArray(m.to) ? m.to.text : '') === JENA;

  test('arrives with the XML, the PDF receipt and the applicant\'s files attached and a subject naming form and reference', async () => {
    smtp = await startSmtp();
    const c = await harness.start('http://127.0.0.1:9', { 'stadt-jena-buergeramt': { delivery: { type: 'email' } } }, { SMTP_URL: `smtp://127.0.0.1:${smtp.port}` });
    c.worker.start();
    const data = example('anwohnerparkausweis', 'valid-2');
    const a = await submit(c, 'anwohnerparkausweis', data);
    expect(a.authority.id).toBe('stadt-jena-buergeramt');
    await waitUntil(() => smtp!.messages.some(toJena));
    const mail = smtp.messages.find(toJena)!;
    expect(mail.subject).toBe(`Neuer Antrag: Bewohnerparkausweis beantragen – Vorgangsnummer ${a.id}`);
    expect(mail.text).toContain(`Vorgangsnummer: ${a.id}`);
    expect(mail.headers.get('x-efa-reference')).toBe(a.id);
    const stored = await c.store.submissions.find(a.id);
    // The two vehicle registration files (uploaded by submit) follow, as the payload lists them.
    const files = listedAttachments(stored!.payloadXml);
    expect(files).toHaveLength(2);
    expect(mail.attachments.map((x) => [x.filename, x.contentType])).toEqual([
      [`${a.id}.xml`, 'application/xml'], [`Eingangsbestaetigung-${a.id}.pdf`, 'application/pdf'],
      ...files.map((f) => [f.fileName, 'application/pdf']),
    ]);
    for (const [i, f] of files.entries()) expect(sha512Hex(mail.attachments[2 + i]!.content)).toBe(f.sha512);
    expect(mail.attachments[0]!.content.toString('utf8')).toBe(stored!.payloadXml);
    expect(squash(pdfText(mail.attachments[1]!.content))).toContain(`Vorgangsnummer ${a.id}`);
    await waitUntil(async () => (await c.store.submissions.find(a.id))?.status === 'delivered');
    const status = await request(c.app).get(a.statusUrl);
    expect(status.body.status).toBe('delivered');
  });

  test('an SMTP outage delays it; it arrives once, after the server is back', async () => {
    // Find a free port, then close the server: the first attempts meet a closed port.
    const probe = await startSmtp();
    const port = probe.port;
    await probe.close();
    const c = await harness.start('http://127.0.0.1:9', { 'stadt-jena-buergeramt': { delivery: { type: 'email', to: 'poststelle.jena@example.org' } } }, { SMTP_URL: `smtp://127.0.0.1:${port}` });
    c.worker.start();
    const a = await submit(c, 'anwohnerparkausweis', example('anwohnerparkausweis', 'valid-2'));
    await waitUntil(async () => (await c.store.deliveries.jobsOf(a.id)).some((j) => j.channel === 'email' && j.attempts >= 2));
    const waiting = await request(c.app).get(a.statusUrl);
    expect(waiting.body.status).toBe('in_progress');
    expect(JSON.stringify(waiting.body)).not.toMatch(/ECONNREFUSED|SMTP/);

    smtp = await startSmtp(port);
    const toMailbox = (m: ParsedMail) => (m.to && !Array.isArray(m.to) ? m.to.text : '') === 'poststelle.jena@example.org';
    await waitUntil(() => smtp!.messages.some(toMailbox));
    await waitUntil(async () => (await c.store.submissions.find(a.id))?.status === 'delivered');
    // Give a wrongly repeated send the time to show up; none may.
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.messages.filter(toMailbox)).toHaveLength(1);
    const events = (await c.store.submissions.find(a.id))!.events.map((e) => e.type);
    expect(events[0]).toBe('accepted');
    expect(events).toContain('delivery_failed');
    expect(events.at(-1)).toBe('delivered');
  });

  test('with an encryption key every attachment is a JWE that the authority opens with its private key', async () => {
    const keys = testEncryptionKeys();
    smtp = await startSmtp();
    const c = await harness.start('http://127.0.0.1:9', {
      'stadt-jena-buergeramt': { delivery: { type: 'email' }, encryptionKey: keys.publicJwk },
    }, { SMTP_URL: `smtp://127.0.0.1:${smtp.port}` });
    c.worker.start();
    const data = example('anwohnerparkausweis', 'valid-2');
    const a = await submit(c, 'anwohnerparkausweis', data);
    await waitUntil(() => smtp!.messages.some(toJena));
    const mail = smtp.messages.find(toJena)!;
    const payloadXml = (await c.store.submissions.find(a.id))!.payloadXml;
    // The applicant's files (uploaded by submit) follow, each under its id only.
    const files = listedAttachments(payloadXml);
    expect(files).toHaveLength(2);
    expect(mail.attachments.map((x) => x.filename)).toEqual([
      `${a.id}.xml.jwe`, `Eingangsbestaetigung-${a.id}.pdf.jwe`, ...files.map((f) => `${f.id}.jwe`),
    ]);
    const xml = await decryptJwe(mail.attachments[0]!.content.toString('utf8'), keys.privateKey);
    expect(xml.plaintext.toString('utf8')).toBe(payloadXml);
    expect(xml.header).toMatchObject({ alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: keys.publicJwk.kid });
    const pdf = await decryptJwe(mail.attachments[1]!.content.toString('utf8'), keys.privateKey);
    expect(pdf.plaintext.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    for (const [i, f] of files.entries()) {
      const file = await decryptJwe(mail.attachments[2 + i]!.content.toString('utf8'), keys.privateKey);
      expect(file.header).toMatchObject({ alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: keys.publicJwk.kid });
      expect(sha512Hex(file.plaintext)).toBe(f.sha512);
    }
    // Nothing of the applicant is readable in the message itself, the files' names included.
    const raw = `${mail.subject ?? ''}\n${mail.text ?? ''}\n${mail.attachments.map((x) => x.filename ?? '').join('\n')}`;
    for (const f of files) expect(raw).not.toContain(f.fileName);
    for (const value of Object.values(data.antragsteller as Record<string, unknown>)) {
      if (typeof value === 'string' && value.length > 3) expect(raw).not.toContain(value);
    }
  });

  test('a wrong SMTP password is retried; a mailbox the server refuses is dead at once', async () => {
    // A real SMTP server that refuses every login and the recipient "unbekannt@…".
    const server = new SMTPServer({
      allowInsecureAuth: true, authOptional: true, logger: false, disabledCommands: ['STARTTLS'],
      onAuth: (_auth, _session, callback) => callback(new Error('Invalid username or password')),
      onRcptTo: (address, _session, callback) => callback(address.address.startsWith('unbekannt@') ? Object.assign(new Error('No such mailbox'), { responseCode: 550 }) : undefined),
      onData: (stream, _session, callback) => stream.on('end', () => callback()).resume(),
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.server.address() as AddressInfo).port;
    try {
      const c = await harness.start('http://127.0.0.1:9', { 'stadt-jena-buergeramt': { delivery: { type: 'email' } } }, { SMTP_URL: `smtp://user:falsch@127.0.0.1:${port}` });
      c.worker.start();
      const a = await submit(c, 'anwohnerparkausweis', example('anwohnerparkausweis', 'valid-2'));
      await waitUntil(async () => (await c.store.deliveries.jobsOf(a.id)).some((j) => j.channel === 'email' && j.attempts >= 2));
      const job = (await c.store.deliveries.jobsOf(a.id)).find((j) => j.channel === 'email')!;
      expect(['failed', 'in_flight', 'pending']).toContain(job.state);
      expect(job.lastError).toBe('e-mail not accepted: SMTP 535');
      await harness.close();

      const d = await harness.start('http://127.0.0.1:9', { 'stadt-jena-buergeramt': { delivery: { type: 'email', to: 'unbekannt@jena.example.org' } } }, { SMTP_URL: `smtp://127.0.0.1:${port}` });
      d.worker.start();
      const b = await submit(d, 'anwohnerparkausweis', example('anwohnerparkausweis', 'valid-2'));
      await waitUntil(async () => (await d.store.deliveries.jobsOf(b.id)).some((j) => j.channel === 'email' && j.state === 'dead'));
      const dead = (await d.store.deliveries.jobsOf(b.id)).find((j) => j.channel === 'email')!;
      expect(dead).toMatchObject({ attempts: 1, lastError: 'e-mail not accepted: SMTP 550' });
    } finally {
      // The container first: its pooled SMTP connections stay open, and smtp-server's close()
      // waits for open connections.
      await harness.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
