import { writeFileSync } from 'node:fs';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import path from 'node:path';
import { loadClientIdentity } from '../../src/delivery/client-identity';
import { createDeliveryAgent, deliverOverHttp, type DeliveryOutcome } from '../../src/delivery/http-channel';
import type { DeliveryJob } from '../../src/storage/ports';
import { startHttpsReceiver, type TestHttpsReceiver } from '../support/https-receiver';
import { createTestCertificates, type TestCertificates } from '../support/test-certificates';
import { tempDir } from '../support/temp-dir';
import { secretFor } from '../support/test-setup';

const AUTHORITY = 'stadt-erfurt';
// Umlauts, a euro sign, an emoji and markup: the bytes must arrive exactly as stored.
const BODY = '<?xml version="1.0" encoding="UTF-8"?>\n<antrag name="Jürgen Müller-Weiß" betrag="12,50 €">Grüße 🐕 &amp; &lt;Tschüss&gt;</antrag>\n';

function job(overrides: Partial<DeliveryJob> = {}): DeliveryJob {
  return {
    id: 'job-1', submissionId: 'EFA-2026-0001', authorityId: AUTHORITY, channel: 'http',
    idempotencyKey: 'efa-2026-0001-stadt-erfurt', contentType: 'application/xml; charset=utf-8', body: BODY,
    state: 'in_flight', attempts: 1, nextAttemptAt: new Date(), lastError: null, createdAt: new Date(),
    ...overrides,
  };
}

/** Narrows a failed outcome, so the tests can look at its fields. */
function failure(outcome: DeliveryOutcome): Extract<DeliveryOutcome, { ok: false }> {
  if (outcome.ok) throw new Error(`expected a failed delivery, got HTTP ${outcome.status}`);
  return outcome;
}

