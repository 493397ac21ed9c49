import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { startReceiver, type TestReceiver } from '../support/http-receiver';
import { killSpawnedProcesses, spawnEntryPoint, startServerProcess, startWorkerProcess } from '../support/spawn-server';
import { tempDir } from '../support/temp-dir';
import { example, secretFor, writeSampleTenant } from '../support/test-setup';
import { parseXml, path as xmlPath, textOf } from '../support/xml';

const POLL_INTERVAL_MS = 50;

async function statusOf(baseUrl: string, statusUrl: string): Promise<string> {
  const res = await fetch(`${baseUrl}${statusUrl}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { status: string }).status;
}

/** Uploads one small PDF for a file question through the API, as a portal does before it submits; its id. */
async function uploadPdf(baseUrl: string, formId: string, pointer: string, fileName: string): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([Buffer.concat([Buffer.from('%PDF-1.7\n', 'latin1'), randomBytes(2039)])], { type: 'application/pdf' }), fileName);
  const res = await fetch(`${baseUrl}/api/forms/${formId}/attachments?field=${encodeURIComponent(pointer)}`, { method: 'POST', body: form });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

describe('the standalone delivery worker (src/worker-main.ts)', () => {
  let receiver: TestReceiver;
  let dir: ReturnType<typeof tempDir>;
  let env: Record<string, string>;

  beforeEach(async () => {
    receiver = await startReceiver(secretFor);
    dir = tempDir();
    const tenants = path.join(dir.path, 'tenants');
    mkdirSync(tenants);
    env = {
      ...writeSampleTenant(tenants, receiver.url),
      TENANTS_DIR: tenants,
      DATA_DIR: path.join(dir.path, 'data'),
      DELIVERY_WORKER: 'off',
      DELIVERY_POLL_INTERVAL_MS: String(POLL_INTERVAL_MS),
      DELIVERY_TIMEOUT_MS: '2000',
    };
  });
  afterEach(async () => {
    await killSpawnedProcesses();
    await receiver.close();
    dir.remove();
  });

  test('a web server with DELIVERY_WORKER=off only accepts; the worker process delivers and stops on SIGTERM', async () => {
    const web = await startServerProcess(env);
    const res = await fetch(`${web.url}/api/forms/gewerbeanmeldung/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ data: example('gewerbeanmeldung', 'valid-1') }),
    });
    expect(res.status).toBe(201);
    const accepted = (await res.json()) as { id: string; statusUrl: string; authority: { id: string } };

    // Proving that nothing happens needs a window to watch: twenty poll intervals, in which a
    // worker in the web process would have been nudged by the submission and polled many times.
    await new Promise((r) => setTimeout(r, 20 * POLL_INTERVAL_MS));
    expect(receiver.requests).toHaveLength(0);
    expect(await statusOf(web.url, accepted.statusUrl)).toBe('accepted');
    expect(web.logLines().filter((l) => l.event.startsWith('delivery.'))).toEqual([]);

    // The same environment (DELIVERY_WORKER=off included: it concerns only the web server).
    const worker = await startWorkerProcess(env);
    await worker.waitForLog('delivery.delivered', { where: (l) => l.channel === 'http' && l.submission === accepted.id });
    // The web process reads the state the worker process wrote into the shared store.
    expect(await statusOf(web.url, accepted.statusUrl)).toBe('delivered');

    const [delivered] = receiver.requests;
    expect(receiver.requests).toHaveLength(1);
    expect(delivered!.signatureValid).toBe(true);
    expect(delivered!.path).toBe(`/${accepted.authority.id}`);
    const header = xmlPath(parseXml(delivered!.body).elements![0]!, 'header');
    expect(textOf(xmlPath(header, 'reference'))).toBe(accepted.id);
    expect(textOf(xmlPath(header, 'reader', 'id'))).toBe(accepted.authority.id);
    // The worker process builds the app but never listens.
    expect(worker.logLines().some((l) => l.event === 'server.listening')).toBe(false);

    worker.kill('SIGTERM');
    const stopped = await worker.exited;
    expect(stopped.code).toBe(0);
    const events = worker.logLines().map((l) => l.event);
    expect(events).toContain('worker.stopping');
    expect(events).toContain('worker.stopped');
    expect(stopped.stderr).toBe('');

    web.kill('SIGTERM');
    expect((await web.exited).code).toBe(0);
  }, 45_000);

  test('a bad setting stops the worker with exit code 1 and a one-line reason', async () => {
    const { code, stderr } = await spawnEntryPoint('src/worker-main.ts', { ...env, DELIVERY_POLL_INTERVAL_MS: 'oft' }).exited;
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual(['efa-forms: configuration error: DELIVERY_POLL_INTERVAL_MS="oft" must be a whole number from 10 to 3600000']);
  });

  test('a second signal while the worker drains a slow delivery ends it at once with exit code 1', async () => {
    // The receiver holds the request open until the test ends, so the delivery stays running.
    const held: Array<() => void> = [];
    receiver.respond = () => new Promise((resolve) => held.push(() => resolve(204)));
    const web = await startServerProcess(env);
    // The parking permit requires its vehicle registration: the example's two files, uploaded first.
    const data = example('anwohnerparkausweis', 'valid-2');
    const vehicle = data.fahrzeug as { zulassungsbescheinigung: string[] };
    vehicle.zulassungsbescheinigung = [
      await uploadPdf(web.url, 'anwohnerparkausweis', '/fahrzeug/zulassungsbescheinigung', 'nachweis-1.pdf'),
      await uploadPdf(web.url, 'anwohnerparkausweis', '/fahrzeug/zulassungsbescheinigung', 'nachweis-2.pdf'),
    ];
    const res = await fetch(`${web.url}/api/forms/anwohnerparkausweis/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ data }),
    });
    expect(res.status).toBe(201);
    const worker = await startWorkerProcess({ ...env, SHUTDOWN_TIMEOUT_MS: '60000', DELIVERY_TIMEOUT_MS: '60000' });
    await receiver.waitFor((r) => r.length >= 1);

    worker.kill('SIGTERM');
    await worker.waitForLog('worker.stopping');
    worker.kill('SIGTERM');
    const ended = await worker.exited;
    expect(ended.code).toBe(1);
    expect(worker.logLines().map((l) => l.event)).toContain('worker.forced_exit');
    held.forEach((release) => release());
  });
});
