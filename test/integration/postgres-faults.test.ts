import { mkdirSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import request from 'supertest';
import { ERROR_CATALOGUE } from '../../src/errors';
import { createPgClient } from '../../src/storage/postgres/pg-client';
import { StorageUnavailableError } from '../../src/storage/ports';
import { FAST_RETRIES, waitUntil } from '../support/channel-harness';
import { startReceiver, type TestReceiver } from '../support/http-receiver';
import { requireOwnPostgres, startOwnPostgres, type OwnPostgres } from '../support/own-postgres';
import { csrfOf, encodeForm, stepFormFields } from '../support/page-form';
import { tempDir } from '../support/temp-dir';
import { buildContainer, example, SAMPLE_FORMS, secretFor, writeSampleTenant } from '../support/test-setup';

/**
 * PostgreSQL lost while running (issue 13, point 4), against a server of the test's own
 * (initdb/pg_ctl into a temp folder on a port of its own; never the shared one), crashed with
 * `pg_ctl stop -m immediate` and started again under the running container: submissions get 503
 * problem+json with Retry-After and never a 201 that was not committed, pages a readable 503
 * page, the worker logs its failed polls and delivers everything once the server is back,
 * /readyz follows, and the pool recovers, all without restarting the container.
 */
const FORM = 'hundesteuer-anmeldung';
const DATA = example(FORM, 'valid-1');
/** Values of the example that must never appear in a log line. */
const PERSONAL = ['Çağrı', 'Şahin', 'cagri.sahin@example.org', 'Schillerstraße', 'DE89370400440532013000', '03643 987654'];

type Container = Awaited<ReturnType<typeof buildContainer>>;

describe('PostgreSQL lost while running', () => {
  let server: OwnPostgres;
  let dir: ReturnType<typeof tempDir>;
  let receiver: TestReceiver;
  let container: Container;

  beforeEach(async () => {
    requireOwnPostgres();
    server = await startOwnPostgres();
    dir = tempDir('efa-pg-faults-');
    receiver = await startReceiver(secretFor);
    const tenants = path.join(dir.path, 'tenants');
    mkdirSync(tenants);
    container = await buildContainer({
      ...writeSampleTenant(tenants, receiver.url),
      FORMS_DIR: SAMPLE_FORMS, TENANTS_DIR: tenants, DATA_DIR: path.join(dir.path, 'data'), DATABASE_URL: server.url,
      // A short attempt timeout, so the lease of a delivery the crash interrupted (2 × 1 s + 5 s) ends soon.
      DELIVERY_TIMEOUT_MS: '1000',
    }, { retryPolicy: FAST_RETRIES });
  });

  afterEach(async () => {
    await container.close(2000);
    await receiver.close();
    await server.remove();
    dir.remove();
  });

  /** Rows as the server has them, read by a connection of the test's own. */
  async function onServer<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as T[];
    } finally {
      await client.end();
    }
  }
  const submissionCount = async () => Number((await onServer<{ n: string }>('SELECT COUNT(*) AS n FROM submissions'))[0]?.n);
  const submit = (data: Record<string, unknown> = DATA) =>
    request(container.app).post(`/api/forms/${FORM}/submissions`).set('accept-language', 'de').send({ data });
  const logged = (event: string) => container.logger.lines.filter((l) => l.event === event);

  test('a submission while the server is down gets 503 problem+json with Retry-After, nothing of it is stored, and the same request succeeds once it is back', async () => {
    // The refused submission carries a marker, to look for it in the database afterwards.
    const refusedData = { ...DATA, kontoinhaber: 'Refused Whilst Down' };
    await server.stop();

    const refused = await submit(refusedData);
    expect(refused.status).toBe(503);
    expect(refused.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(refused.headers['retry-after']).toBe('30');
    expect(refused.body).toEqual({
      type: 'urn:efa-forms:problem:storage-unavailable',
      title: ERROR_CATALOGUE.STORAGE_UNAVAILABLE.title.de,
      status: 503,
      code: 'STORAGE_UNAVAILABLE',
    });
    // A warning with the reason and the driver's code, not an internal error with a stack.
    expect(logged('storage.unavailable')).toEqual([
      { level: 'warn', event: 'storage.unavailable', fields: { route: '/api/forms/:id/submissions', reason: 'unreachable', code: 'ECONNREFUSED' } },
    ]);
    expect(logged('http.internal_error')).toEqual([]);

    await server.start();
    expect(await submissionCount()).toBe(0);
    expect(await onServer('SELECT id FROM submissions WHERE data_json LIKE $1', ['%Refused Whilst Down%'])).toEqual([]);

    // The same request again, without a restart: accepted and committed.
    const accepted = await submit(refusedData);
    expect(accepted.status).toBe(201);
    const id = (accepted.body as { id: string }).id;
    expect(await onServer('SELECT id, status FROM submissions')).toEqual([{ id, status: 'accepted' }]);
  });

  test('submissions in flight when the server crashes get 201 or 503, never anything else, and every 201 is committed', async () => {
    const answers: Array<{ status: number; id: string | undefined; code: string | undefined }> = [];
    let crashed: Promise<void> | undefined;
    let crashDone = false;
    // Four clients in a row each, so statements are on the wire when the server dies.
    const client = async () => {
      while (!crashDone || answers.filter((a) => a.status !== 201).length < 4) {
        const res = await submit();
        answers.push({ status: res.status, id: (res.body as { id?: string }).id, code: (res.body as { code?: string }).code });
        if (!crashed && answers.filter((a) => a.status === 201).length >= 6) {
          crashed = server.stop().then(() => {
            crashDone = true;
          });
        }
        if (answers.length > 400) throw new Error('the crash never showed');
      }
    };
    await Promise.all([client(), client(), client(), client()]);
    await crashed;

    for (const answer of answers) expect([201, 503]).toContain(answer.status);
    for (const answer of answers.filter((a) => a.status === 503)) expect(answer.code).toBe('STORAGE_UNAVAILABLE');
    expect(logged('http.internal_error')).toEqual([]);

    await server.start();
    const committed = new Set((await onServer<{ id: string }>('SELECT id FROM submissions')).map((r) => r.id));
    const created = answers.filter((a) => a.status === 201).map((a) => a.id!);
    expect(created.length).toBeGreaterThanOrEqual(6);
    expect(created.filter((id) => !committed.has(id))).toEqual([]);
    // Each committed submission came with its jobs (one statement, all or nothing).
    const withoutJobs = await onServer('SELECT s.id FROM submissions s WHERE NOT EXISTS (SELECT 1 FROM delivery_jobs j WHERE j.submission_id = s.id)');
    expect(withoutJobs).toEqual([]);
  }, 60_000);

  test('a citizen gets the readable "try again shortly" page (503, Retry-After) for a page load and a step post while the server is down, and continues once it is back', async () => {
    const model = container.forms.get(FORM)!;
    const agent = request.agent(container.app);
    const started = await agent.get(`/forms/${FORM}/start`);
    expect(started.status).toBe(303);
    const location = started.headers.location as string;
    const page = await agent.get(location);
    expect(page.status).toBe(200);
    const step = model.steps.find((s) => s.id === location.split('/steps/')[1]!.split('?')[0])!;
    const post = encodeForm([['_csrf', csrfOf(page.text)], ...stepFormFields(model, step, DATA), ['_action', 'continue']]);

    await server.stop();
    const expectUnavailablePage = (res: request.Response) => {
      expect({ status: res.status, type: res.headers['content-type'], retryAfter: res.headers['retry-after'] })
        .toEqual({ status: 503, type: 'text/html; charset=utf-8', retryAfter: '30' });
      expect(res.text).toContain('Ihre Angaben können gerade nicht gespeichert werden');
      expect(res.text).toContain('Bitte versuchen Sie es in einigen Minuten erneut');
      expect(res.text).not.toContain('technischer Fehler');
    };
    expectUnavailablePage(await agent.get(location).set('accept-language', 'de'));
    expectUnavailablePage(await agent.post(location).set('accept-language', 'de').type('form').send(post));
    expectUnavailablePage(await request(container.app).get(`/forms/${FORM}/start`).set('accept-language', 'de'));
    expect(logged('pages.internal_error')).toEqual([]);
    expect(logged('storage.unavailable').map((l) => l.fields.reason)).toEqual(['unreachable', 'unreachable', 'unreachable']);

    await server.start();
    // The draft is still there: the same post goes through now.
    const sent = await agent.post(location).type('form').send(post);
    expect(sent.status).toBe(303);
    expect(sent.headers.location).not.toBe(location);
  });

  test('the worker logs its failed polls without personal data, and delivers a job the crash interrupted and one accepted after, by itself; /readyz follows the server', async () => {
    // The first push is held until the server has crashed: its success cannot be recorded.
    let releaseFirst: () => void = () => undefined;
    const firstHeld = new Promise<void>((resolve) => {
      releaseFirst = resolve;
    });
    receiver.respond = async (_req, index) => {
      if (index === 0) await firstHeld;
      return 204;
    };
    container.worker.start();
    const ready = () => request(container.app).get('/readyz');
    await waitUntil(async () => (await ready()).status === 200);

    const before = await submit();
    expect(before.status).toBe(201);
    const beforeId = (before.body as { id: string }).id;
    await receiver.waitFor((r) => r.length === 1);

    await server.stop();
    releaseFirst();
    // The receiver has it, the store cannot say so: logged, the lease will run out, nothing is lost.
    await waitUntil(() => logged('delivery.error').some((l) => l.fields.submission === beforeId && l.fields.channel === 'http'));
    await waitUntil(() => logged('delivery.poll_failed').length >= 2);
    await waitUntil(async () => (await ready()).status === 503);
    const down = await ready();
    expect(down.body).toEqual({ status: 'not-ready', checks: { store: 'unwritable: unreachable', worker: 'alive' } });
    expect(container.worker.isRunning()).toBe(true);
    // Liveness is not readiness: nothing restarts a process that waits for its database.
    expect((await request(container.app).get('/healthz')).status).toBe(200);

    await server.start();
    await waitUntil(async () => (await ready()).status === 200);
    // The job listener (the worker subscribes to it) has come back by itself as well.
    await waitUntil(() => logged('storage.listen_restored').length === 1);
    expect((await ready()).body).toEqual({ status: 'ready', checks: { store: 'writable', worker: 'alive' } });
    const after = await submit();
    expect(after.status).toBe(201);
    const afterId = (after.body as { id: string }).id;

    // Both delivered without a restart: the interrupted one once its lease (7 s) has run out.
    await waitUntil(async () => {
      const statuses = await Promise.all([beforeId, afterId].map(async (id) => (await container.store.submissions.find(id))?.status));
      return statuses.every((s) => s === 'delivered');
    }, 40_000);
    // At least once: the interrupted job went out again with the same idempotency key and body.
    const pushesOf = (id: string) => receiver.requests.filter((r) => r.body.includes(id));
    const again = pushesOf(beforeId);
    expect(again.length).toBeGreaterThanOrEqual(2);
    expect(new Set(again.map((r) => `${String(r.headers['idempotency-key'])}|${r.body}`)).size).toBe(1);
    expect(pushesOf(afterId).length).toBe(1);
    expect(receiver.requests.every((r) => r.signatureValid)).toBe(true);

    // The failed polls: the error's class and reason, nothing of any application.
    const failures = logged('delivery.poll_failed');
    for (const line of failures) {
      expect(line.level).toBe('error');
      expect(Object.keys(line.fields)).toEqual(['error']);
      expect(String(line.fields.error)).toMatch(/^StorageUnavailableError: storage unavailable: unreachable \(/);
    }
    const everything = JSON.stringify(container.logger.lines);
    for (const value of PERSONAL) expect(everything).not.toContain(value);
  }, 60_000);

  test('the pool recovers after the crash: a burst of requests larger than the pool succeeds, with no restart', async () => {
    const first = await submit();
    expect(first.status).toBe(201);
    const statusUrl = (first.body as { statusUrl: string }).statusUrl;
    // Fill the pool (10 connections) with idle connections that the crash then breaks.
    const warm = await Promise.all(Array.from({ length: 12 }, () => request(container.app).get(statusUrl)));
    expect(warm.map((r) => r.status)).toEqual(Array(12).fill(200));

    await server.stop();
    expect((await request(container.app).get(statusUrl)).status).toBe(503);
    await server.start();

    const burst = await Promise.all(Array.from({ length: 12 }, () => request(container.app).get(statusUrl)));
    expect(burst.map((r) => r.status)).toEqual(Array(12).fill(200));
    const more = await Promise.all(Array.from({ length: 4 }, () => submit()));
    expect(more.map((r) => r.status)).toEqual([201, 201, 201, 201]);
    expect(await submissionCount()).toBe(5);
  });

  test('a transaction on a connection the crash breaks is rejected as StorageUnavailableError, and the process goes on', async () => {
    const client = createPgClient({ url: server.url, poolSize: 2, statementTimeoutMs: 30_000 });
    try {
      let inside = false;
      const running = client.transaction(async (tx) => {
        inside = true;
        await tx.query('SELECT pg_sleep(20)');
      });
      const outcome = running.then(() => 'committed', (err: unknown) => err);
      await waitUntil(() => inside);
      await waitUntil(async () => (await onServer('SELECT 1 FROM pg_stat_activity WHERE query = $1', ['SELECT pg_sleep(20)'])).length === 1);
      await server.stop();
      const err = await outcome;
      expect(err).toBeInstanceOf(StorageUnavailableError);
      expect(err).toMatchObject({ reason: 'unreachable' });

      await server.start();
      expect(await client.transaction((tx) => tx.query<{ x: number }>('SELECT 1 AS x'))).toEqual([{ x: 1 }]);
    } finally {
      await client.close();
    }
  });
});