describe('HTTP delivery with a client certificate (mutual TLS) to a real HTTPS receiver', () => {
  let certs: TestCertificates;
  let receiver: TestHttpsReceiver;
  const agents: HttpAgent[] = [];

  beforeAll(() => {
    certs = createTestCertificates();
  });
  beforeEach(async () => {
    receiver = await startHttpsReceiver({ key: certs.serverKey, cert: certs.serverCert, ca: certs.ca }, secretFor);
  });
  afterEach(async () => {
    // Kept-alive sockets would hold the test run open.
    for (const agent of agents.splice(0)) agent.destroy();
    await receiver.close();
  });

  const agentFor = (identity?: Parameters<typeof createDeliveryAgent>[1]): HttpAgent => {
    const agent = createDeliveryAgent(receiver.url, identity);
    agents.push(agent);
    return agent;
  };
  const rightIdentity = () => ({ cert: certs.clientCert, key: certs.clientKey, ca: certs.ca });
  const deliver = (agent: HttpAgent, timeoutMs = 5_000, sent: DeliveryJob = job()) =>
    deliverOverHttp(sent, { type: 'http', url: `${receiver.url}/${AUTHORITY}`, secretEnv: 'EFA_SECRET_STADT_ERFURT' }, secretFor(AUTHORITY), {
      timeoutMs, now: () => new Date(), agent,
    });

  test('with the right client certificate the payload arrives signed and byte for byte', async () => {
    const outcome = await deliver(agentFor(rightIdentity()));
    expect(outcome).toEqual({ ok: true, status: 204 });
    expect(receiver.requests).toHaveLength(1);
    const [arrived] = receiver.requests;
    expect(arrived).toMatchObject({ method: 'POST', path: `/${AUTHORITY}`, signatureValid: true, clientCommonName: 'efa-forms delivery' });
    expect(arrived!.bodyBytes.equals(Buffer.from(BODY, 'utf8'))).toBe(true);
    expect(arrived!.headers).toMatchObject({
      'content-type': 'application/xml; charset=utf-8',
      'idempotency-key': 'efa-2026-0001-stadt-erfurt',
      'content-length': String(Buffer.byteLength(BODY)),
    });
    expect(arrived!.headers['efa-timestamp']).toMatch(/^[0-9]{10}$/);
  });

  test('without a client certificate the handshake is refused: a retryable failure, nothing delivered', async () => {
    receiver.respond = () => ({ status: 204, body: 'ANSWER-BODY-MARKER' });
    // Trusts the receiver, so the only thing missing is our certificate.
    const agent = new HttpsAgent({ keepAlive: true, ca: certs.ca });
    agents.push(agent);
    const outcome = failure(await deliver(agent));
    // TLS 1.3 reports the refusal as an alert after the client's side of the handshake.
    expect(outcome.error).toMatch(/^request failed: (ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED|ECONNRESET)$/);
    expect(outcome.permanent).toBeUndefined();
    expect(outcome.error).not.toContain('MARKER');
    await receiver.waitFor((r) => r.refusedHandshakes.length === 1);
    expect(receiver.requests).toHaveLength(0);
  });

  test('a client certificate from another CA is refused', async () => {
    const outcome = failure(await deliver(agentFor({ cert: certs.otherClientCert, key: certs.otherClientKey, ca: certs.ca })));
    expect(outcome.error).toMatch(/^request failed: [A-Z0-9_]+$/);
    expect(outcome.permanent).toBeUndefined();
    await receiver.waitFor((r) => r.refusedHandshakes.length === 1);
    expect(receiver.requests).toHaveLength(0);
  });

  test("the authority's server certificate must chain to `ca`, or to Node's default CAs without it", async () => {
    // The receiver sends its self-signed test CA along with its certificate; Node's default CAs
    // do not know it.
    const untrusted = failure(await deliver(agentFor({ cert: certs.clientCert, key: certs.clientKey })));
    expect(untrusted).toEqual({ ok: false, error: 'request failed: SELF_SIGNED_CERT_IN_CHAIN' });
    // `ca` replaces the defaults: another CA does not vouch for the server either.
    const wrongCa = failure(await deliver(agentFor({ cert: certs.clientCert, key: certs.clientKey, ca: certs.otherCa })));
    expect(wrongCa).toEqual({ ok: false, error: 'request failed: SELF_SIGNED_CERT_IN_CHAIN' });
    expect(receiver.requests).toHaveLength(0);

    expect(await deliver(agentFor(rightIdentity()))).toEqual({ ok: true, status: 204 });
    expect(receiver.requests).toHaveLength(1);
  });

  test('the agent keeps its TLS connection alive for the next payload', async () => {
    const agent = agentFor(rightIdentity());
    expect(await deliver(agent)).toEqual({ ok: true, status: 204 });
    expect(await deliver(agent, 5_000, job({ id: 'job-2', idempotencyKey: 'second' }))).toEqual({ ok: true, status: 204 });
    expect(receiver.requests.map((r) => r.connection)).toEqual([1, 1]);
    expect(receiver.connections()).toBe(1);
  });

  test('answers: bodies stay out of the error, 4xx is permanent, Retry-After is read, redirects are not followed', async () => {
    const agent = agentFor(rightIdentity());
    const answers = [
      { status: 503, headers: { 'retry-after': '120' }, body: 'ANSWER-BODY-MARKER Jürgen Müller' },
      { status: 400, body: 'ANSWER-BODY-MARKER' },
      { status: 429, headers: { 'retry-after': '2' } },
      { status: 302, headers: { location: `${receiver.url}/elsewhere` } },
    ];
    receiver.respond = (_req, i) => answers[i] ?? 500;
    expect(await deliver(agent)).toEqual({ ok: false, error: 'receiver answered HTTP 503', permanent: false, retryAfterMs: 120_000 });
    expect(await deliver(agent)).toEqual({ ok: false, error: 'receiver answered HTTP 400', permanent: true });
    expect(await deliver(agent)).toEqual({ ok: false, error: 'receiver answered HTTP 429', permanent: false, retryAfterMs: 2_000 });
    expect(await deliver(agent)).toEqual({ ok: false, error: 'receiver answered HTTP 302, a redirect, which is not followed' });
    // The redirect target never saw the payload, and the drained bodies let one connection serve all.
    expect(receiver.requests.map((r) => r.path)).toEqual(Array(4).fill(`/${AUTHORITY}`));
    expect(receiver.connections()).toBe(1);
  });

  test('an attempt that gets no answer in time is aborted and can be retried', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    receiver.respond = async () => {
      await gate;
      return 204;
    };
    const started = Date.now();
    const outcome = await deliver(agentFor(rightIdentity()), 300);
    release();
    expect(outcome).toEqual({ ok: false, error: 'request failed: TimeoutError' });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(receiver.requests).toHaveLength(1);
  });
});

