import { writeFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { channelHarness, submit, waitUntil } from '../support/channel-harness';
import { decryptJwe, testEncryptionKeys } from '../support/encryption-keys';
import { startReceiver, type TestReceiver } from '../support/http-receiver';
import { startHttpsReceiver, type TestHttpsReceiver } from '../support/https-receiver';
import { startSmtp, type TestSmtp } from '../support/smtp';
import { createTestCertificates } from '../support/test-certificates';
import { tempDir } from '../support/temp-dir';
import { example, secretFor } from '../support/test-setup';
import { sha256Hex } from '../../src/support/sha256';

const ADMIN_TOKEN = 'test-delivery-admin-token-0123456789';
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
const ADMIN_ENV = { ADMIN_TOKEN_HASH: sha256Hex(ADMIN_TOKEN) };

interface TestDeliveryAnswer {
  authorityId: string; tenantId: string; channel: string; reference: string; formId: string; outcome: string; detail?: string; at: string;
}

/**
 * Test deliveries (issue 12): an operator sends a test payload over an authority's real channel
 * (signed HTTP with its client certificate and key, e-mail, inbox) and sees the outcome at once;
 * it is marked as a test in the payload header and in a header or subject line, and never
 * counted as a real delivery.
 */
describe('test deliveries over each kind of channel', () => {
  const harness = channelHarness();
  let receiver: TestReceiver | undefined;
  let tls: TestHttpsReceiver | undefined;
  let smtp: TestSmtp | undefined;
  const dir = tempDir();
  afterEach(async () => {
    await harness.close();
    await receiver?.close();
    await tls?.close();
    await smtp?.close();
    receiver = undefined;
    tls = undefined;
    smtp = undefined;
  });
  afterAll(() => dir.remove());

  const testDelivery = async (app: Parameters<typeof request>[0], authorityId: string) => {
    const res = await request(app).post(`/api/admin/authorities/${authorityId}/test-delivery`).set(admin);
    expect(res.status).toBe(200);
    return res.body as TestDeliveryAnswer;
  };

  test('signed HTTP with mutual TLS and JWE: delivered at once, marked as a test in a header and in the decrypted payload', async () => {
    const certs = createTestCertificates();
    tls = await startHttpsReceiver({ key: certs.serverKey, cert: certs.serverCert, ca: certs.ca }, secretFor);
    const keys = testEncryptionKeys();
    const file = (name: string, content: string) => {
      const at = path.join(dir.path, name);
      writeFileSync(at, content);
      return at;
    };
    const delivery = {
      type: 'http' as const, url: `${tls.url}/stadt-jena-buergeramt`, secretEnv: 'EFA_SECRET_STADT_JENA_BUERGERAMT',
      clientCertificate: { certFileEnv: 'JENA_CLIENT_CERT', keyFileEnv: 'JENA_CLIENT_KEY', caFileEnv: 'JENA_SERVER_CA' },
    };
    const c = await harness.start('http://127.0.0.1:9', { 'stadt-jena-buergeramt': { delivery, encryptionKey: keys.publicJwk } }, {
      ...ADMIN_ENV, JENA_CLIENT_CERT: file('client.crt', certs.clientCert), JENA_CLIENT_KEY: file('client.key', certs.clientKey), JENA_SERVER_CA: file('ca.crt', certs.ca),
    });
    // The worker runs too: the test delivery must still be sent exactly once.
    c.worker.start();
    const answer = await testDelivery(c.app, 'stadt-jena-buergeramt');
    expect(answer).toMatchObject({ authorityId: 'stadt-jena-buergeramt', tenantId: 'thueringen', channel: 'http', outcome: 'delivered' });
    expect(tls.requests).toHaveLength(1);
    const sent = tls.requests[0]!;
    expect(sent.signatureValid).toBe(true);
    expect(sent.clientCommonName).toBeDefined();
    expect(sent.headers['efa-test']).toBe('true');
    expect(sent.headers['content-type']).toMatch(/^application\/jose/);
    const { plaintext } = await decryptJwe(sent.bodyBytes.toString('utf8'), keys.privateKey);
    const xml = plaintext.toString('utf8');
    expect(xml).toContain('<test>true</test>');
    expect(xml).toContain(answer.reference);
    // The parking permit's example, without the answer to its file question: its ids are made
    // up, and a test delivery carries no documents (so it lists none either).
    expect(answer.formId).toBe('anwohnerparkausweis');
    expect(xml).toContain('<kennzeichen>');
    expect(xml).not.toContain('zulassungsbescheinigung');
    expect(xml).not.toContain('<attachments');
    expect(sent.headers['content-type']).not.toMatch(/multipart/);
    // Stored as a test submission; its job delivered, nothing left for the worker to send again.
    const record = await c.store.submissions.find(answer.reference);
    expect(record?.test).toBe(true);
    const jobs = await c.store.deliveries.jobsOf(answer.reference);
    // One attempt, made by the test itself: the job was created leased to it, so the running worker could not take it.
    expect(jobs.map((j) => [j.channel, j.state, j.test, j.attempts])).toEqual([['http', 'delivered', true, 1]]);

    // The operator's view: a successful test, but no real delivery yet.
    const authorities = await request(c.app).get('/api/admin/authorities').set(admin);
    const jena = (authorities.body.items as Array<Record<string, unknown>>).find((a) => a.id === 'stadt-jena-buergeramt')!;
    expect(Date.parse(String(jena.lastSuccessfulTestAt))).toBeGreaterThanOrEqual(Date.parse(record!.createdAt.toISOString()));
    expect(Date.parse(String(jena.lastSuccessfulTestAt))).toBeLessThanOrEqual(Date.parse(answer.at));
    expect(jena.lastRealDeliveryAt).toBeNull();
    expect(jena.liveWithoutDelivery).toBe(false);
    // The audit trail names who tested which authority.
    const audit = await request(c.app).get('/api/admin/audit').set(admin);
    expect(audit.body.items[0]).toMatchObject({ actor: 'admin', action: 'test-delivery', target: 'stadt-jena-buergeramt', outcome: 'ok' });
  });

  test('a receiver that refuses: the outcome says why at once, and the test is not retried', async () => {
    receiver = await startReceiver(secretFor);
    receiver.respond = () => 500;
    const c = await harness.start(receiver.url, {}, ADMIN_ENV);
    c.worker.start();
    const answer = await testDelivery(c.app, 'stadt-erfurt-buergeramt');
    expect(answer).toMatchObject({ channel: 'http', outcome: 'failed', detail: 'receiver answered HTTP 500' });
    expect(receiver.requests).toHaveLength(1);
    expect(receiver.requests[0]!.headers['efa-test']).toBe('true');
    // Dead at once after its one attempt: nothing is left for the running worker to send again.
    expect((await c.store.deliveries.jobsOf(answer.reference)).map((j) => [j.state, j.attempts])).toEqual([['dead', 1]]);
    const authorities = await request(c.app).get('/api/admin/authorities').set(admin);
    const erfurt = (authorities.body.items as Array<Record<string, unknown>>).find((a) => a.id === 'stadt-erfurt-buergeramt')!;
    // Live, and its channel never took anything: flagged.
    expect(erfurt).toMatchObject({ lastSuccessfulTestAt: null, lastRealDeliveryAt: null, liveWithoutDelivery: true });
  });

  test('e-mail: arrives in the functional mailbox with [TEST] in the subject and an X-Efa-Test header', async () => {
    smtp = await startSmtp();
    const c = await harness.start('http://127.0.0.1:9', { 'stadt-jena-buergeramt': { delivery: { type: 'email' } } }, {
      ...ADMIN_ENV, SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
    });
    const answer = await testDelivery(c.app, 'stadt-jena-buergeramt');
    expect(answer).toMatchObject({ channel: 'email', outcome: 'delivered' });
    expect(smtp.messages).toHaveLength(1);
    const mail = smtp.messages[0]!;
    expect(mail.subject).toMatch(/^\[TEST\] Neuer Antrag: .* – Vorgangsnummer /);
    expect(mail.subject).toContain(answer.reference);
    expect(mail.headers.get('x-efa-test')).toBe('true');
    expect(mail.attachments[0]!.content.toString('utf8')).toContain('<test>true</test>');
  });

  test('inbox: queued for the authority; once it fetches, the test counts as successful, and real deliveries are counted apart', async () => {
    const KEY = 'weimar-inbox-key-for-the-test-0123';
    const c = await harness.start('http://127.0.0.1:9', { 'stadt-weimar': { delivery: { type: 'inbox', apiKeyHashEnv: 'EFA_INBOX_WEIMAR' } } }, {
      ...ADMIN_ENV, EFA_INBOX_WEIMAR: sha256Hex(KEY),
    });
    const answer = await testDelivery(c.app, 'stadt-weimar');
    expect(answer).toMatchObject({ channel: 'inbox', outcome: 'queued' });
    const inbox = await request(c.app).get('/api/authority/inbox').set({ authorization: `Bearer ${KEY}` });
    expect(inbox.status).toBe(200);
    const xml = await request(c.app).get(`/api/authority/inbox/${answer.reference}`).set({ authorization: `Bearer ${KEY}` });
    expect(xml.status).toBe(200);
    expect(xml.text).toContain('<test>true</test>');
    const view = async () => ((await request(c.app).get('/api/admin/authorities').set(admin)).body.items as Array<Record<string, unknown>>)
      .find((a) => a.id === 'stadt-weimar')!;
    await waitUntil(async () => (await view()).lastSuccessfulTestAt !== null);
    expect((await view()).lastRealDeliveryAt).toBeNull();
    // A real submission, fetched: counted as the last real delivery, not as a test.
    const real = await submit(c, 'hundesteuer-anmeldung', example('hundesteuer-anmeldung', 'valid-1'));
    expect(real.authority.id).toBe('stadt-weimar');
    await request(c.app).get(`/api/authority/inbox/${real.id}`).set({ authorization: `Bearer ${KEY}` }).expect(200);
    await waitUntil(async () => (await view()).lastRealDeliveryAt !== null);
  });

  test('an unknown authority is 404 problem+json; without the token 401', async () => {
    const c = await harness.start('http://127.0.0.1:9', {}, ADMIN_ENV);
    const unknown = await request(c.app).post('/api/admin/authorities/no-such-authority/test-delivery').set(admin);
    expect(unknown.status).toBe(404);
    expect(unknown.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(unknown.body.code).toBe('AUTHORITY_NOT_FOUND');
    const anonymous = await request(c.app).post('/api/admin/authorities/stadt-weimar/test-delivery');
    expect(anonymous.status).toBe(401);
  });
});
