import { mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { startReceiver, type TestReceiver } from '../support/http-receiver';
import { killSpawnedProcesses, startServerProcess, type SpawnedProcess } from '../support/spawn-server';
import { example, secretFor, writeSampleTenant } from '../support/test-setup';
import { freePort } from '../support/free-port';
import { tempDir } from '../support/temp-dir';

/** How long the server keeps a connection that sends `first` and then nothing; with what it answered. */
async function stall(url: string, first: string): Promise<{ ms: number; answer: string }> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  const started = performance.now();
  let answer = '';
  socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
  socket.write(first);
  await new Promise((resolve) => socket.on('close', resolve));
  return { ms: performance.now() - started, answer };
}

/**
 * Issue 9, points 3 and 5, against the real entry point: a slow client is cut off after the
 * configured timeouts (Node's default would keep it for 300 s), and /metrics is served on a port
 * of its own without a token, while the main port keeps it behind ADMIN_TOKEN_HASH.
 */
describe('the server process: timeouts, readiness and the metrics port', () => {
  const dir = tempDir();
  let receiver: TestReceiver;
  let server: SpawnedProcess & { readonly url: string };
  let metricsPort: number;

  beforeAll(async () => {
    receiver = await startReceiver(secretFor);
    const tenants = path.join(dir.path, 'tenants');
    mkdirSync(tenants);
    metricsPort = await freePort();
    server = await startServerProcess({
      ...writeSampleTenant(tenants, receiver.url), TENANTS_DIR: tenants, DATA_DIR: path.join(dir.path, 'data'),
      HTTP_HEADERS_TIMEOUT_MS: '1000', HTTP_REQUEST_TIMEOUT_MS: '2000', HTTP_KEEP_ALIVE_TIMEOUT_MS: '500', METRICS_PORT: String(metricsPort),
    });
  });
  afterAll(async () => {
    await killSpawnedProcesses();
    await receiver.close();
    dir.remove();
  });

  test('headers that never end: the connection is closed after HTTP_HEADERS_TIMEOUT_MS', async () => {
    const { ms, answer } = await stall(server.url, 'GET /healthz HTTP/1.1\r\nHost: x\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(ms).toBeGreaterThanOrEqual(900);
    expect(ms).toBeLessThan(10_000);
  });

  test('a body that never ends: 408 after HTTP_REQUEST_TIMEOUT_MS', async () => {
    const { ms, answer } = await stall(server.url, 'POST /api/forms/hundesteuer-anmeldung/submissions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"data":');
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(ms).toBeGreaterThanOrEqual(1900);
    expect(ms).toBeLessThan(10_000);
  });

  test('an idle keep-alive connection is closed after HTTP_KEEP_ALIVE_TIMEOUT_MS', async () => {
    const { ms, answer } = await stall(server.url, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
    // Node's own default would be 5 s.
    expect(ms).toBeLessThan(2_500);
  });

  test('/readyz of the real process: the store is writable and its worker polls', async () => {
    const res = await fetch(`${server.url}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ready', checks: { store: 'writable', worker: 'alive' } });
  });

  test('/metrics on METRICS_PORT without a token; 404 on the main port without ADMIN_TOKEN_HASH; no personal data in it', async () => {
    const data = example('hundesteuer-anmeldung', 'valid-1');
    const accepted = await fetch(`${server.url}/api/forms/hundesteuer-anmeldung/submissions`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ data }),
    });
    expect(accepted.status).toBe(201);
    const { id } = (await accepted.json()) as { id: string };
    await fetch(`${server.url}/api/submissions/${id}?token=wrong`);

    const scrape = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(scrape.status).toBe(200);
    expect(scrape.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await scrape.text();
    expect(text).toMatch(/^efa_submissions_total\{form="hundesteuer-anmeldung",outcome="accepted"\} 1$/m);
    expect(text).toMatch(/^efa_http_requests_total\{method="POST",route="\/api\/forms\/:id\/submissions",status="201"\} 1$/m);
    expect(text).toMatch(/^efa_http_requests_total\{method="GET",route="\/api\/submissions\/:id",status="404"\} 1$/m);
    expect(text).toMatch(/^efa_delivery_jobs\{state="[a-z_]+",channel="http"\} [0-9]+$/m);
    // Neither the reference nor any answer appears.
    expect(text).not.toContain(id);
    expect(text).not.toContain(String((data.halter as { nachname: string }).nachname));

    expect((await fetch(`${server.url}/metrics`)).status).toBe(404);

    // The worker's real http channel delivers to the real receiver, and the attempt is counted.
    const delivered = /^efa_delivery_attempts_total\{channel="http",outcome="delivered"\} 1$/m;
    for (const deadline = Date.now() + 15_000; !delivered.test(await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text());) {
      if (Date.now() > deadline) throw new Error('the delivery attempt was not counted');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
});
