import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { StartupError } from '../../src/startup-error';
import { channelHarness, submit, waitUntil } from '../support/channel-harness';
import { startReceiver, type TestReceiver } from '../support/http-receiver';
import { startHttpsReceiver, type TestHttpsReceiver } from '../support/https-receiver';
import { tempDir } from '../support/temp-dir';
import { createTestCertificates } from '../support/test-certificates';
import { example, secretFor } from '../support/test-setup';

/** A receiver that is down and comes back, a shutdown that cannot wait, and mTLS from the tenant file. */
describe('delivery lifecycle', () => {
  const harness = channelHarness();
  const second = channelHarness();
  let receiver: TestReceiver | undefined;
  let tlsReceiver: TestHttpsReceiver | undefined;
  afterEach(async () => {
    await harness.close();
    await second.close();
    await receiver?.close();
    await tlsReceiver?.close();
    receiver = undefined;
    tlsReceiver = undefined;
  });

  test('an authority endpoint that is down gets the payload once it is back, once', async () => {
    const probe = await startReceiver(secretFor);
    const port = Number(new URL(probe.url).port);
    await probe.close();
    const c = await harness.start(`http://127.0.0.1:${port}`);
    c.worker.start();
    const a = await submit(c, 'hundesteuer-anmeldung', example('hundesteuer-anmeldung', 'valid-1'));
    await waitUntil(async () => (await c.store.deliveries.jobsOf(a.id)).some((j) => j.channel === 'http' && j.attempts >= 2 && j.state === 'failed'));
    const job = (await c.store.deliveries.jobsOf(a.id)).find((j) => j.channel === 'http')!;
    expect(job.lastError).toBe('request failed: ECONNREFUSED');

    receiver = await startReceiver(secretFor, port);
    await waitUntil(async () => (await c.store.submissions.find(a.id))?.status === 'delivered');
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.requests.filter((r) => r.path === '/stadt-weimar')).toHaveLength(1);
    expect(receiver.requests[0]!.signatureValid).toBe(true);
  });

  test('a shutdown that cannot wait for a hanging delivery keeps its lease, so no other worker sends the job meanwhile; once the lease has run out the next process delivers it', async () => {
    receiver = await startReceiver(secretFor);
    let hang = true;
    const held: Array<() => void> = [];
    receiver.respond = () => (hang ? new Promise<number>((resolve) => held.push(() => resolve(204))) : 204);
    // An attempt timeout long enough that the attempt is surely still under way when the stop
    // gives up waiting (a loaded machine included), short enough that the lease (2 × timeout +
    // 5 s = 11 s) runs out within the test.
    const c = await harness.start(receiver.url, {}, { DELIVERY_TIMEOUT_MS: '3000' });
    c.worker.start();
    const a = await submit(c, 'gewerbeanmeldung', example('gewerbeanmeldung', 'valid-1'));
    await receiver.waitFor((r) => r.length === 1);
    await c.close(200); // the attempt is still under way: the receiver may yet take it

    // The same data directory, a new process: the job is still leased, so no worker can claim it
    // while the first request may be in the receiver's hands (two sends of one job at once).
    const again = await harness.restart();
    const job = (await again.store.deliveries.jobsOf(a.id)).find((j) => j.channel === 'http')!;
    expect(job.state).toBe('in_flight');
    expect(await again.store.deliveries.claimDue({ now: new Date(), limit: 10, leaseMs: 60_000, owner: 'another-worker' })).toEqual([]);
    hang = false;
    held.forEach((release) => release());
    again.worker.start();
    await waitUntil(async () => (await again.store.submissions.find(a.id))?.status === 'delivered', 30_000);
    const sent = receiver.requests.filter((r) => r.path === '/stadt-erfurt-buergeramt');
    expect(sent).toHaveLength(2);
    expect(new Set(sent.map((r) => r.headers['idempotency-key'])).size).toBe(1);
    expect(new Set(sent.map((r) => r.body)).size).toBe(1);
  }, 60_000);

  test('mutual TLS from the tenant file: the client certificate named by environment variables is presented', async () => {
    const certs = createTestCertificates();
    const dir = tempDir('efa-mtls-');
    try {
      const file = (name: string, content: string) => {
        const target = path.join(dir.path, name);
        writeFileSync(target, content);
        return target;
      };
      tlsReceiver = await startHttpsReceiver({ key: certs.serverKey, cert: certs.serverCert, ca: certs.ca }, secretFor);
      const delivery = {
        type: 'http' as const, url: `${tlsReceiver.url}/stadt-jena-buergeramt`, secretEnv: 'EFA_SECRET_STADT_JENA_BUERGERAMT',
        clientCertificate: { certFileEnv: 'JENA_CLIENT_CERT', keyFileEnv: 'JENA_CLIENT_KEY', caFileEnv: 'JENA_SERVER_CA' },
      };
      const c = await harness.start('http://127.0.0.1:9', { 'stadt-jena-buergeramt': { delivery } }, {
        JENA_CLIENT_CERT: file('client.crt', certs.clientCert), JENA_CLIENT_KEY: file('client.key', certs.clientKey), JENA_SERVER_CA: file('ca.crt', certs.ca),
      });
      c.worker.start();
      // A form without a file (the trade registration, to Jena): the point is the certificate, not a multipart push.
      const a = await submit(c, 'gewerbeanmeldung', example('gewerbeanmeldung', 'valid-2'));
      await waitUntil(async () => (await c.store.submissions.find(a.id))?.status === 'delivered');
      expect(tlsReceiver.requests).toHaveLength(1);
      expect(tlsReceiver.requests[0]!.signatureValid).toBe(true);
      expect(tlsReceiver.requests[0]!.clientCommonName).toBeDefined();

      // An unreadable certificate file stops the start, naming the tenant file and the place.
      await harness.close();
      const error = await second.start('http://127.0.0.1:9', { 'stadt-jena-buergeramt': { delivery } }, {
        JENA_CLIENT_CERT: path.join(dir.path, 'missing.crt'), JENA_CLIENT_KEY: path.join(dir.path, 'client.key'),
      }).then(() => undefined, (err: unknown) => err);
      expect(error).toBeInstanceOf(StartupError);
      expect((error as StartupError).problems.join('\n')).toMatch(/thueringen\.json: \/authorities\/1\/delivery\/clientCertificate: .*missing\.crt/);
    } finally {
      dir.remove();
    }
  });
});