describe('createDeliveryAgent', () => {
  let certs: TestCertificates;
  beforeAll(() => {
    certs = createTestCertificates();
  });

  test('keeps connections alive and picks the agent by protocol', () => {
    const plain = createDeliveryAgent('http://127.0.0.1:8080/x');
    const tls = createDeliveryAgent('https://behoerde.example/x');
    expect(plain).not.toBeInstanceOf(HttpsAgent);
    expect(tls).toBeInstanceOf(HttpsAgent);
    expect(plain).toHaveProperty('keepAlive', true);
    expect(tls).toHaveProperty('keepAlive', true);
    plain.destroy();
    tls.destroy();
  });

  test('refuses a client certificate it could never present or use, at start-up', () => {
    expect(() => createDeliveryAgent('http://127.0.0.1:8080/x', { cert: certs.clientCert, key: certs.clientKey }))
      .toThrow('a client certificate needs an https delivery URL, but this one uses http:');
    // A key that belongs to another certificate.
    expect(() => createDeliveryAgent('https://behoerde.example/x', { cert: certs.clientCert, key: certs.otherClientKey }))
      .toThrow(/^the client certificate, key or CA cannot be used: .*key values mismatch/);
    expect(() => createDeliveryAgent('ftp://behoerde.example/x')).toThrow('delivery URLs must use http: or https:, not ftp:');
  });
});

describe('loadClientIdentity', () => {
  let certs: TestCertificates;
  let dir: ReturnType<typeof tempDir>;
  beforeAll(() => {
    certs = createTestCertificates();
  });
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => dir.remove());

  const write = (name: string, text: string) => {
    const file = path.join(dir.path, name);
    writeFileSync(file, text);
    return file;
  };

  test('reads the PEM files into an identity a receiver accepts', async () => {
    const identity = loadClientIdentity({ cert: write('client.crt', certs.clientCert), key: write('client.key', certs.clientKey), ca: write('ca.crt', certs.ca) });
    expect(identity).toEqual({ cert: certs.clientCert, key: certs.clientKey, ca: certs.ca });
    expect(loadClientIdentity({ cert: write('c.crt', certs.clientCert), key: write('c.key', certs.clientKey) })).not.toHaveProperty('ca');

    const receiver = await startHttpsReceiver({ key: certs.serverKey, cert: certs.serverCert, ca: certs.ca }, secretFor);
    const agent = createDeliveryAgent(receiver.url, identity);
    try {
      const outcome = await deliverOverHttp(job(), { type: 'http', url: `${receiver.url}/${AUTHORITY}`, secretEnv: 'X' }, secretFor(AUTHORITY), {
        timeoutMs: 5_000, now: () => new Date(), agent,
      });
      expect(outcome).toEqual({ ok: true, status: 204 });
      expect(receiver.requests[0]?.signatureValid).toBe(true);
    } finally {
      agent.destroy();
      await receiver.close();
    }
  });

  test('names the file that failed and why, without quoting any file', () => {
    const cert = write('client.crt', certs.clientCert);
    const key = write('client.key', certs.clientKey);
    const missing = path.join(dir.path, 'missing.key');
    expect(() => loadClientIdentity({ cert, key: missing })).toThrow(`cannot read the client private key file ${missing} (ENOENT)`);
    expect(() => loadClientIdentity({ cert, key, ca: dir.path })).toThrow(`cannot read the CA certificate file ${dir.path} (EISDIR)`);
    // Certificate and key swapped: the message names the role, not the content.
    let error: unknown;
    try {
      loadClientIdentity({ cert: key, key: cert });
    } catch (err) {
      error = err;
    }
    expect(String(error)).toBe(`Error: the client certificate file ${key} does not contain a PEM certificate`);
  });
});
