import { mkdirSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import type { Container } from '../../src/container';
import { buildContainer, example, SAMPLE_FORMS, secretFor, writeSampleTenant } from '../support/test-setup';
import { startReceiver, type ReceivedRequest, type TestReceiver } from '../support/http-receiver';
import { parseMultipart, type ReceivedPart } from '../support/multipart';
import { tempDir } from '../support/temp-dir';
import { withUploads } from '../support/with-uploads';
import { parseXml, path as xmlPath, textOf } from '../support/xml';

const FAST_RETRIES = { baseDelayMs: 20, maxDelayMs: 200 };

function setup() {
  const dir = tempDir();
  const tenants = path.join(dir.path, 'tenants');
  mkdirSync(tenants);
  return { dir, tenants, data: path.join(dir.path, 'data') };
}

/** Submits through the API, uploading a file first for each attachment id the answers name, as a portal does. */
async function submit(container: Container, formId: string, data: unknown) {
  const res = await request(container.app).post(`/api/forms/${formId}/submissions`).send({ data: await withUploads(container.app, formId, data) });
  expect(res.status).toBe(201);
  return res.body as { id: string; statusUrl: string; authority: { id: string } };
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * The payload of a push and the files after it: a push without files is the XML alone; one with
 * files (the parking permit's vehicle registration) is multipart/mixed with the XML first
 * (docs/delivery.md#attachments).
 */
function pushed(req: ReceivedRequest): { xml: string; files: ReceivedPart[] } {
  if (!String(req.headers['content-type']).startsWith('multipart/')) {
    expect(req.headers['content-type']).toBe('application/xml; charset=utf-8');
    return { xml: req.body, files: [] };
  }
  expect(req.headers['content-type']).toBe(`multipart/mixed; boundary=efa-forms-${String(req.headers['idempotency-key'])}`);
  const [payload, ...files] = parseMultipart(req.headers['content-type'], req.raw) as [ReceivedPart, ...ReceivedPart[]];
  expect(payload.headers['content-type']).toBe('application/xml; charset=utf-8');
  return { xml: payload.body.toString('utf8'), files };
}

/** How many files a sample names: the parking permit's vehicle registration; the others name none. */
const filesIn = (data: Record<string, unknown>): number =>
  ((data.fahrzeug as { zulassungsbescheinigung?: unknown[] } | undefined)?.zulassungsbescheinigung ?? []).length;

const samples = [
  ['anwohnerparkausweis', 'valid-1'], ['anwohnerparkausweis', 'valid-2'],
  ['hundesteuer-anmeldung', 'valid-1'], ['hundesteuer-anmeldung', 'valid-2'], ['hundesteuer-anmeldung', 'valid-3'],
  ['gewerbeanmeldung', 'valid-1'], ['gewerbeanmeldung', 'valid-2'], ['gewerbeanmeldung', 'valid-3'],
] as const;

describe('delivery to a real HTTP receiver', () => {
  let receiver: TestReceiver;
  let paths: ReturnType<typeof setup>;
  let container: Container | undefined;

  beforeEach(async () => {
    receiver = await startReceiver(secretFor);
    paths = setup();
  });
  afterEach(async () => {
    await container?.close(2000);
    container = undefined;
    await receiver.close();
    paths.dir.remove();
  });

  const start = async (extraEnv: Record<string, string> = {}) => {
    const env = writeSampleTenant(paths.tenants, receiver.url);
    const built = await buildContainer(
      { ...env, FORMS_DIR: SAMPLE_FORMS, TENANTS_DIR: paths.tenants, DATA_DIR: paths.data, ...extraEnv },
      { retryPolicy: FAST_RETRIES },
    );
    container = built;
    return built;
  };

  test('40 concurrent submissions are all accepted, stored and delivered exactly once with valid signatures', async () => {
    const c = await start({ DELIVERY_CONCURRENCY: '8' });
    c.worker.start();
    const accepted = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const [form, name] = samples[i % samples.length]!;
        const data = example(form, name);
        return { ...(await submit(c, form, data)), files: filesIn(data) };
      }),
    );
    // The parking permit's samples carry files, so multipart pushes are among them.
    expect(accepted.filter((a) => a.files > 0).length).toBeGreaterThan(0);
    expect(new Set(accepted.map((a) => a.id)).size).toBe(40);

    await receiver.waitFor((r) => r.length >= 40);
    await waitUntil(async () => {
      const states = await Promise.all(accepted.map(async (a) => (await c.store.submissions.find(a.id))?.status));
      return states.every((s) => s === 'delivered');
    });
    // Give a wrongly repeated delivery a chance to show up before counting.
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.requests).toHaveLength(40);
    expect(new Set(receiver.requests.map((r) => r.headers['idempotency-key'])).size).toBe(40);
    for (const req of receiver.requests) {
      expect(req.signatureValid).toBe(true);
      expect(req.headers['efa-timestamp']).toMatch(/^[0-9]{10}$/);
      const { xml, files } = pushed(req);
      const doc = parseXml(xml);
      const submission = doc.elements![0]!;
      const reference = textOf(xmlPath(submission, 'header', 'reference'));
      const match = accepted.find((a) => a.id === reference);
      expect(match).toBeDefined();
      // Each push carries exactly the files its submission named, as uploaded.
      expect(files.map((f) => f.headers['content-type'])).toEqual(Array<string>(match!.files).fill('application/pdf'));
      // Sent to the authority the 201 named, and the payload names it too.
      expect(req.path).toBe(`/${match!.authority.id}`);
      expect(textOf(xmlPath(submission, 'header', 'reader', 'id'))).toBe(match!.authority.id);
    }
    for (const a of accepted) {
      const status = await request(c.app).get(a.statusUrl);
      expect(status.body.status).toBe('delivered');
      expect(status.body.events.map((e: { type: string }) => e.type)).toEqual(['accepted', 'delivered']);
    }
  });

  test('a receiver that fails at first gets the same key and body again until it answers 2xx', async () => {
    receiver.respond = (_req, i) => (i < 2 ? 503 : i < 3 ? { status: 429, headers: { 'retry-after': '0' } } : 204);
    const c = await start();
    c.worker.start();
    const a = await submit(c, 'gewerbeanmeldung', example('gewerbeanmeldung', 'valid-1'));
    await receiver.waitFor((r) => r.length >= 4);
    await waitUntil(async () => (await c.store.submissions.find(a.id))?.status === 'delivered');
    expect(receiver.requests).toHaveLength(4);
    expect(new Set(receiver.requests.map((r) => r.headers['idempotency-key'])).size).toBe(1);
    expect(new Set(receiver.requests.map((r) => r.body)).size).toBe(1);
    expect(receiver.requests.every((r) => r.signatureValid)).toBe(true);
    const [job] = (await c.store.deliveries.jobsOf(a.id)).filter((j) => j.channel === 'http');
    expect(job).toMatchObject({ state: 'delivered', attempts: 4 });
  });

  test('a receiver that refuses with 400 gets the payload once: the job is dead, not retried', async () => {
    receiver.respond = () => 400;
    const c = await start();
    c.worker.start();
    const a = await submit(c, 'hundesteuer-anmeldung', example('hundesteuer-anmeldung', 'valid-2'));
    await waitUntil(async () => (await c.store.deliveries.jobsOf(a.id)).find((j) => j.channel === 'http')?.state === 'dead');
    await new Promise((r) => setTimeout(r, 300)); // several polls and retry delays
    expect(receiver.requests).toHaveLength(1);
    const job = (await c.store.deliveries.jobsOf(a.id)).find((j) => j.channel === 'http');
    expect(job).toMatchObject({ state: 'dead', attempts: 1, lastError: 'receiver answered HTTP 400' });
    expect(c.logger.lines.some((l) => l.event === 'delivery.dead' && l.fields.submission === a.id)).toBe(true);
    // The citizen's status does not show the internal error.
    const status = await request(c.app).get(a.statusUrl);
    expect(status.body.status).toBe('in_progress');
    expect(JSON.stringify(status.body)).not.toContain('400');
  });

  test('408 and 429 are retried like server errors', async () => {
    receiver.respond = (_req, i) => (i === 0 ? 408 : i === 1 ? 429 : 204);
    const c = await start();
    c.worker.start();
    const a = await submit(c, 'anwohnerparkausweis', example('anwohnerparkausweis', 'valid-1'));
    await waitUntil(async () => (await c.store.submissions.find(a.id))?.status === 'delivered');
    expect(receiver.requests).toHaveLength(3);
  });

  test('jobs pending at a restart are delivered after it, and delivered jobs are never sent again', async () => {
    const first = await start();
    // The worker of the first process never runs: its jobs stay pending when it stops.
    const accepted = [
      await submit(first, 'hundesteuer-anmeldung', example('hundesteuer-anmeldung', 'valid-1')),
      await submit(first, 'anwohnerparkausweis', example('anwohnerparkausweis', 'valid-1')),
      await submit(first, 'gewerbeanmeldung', example('gewerbeanmeldung', 'valid-2')),
    ];
    await first.close(1000);
    container = undefined;
    expect(receiver.requests).toHaveLength(0);

    const second = await start();
    second.worker.start();
    await receiver.waitFor((r) => r.length >= 3);
    await waitUntil(async () => (await Promise.all(accepted.map((a) => second.store.submissions.find(a.id)))).every((s) => s?.status === 'delivered'));
    expect(receiver.requests.map((r) => textOf(xmlPath(parseXml(pushed(r).xml).elements![0]!, 'header', 'reference'))).sort()).toEqual(accepted.map((a) => a.id).sort());
    await second.close(1000);
    container = undefined;

    const third = await start();
    third.worker.start();
    await new Promise((r) => setTimeout(r, 400)); // several poll intervals of 50 ms
    expect(receiver.requests).toHaveLength(3);
  });

  test('SIGTERM-style close lets an in-flight delivery finish and records it', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    receiver.respond = async () => {
      await gate; // the receiver holds its answer until the shutdown has begun
      return 204;
    };
    const c = await start();
    c.worker.start();
    const a = await submit(c, 'anwohnerparkausweis', example('anwohnerparkausweis', 'valid-2'));
    await receiver.waitFor((r) => r.length === 1);
    expect(((await c.store.deliveries.jobsOf(a.id)).filter((j) => j.channel === 'http'))[0]?.state).toBe('in_flight');
    const closing = c.close(5000);
    container = undefined;
    let closed = false;
    void closing.then(() => (closed = true));
    await new Promise((r) => setTimeout(r, 100));
    expect(closed).toBe(false); // still waiting for the delivery
    release();
    await closing;
    const reopened = await start();
    expect((await reopened.store.submissions.find(a.id))?.status).toBe('delivered');
    expect(receiver.requests).toHaveLength(1);
  });

  test('a missing secret is warned about once at start and its deliveries wait and retry', async () => {
    const env = writeSampleTenant(paths.tenants, receiver.url);
    delete env.EFA_SECRET_STADT_WEIMAR;
    const c = await buildContainer({ ...env, FORMS_DIR: SAMPLE_FORMS, TENANTS_DIR: paths.tenants, DATA_DIR: paths.data }, { retryPolicy: FAST_RETRIES });
    container = c;
    const warnings = c.logger.lines.filter((l) => l.event === 'config.secret_missing');
    expect(warnings).toEqual([{ level: 'warn', event: 'config.secret_missing', fields: { authority: 'stadt-weimar', variable: 'EFA_SECRET_STADT_WEIMAR' } }]);
    c.worker.start();
    const data = example('hundesteuer-anmeldung', 'valid-1');
    const halter = data.halter as Record<string, unknown>;
    const weimar = { ...data, halter: { ...halter, anschrift: { ...(halter.anschrift as object), gemeinde: '160550000000', postleitzahl: '99423' } } };
    const a = await submit(c, 'hundesteuer-anmeldung', weimar);
    expect(a.authority.id).toBe('stadt-weimar');
    await waitUntil(async () => (((await c.store.deliveries.jobsOf(a.id)).filter((j) => j.channel === 'http'))[0]?.attempts ?? 0) >= 2);
    const [job] = (await c.store.deliveries.jobsOf(a.id)).filter((j) => j.channel === 'http');
    expect(job?.state).not.toBe('delivered');
    expect(job?.lastError).toBe('secret variable EFA_SECRET_STADT_WEIMAR is not set');
    expect(receiver.requests).toHaveLength(0);
    // The log says what failed without any answer of the applicant in it.
    const logged = JSON.stringify(c.logger.lines);
    expect(logged).not.toContain(String((halter as { nachname?: string }).nachname));
  });
});
