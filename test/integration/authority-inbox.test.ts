import request from 'supertest';
import { sha256Hex } from '../../src/support/sha256';
import { StartupError } from '../../src/startup-error';
import { channelHarness, submit } from '../support/channel-harness';
import { decryptJwe, testEncryptionKeys } from '../support/encryption-keys';
import { getBinary, pdfText, squash } from '../support/pdf';
import { example } from '../support/test-setup';
import { testRoutingSigningKeyFile } from '../support/routing-signing-key';

/**
 * The `inbox` (pull) channel: Weimar and Gotha fetch their applications themselves, each with
 * its own API key, as FIT-Connect receivers do. The tests act as those authorities.
 */
describe('authority inbox (pull)', () => {
  const harness = channelHarness();
  afterEach(() => harness.close());

  const WEIMAR_KEY = 'weimar-inbox-key-0123456789abcdef';
  const GOTHA_KEY = 'gotha-inbox-key-fedcba9876543210';
  const env = { EFA_INBOX_WEIMAR: sha256Hex(WEIMAR_KEY), EFA_INBOX_GOTHA: sha256Hex(GOTHA_KEY) };
  const inboxes = (extra: Record<string, unknown> = {}) => ({
    'stadt-weimar': { delivery: { type: 'inbox' as const, apiKeyHashEnv: 'EFA_INBOX_WEIMAR' }, ...extra },
    'stadt-gotha': { delivery: { type: 'inbox' as const, apiKeyHashEnv: 'EFA_INBOX_GOTHA' } },
  });

  test('each authority lists, fetches and acknowledges only its own submissions', async () => {
    const c = await harness.start('http://127.0.0.1:9', inboxes(), env);
    c.worker.start();
    const weimar = await submit(c, 'hundesteuer-anmeldung', example('hundesteuer-anmeldung', 'valid-1'));
    const gotha = await submit(c, 'hundesteuer-anmeldung', example('hundesteuer-anmeldung', 'valid-2'));
    expect([weimar.authority.id, gotha.authority.id]).toEqual(['stadt-weimar', 'stadt-gotha']);
    const as = (key: string) => ({ authorization: `Bearer ${key}` });

    const list = await request(c.app).get('/api/authority/inbox').set(as(WEIMAR_KEY));
    expect(list.status).toBe(200);
    expect(list.headers['cache-control']).toBe('no-store');
    expect(list.body).toEqual({
      authority: 'stadt-weimar',
      items: [{
        id: weimar.id, formId: 'hundesteuer-anmeldung', formVersion: expect.any(String) as string, receivedAt: expect.any(String) as string, fetchedAt: null,
        payloadUrl: `/api/authority/inbox/${weimar.id}`, receiptUrl: `/api/authority/inbox/${weimar.id}/receipt.pdf`, ackUrl: `/api/authority/inbox/${weimar.id}/ack`,
        attachmentsUrl: `/api/authority/inbox/${weimar.id}/attachments`,
      }],
    });
    // The worker never pushes inbox jobs: the submission is only accepted until it is fetched.
    expect((await c.store.submissions.find(weimar.id))?.status).toBe('accepted');

    const xml = await request(c.app).get(`/api/authority/inbox/${weimar.id}`).set(as(WEIMAR_KEY));
    expect(xml.status).toBe(200);
    expect(xml.headers['content-type']).toBe('application/xml; charset=utf-8');
    expect(xml.text).toBe((await c.store.submissions.find(weimar.id))!.payloadXml);
    expect((await request(c.app).get(weimar.statusUrl)).body.status).toBe('delivered');

    const pdf = await getBinary(c.app, `/api/authority/inbox/${weimar.id}/receipt.pdf`, as(WEIMAR_KEY));
    expect(pdf.status).toBe(200);
    expect(squash(pdfText(pdf.body as Buffer))).toContain(`Vorgangsnummer ${weimar.id}`);

    // Another authority's submission is answered like an unknown one, on every route.
    for (const [method, url] of [['get', `/api/authority/inbox/${gotha.id}`], ['get', `/api/authority/inbox/${gotha.id}/receipt.pdf`], ['post', `/api/authority/inbox/${gotha.id}/ack`], ['get', '/api/authority/inbox/ZZZZ-ZZZZ-Z']] as const) {
      const res = await request(c.app)[method](url).set(as(WEIMAR_KEY));
      expect({ url, status: res.status, code: (res.body as { code?: string }).code }).toEqual({ url, status: 404, code: 'SUBMISSION_NOT_FOUND' });
    }
    expect((await c.store.submissions.find(gotha.id))?.status).toBe('accepted');

    // Fetched but not acknowledged: still listed, now with fetchedAt.
    const again = await request(c.app).get('/api/authority/inbox').set(as(WEIMAR_KEY));
    expect(again.body.items).toHaveLength(1);
    expect(again.body.items[0].fetchedAt).toEqual(expect.any(String));

    const ack = await request(c.app).post(`/api/authority/inbox/${weimar.id}/ack`).set(as(WEIMAR_KEY));
    expect(ack.status).toBe(200);
    expect(ack.body).toEqual({ id: weimar.id, status: 'acknowledged', acknowledgedAt: expect.any(String) as string });
    expect((await request(c.app).get('/api/authority/inbox').set(as(WEIMAR_KEY))).body.items).toEqual([]);
    const status = await request(c.app).get(weimar.statusUrl);
    expect(status.body.status).toBe('acknowledged');
    expect(status.body.events.map((e: { type: string }) => e.type)).toEqual(['accepted', 'delivered', 'acknowledged']);

    // Gotha sees its own, untouched.
    const gothaList = await request(c.app).get('/api/authority/inbox').set(as(GOTHA_KEY));
    expect(gothaList.body.items.map((i: { id: string }) => i.id)).toEqual([gotha.id]);
  });

  test('no key, a wrong key or a key of no inbox authority gets 401 with WWW-Authenticate', async () => {
    const c = await harness.start('http://127.0.0.1:9', inboxes(), env);
    for (const headers of [{}, { authorization: 'Bearer wrong-key' }, { authorization: `Basic ${Buffer.from(`x:${WEIMAR_KEY}`).toString('base64')}` }, { authorization: `Bearer ${sha256Hex(WEIMAR_KEY)}` }]) {
      const res = await request(c.app).get('/api/authority/inbox').set(headers);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.code).toBe('UNAUTHORIZED');
    }
  });

  test('with an encryption key the payload and the receipt are fetched as JWE only', async () => {
    const keys = testEncryptionKeys();
    const c = await harness.start('http://127.0.0.1:9', inboxes({ encryptionKey: keys.publicJwk }), env);
    const a = await submit(c, 'hundesteuer-anmeldung', example('hundesteuer-anmeldung', 'valid-1'));
    const res = await request(c.app).get(`/api/authority/inbox/${a.id}`).set({ authorization: `Bearer ${WEIMAR_KEY}` });
    expect(res.headers['content-type']).toMatch(/^application\/jose/);
    const opened = await decryptJwe(res.text, keys.privateKey);
    expect(opened.plaintext.toString('utf8')).toBe((await c.store.submissions.find(a.id))!.payloadXml);
    expect(opened.header).toMatchObject({ kid: keys.publicJwk.kid, cty: 'application/xml' });
    const pdf = await request(c.app).get(`/api/authority/inbox/${a.id}/receipt.pdf`).set({ authorization: `Bearer ${WEIMAR_KEY}` });
    expect(pdf.headers['content-type']).toMatch(/^application\/jose/);
    expect((await decryptJwe(pdf.text, keys.privateKey)).plaintext.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });

  test('a HEAD request or a look at the receipt records no fetch', async () => {
    const c = await harness.start('http://127.0.0.1:9', inboxes(), env);
    const a = await submit(c, 'hundesteuer-anmeldung', example('hundesteuer-anmeldung', 'valid-1'));
    const head = await request(c.app).head(`/api/authority/inbox/${a.id}`).set({ authorization: `bearer ${WEIMAR_KEY}` });
    expect(head.status).toBe(200);
    const pdf = await getBinary(c.app, `/api/authority/inbox/${a.id}/receipt.pdf`, { authorization: `Bearer ${WEIMAR_KEY}` });
    expect(pdf.status).toBe(200);
    const record = await c.store.submissions.find(a.id);
    expect(record?.status).toBe('accepted');
    expect(record?.events.map((e) => e.type)).toEqual(['accepted']);
  });

  test('two inbox authorities with the same key, or an inbox without a key in production, stop the start', async () => {
    const same = await harness.start('http://127.0.0.1:9', inboxes(), { ...env, EFA_INBOX_GOTHA: env.EFA_INBOX_WEIMAR }).then(() => undefined, (err: unknown) => err);
    expect(same).toBeInstanceOf(StartupError);
    expect((same as StartupError).problems).toEqual([expect.stringMatching(/thueringen\.json: \/authorities\/4\/delivery\/apiKeyHashEnv: EFA_INBOX_GOTHA holds the same key hash as another inbox authority/)]);
    await harness.close();

    const production = { NODE_ENV: 'production', PUBLIC_BASE_URL: 'https://antrag.example.de', ADMIN_TOKEN_HASH: sha256Hex('admin'), ROUTING_SIGNING_KEY_FILE: testRoutingSigningKeyFile() };
    const missing = await harness.start('http://127.0.0.1:9', inboxes(), { ...production, EFA_INBOX_WEIMAR: env.EFA_INBOX_WEIMAR }).then(() => undefined, (err: unknown) => err);
    expect((missing as StartupError).problems).toEqual([expect.stringMatching(/\/authorities\/4\/delivery\/apiKeyHashEnv: EFA_INBOX_GOTHA is not set/)]);
    await harness.close();

    const mail = await harness.start('http://127.0.0.1:9', { 'stadt-jena-buergeramt': { delivery: { type: 'email' } } }, production).then(() => undefined, (err: unknown) => err);
    expect((mail as StartupError).problems).toEqual([expect.stringMatching(/\/authorities\/1\/delivery: e-mail delivery needs SMTP_URL when NODE_ENV=production/)]);
  });
});
