import { generateKeyPairSync } from 'node:crypto';
import request from 'supertest';
import { sha256Hex } from '../../src/support/sha256';
import { StartupError } from '../../src/startup-error';
import { submit, waitUntil, withReceiver } from '../support/channel-harness';
import { decryptJwe, testEncryptionKeys } from '../support/encryption-keys';
import { example } from '../support/test-setup';

/** End-to-end encryption over the http push channel, and the start-up checks of the keys. */
describe('payload encryption (JWE) to the authority', () => {
  const ctx = withReceiver();
  const { harness } = ctx;

  test('the receiver gets only a JWE and decrypts it to exactly the XML; every retry sends the same JWE', async () => {
    const keys = testEncryptionKeys();
    const c = await harness.start(ctx.receiver.url, { 'stadt-erfurt-buergeramt': { encryptionKey: keys.publicJwk } });
    ctx.receiver.respond = (_r, i) => (i < 2 ? 503 : 204);
    c.worker.start();
    const a = await submit(c, 'gewerbeanmeldung', example('gewerbeanmeldung', 'valid-1'));
    await waitUntil(async () => (await c.store.submissions.find(a.id))?.status === 'delivered');
    const received = ctx.receiver.requests.filter((r) => r.path === '/stadt-erfurt-buergeramt');
    expect(received).toHaveLength(3);
    expect(new Set(received.map((r) => r.body)).size).toBe(1);
    expect(new Set(received.map((r) => r.headers['idempotency-key'])).size).toBe(1);
    expect(received.every((r) => r.signatureValid)).toBe(true);
    expect(received[0]!.headers['content-type']).toBe('application/jose');
    const body = received[0]!.body;
    expect(body.split('.')).toHaveLength(5);
    expect(body).not.toContain('<');

    const stored = await c.store.submissions.find(a.id);
    const opened = await decryptJwe(body, keys.privateKey);
    expect(opened.plaintext.toString('utf8')).toBe(stored!.payloadXml);
    expect(opened.header).toEqual({ alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: keys.publicJwk.kid, cty: 'application/xml' });
  });

  test('an authority without a key still gets plain XML next to one with a key', async () => {
    const keys = testEncryptionKeys();
    const c = await harness.start(ctx.receiver.url, { 'stadt-erfurt-buergeramt': { encryptionKey: keys.publicJwk } });
    c.worker.start();
    const jena = await submit(c, 'gewerbeanmeldung', example('gewerbeanmeldung', 'valid-2'));
    await waitUntil(async () => (await c.store.submissions.find(jena.id))?.status === 'delivered');
    const r = ctx.receiver.requests.find((x) => x.path === '/stadt-jena-buergeramt')!;
    expect(r.headers['content-type']).toBe('application/xml; charset=utf-8');
    expect(r.body.startsWith('<?xml')).toBe(true);
  });

  test.each([
    ['a 2048-bit key', () => ({ ...rsaJwk(2048), kid: 'k1', use: 'enc' }), /4096/],
    ['a private key', () => ({ ...rsaJwk(4096, true), kid: 'k1' }), /private/],
    ['a signing key', () => ({ ...testEncryptionKeys().publicJwk, use: 'sig' }), /use/],
    ['an EC key', () => ({ ...generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' }), kid: 'k1' }), /RSA|n: is required/],
  ])('%s stops the start with file, pointer and reason', async (_name, jwk, reason) => {
    const error = await harness.start(ctx.receiver.url, { 'stadt-gotha': { encryptionKey: jwk() } }).then(() => undefined, (err: unknown) => err);
    expect(error).toBeInstanceOf(StartupError);
    const problems = (error as StartupError).problems;
    expect(problems.length).toBeGreaterThan(0);
    for (const p of problems) expect(p).toMatch(/thueringen\.json: \/authorities\/4\/encryptionKey(\/[a-z]+)?: /);
    expect(problems.join('\n')).toMatch(reason);
  });
});

const rsaCache = new Map<string, Record<string, unknown>>();
function rsaJwk(bits: number, withPrivate = false): Record<string, unknown> {
  const key = `${bits}-${String(withPrivate)}`;
  if (!rsaCache.has(key)) {
    const pair = generateKeyPairSync('rsa', { modulusLength: bits });
    rsaCache.set(key, (withPrivate ? pair.privateKey : pair.publicKey).export({ format: 'jwk' }));
  }
  return rsaCache.get(key)!;
}

/** An authority that gets its key while applications for it are still waiting. */
describe('a key added later', () => {
  const ctx = withReceiver();
  const { harness } = ctx;

  test('waiting payloads leave encrypted anyway, under a new idempotency key', async () => {
    const keys = testEncryptionKeys();
    ctx.receiver.respond = () => 503;
    const first = await harness.start(ctx.receiver.url);
    first.worker.start();
    const a = await submit(first, 'gewerbeanmeldung', example('gewerbeanmeldung', 'valid-1'));
    await ctx.receiver.waitFor((r) => r.length >= 1);
    await first.close(2000);
    const plainKey = ctx.receiver.requests[0]!.headers['idempotency-key'];
    expect(ctx.receiver.requests[0]!.body.startsWith('<?xml')).toBe(true);

    ctx.receiver.respond = () => 204;
    const second = await harness.restart({ 'stadt-erfurt-buergeramt': { encryptionKey: keys.publicJwk } });
    second.worker.start();
    await waitUntil(async () => (await second.store.submissions.find(a.id))?.status === 'delivered');
    const last = ctx.receiver.requests.at(-1)!;
    expect(last.headers['content-type']).toBe('application/jose');
    expect(last.headers['idempotency-key']).not.toBe(plainKey);
    expect((await decryptJwe(last.body, keys.privateKey)).plaintext.toString('utf8')).toBe((await second.store.submissions.find(a.id))!.payloadXml);
    // Every key that reached the receiver came with one body only.
    const bodies = new Map<string, Set<string>>();
    for (const r of ctx.receiver.requests) bodies.set(String(r.headers['idempotency-key']), (bodies.get(String(r.headers['idempotency-key'])) ?? new Set()).add(r.body));
    for (const set of bodies.values()) expect(set.size).toBe(1);
  });

  test('an inbox not fetched yet serves the payload encrypted', async () => {
    const keys = testEncryptionKeys();
    const inbox = { delivery: { type: 'inbox' as const, apiKeyHashEnv: 'EFA_INBOX_WEIMAR' } };
    const env = { EFA_INBOX_WEIMAR: sha256Hex('weimar-key') };
    const first = await harness.start(ctx.receiver.url, { 'stadt-weimar': inbox }, env);
    const a = await submit(first, 'hundesteuer-anmeldung', example('hundesteuer-anmeldung', 'valid-1'));
    await first.close(2000);
    const second = await harness.restart({ 'stadt-weimar': { ...inbox, encryptionKey: keys.publicJwk } });
    const res = await request(second.app).get(`/api/authority/inbox/${a.id}`).set('authorization', 'Bearer weimar-key');
    expect(res.headers['content-type']).toMatch(/^application\/jose/);
    expect((await decryptJwe(res.text, keys.privateKey)).plaintext.toString('utf8')).toBe((await second.store.submissions.find(a.id))!.payloadXml);
  });
});
