import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Express } from 'express';
import pg from 'pg';
import request from 'supertest';
import { PG_MIGRATIONS } from '../../src/storage/postgres/pg-migrations';
import { FAST_RETRIES, waitUntil } from '../support/channel-harness';
import { startReceiver, type TestReceiver } from '../support/http-receiver';
import { csrfOf, encodeForm, stepFormFields } from '../support/page-form';
import { createTestDatabase, type TestDatabase } from '../support/postgres-database';
import { tempDir } from '../support/temp-dir';
import { buildContainer, example, SAMPLE_FORMS, secretFor, writeSampleTenant } from '../support/test-setup';

/**
 * The whole application on PostgreSQL (issue 13, point 3): two containers on one fresh database
 * stand for two processes, each with a DATA_DIR of its own, so nothing but the database is
 * shared. No sticky sessions: a draft moves between them; a submission accepted by one is
 * delivered by the other's worker, woken by NOTIFY.
 */
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const ADMIN_TOKEN = 'admin-token-for-postgres-app-tests';
const FORM = 'hundesteuer-anmeldung';
/** B's worker would poll again only after a minute: a delivery within seconds came from a wake. */
const SLOW_POLL = { DELIVERY_POLL_INTERVAL_MS: '60000' };

type Container = Awaited<ReturnType<typeof buildContainer>>;

let db: TestDatabase;
let dir: ReturnType<typeof tempDir>;
let receiver: TestReceiver;
let env: Record<string, string>;
const containers: Container[] = [];

/** A container ("process") on the shared database, with its own DATA_DIR. */
async function open(name: string, overrides: Record<string, string> = {}): Promise<Container> {
  const c = await buildContainer({ ...env, DATA_DIR: path.join(dir.path, name), ...overrides }, { retryPolicy: FAST_RETRIES });
  containers.push(c);
  return c;
}

beforeEach(async () => {
  db = await createTestDatabase();
  dir = tempDir();
  receiver = await startReceiver(secretFor);
  const tenants = path.join(dir.path, 'tenants');
  mkdirSync(tenants);
  env = {
    ...writeSampleTenant(tenants, receiver.url),
    FORMS_DIR: SAMPLE_FORMS, TENANTS_DIR: tenants, DATABASE_URL: db.url, ADMIN_TOKEN_HASH: sha256(ADMIN_TOKEN),
  };
});

afterEach(async () => {
  for (const c of containers.splice(0)) await c.close(2000);
  await receiver.close();
  await db.drop();
  dir.remove();
});

/** Starts B's worker and resolves once it listens for new jobs and its start-up polls are over. */
async function startListeningWorker(b: Container): Promise<() => number> {
  b.worker.start();
  // Observing the same wake-ups as the worker (it subscribed first, so it is nudged first).
  let wakes = 0;
  let firstWakeAt = 0;
  if (!b.store.deliveries.onNewJobs) throw new Error('the PostgreSQL store must offer onNewJobs');
  b.store.deliveries.onNewJobs(() => {
    wakes += 1;
    if (wakes === 1) firstWakeAt = Date.now();
  });
  await waitUntil(() => wakes >= 1);
  // The poll the listening wake asked for has run (it found nothing): from now on only a wake polls.
  await waitUntil(() => (b.worker.lastPollAt()?.getTime() ?? 0) >= firstWakeAt);
  return () => wakes;
}

const statusOf = async (app: Express, statusUrl: string) => {
  const res = await request(app).get(statusUrl);
  expect(res.status).toBe(200);
  return (res.body as { status: string }).status;
};
const trailOf = async (app: Express, id: string) => {
  const res = await request(app).get(`/api/admin/submissions/${id}`).set('authorization', `Bearer ${ADMIN_TOKEN}`);
  expect(res.status).toBe(200);
  return (res.body as { events: Array<{ type: string }> }).events.map((e) => e.type);
};

test("a submission through A (its worker off) is delivered by B's worker at once, woken by NOTIFY, not by its next poll", async () => {
  const a = await open('a');
  const b = await open('b', SLOW_POLL);
  const wakes = await startListeningWorker(b);

  const res = await request(a.app).post(`/api/forms/${FORM}/submissions`).send({ data: example(FORM, 'valid-1') });
  expect(res.status).toBe(201);
  const accepted = res.body as { id: string; statusUrl: string; authority: { id: string } };
  // A few seconds at most, against B's poll a minute away: the order is what is checked.
  await receiver.waitFor((r) => r.length === 1, 5_000);
  expect(receiver.requests[0]).toMatchObject({ path: `/${accepted.authority.id}`, signatureValid: true });
  expect(wakes()).toBeGreaterThanOrEqual(2);
  await waitUntil(async () => (await statusOf(a.app, accepted.statusUrl)) === 'delivered', 5_000);

  // The status URL and the audit trail are the same through either process.
  for (const c of [a, b]) {
    expect(await statusOf(c.app, accepted.statusUrl)).toBe('delivered');
    expect(await trailOf(c.app, accepted.id)).toEqual(['accepted', 'delivered']);
  }
  expect(a.logger.lines.filter((l) => l.event.startsWith('delivery.'))).toEqual([]);
  // The authority's push and the applicant's e-mail (files in B's DATA_DIR), both by B. The
  // e-mail (its PDF receipt rendered first) may finish after the push made the status delivered.
  const delivered = () => b.logger.lines.filter((l) => l.event === 'delivery.delivered').map((l) => [l.fields.submission, l.fields.channel]).sort();
  await waitUntil(() => delivered().length >= 2, 5_000).catch(() => undefined);
  expect(delivered()).toEqual([[accepted.id, 'email-citizen'], [accepted.id, 'http']]);
});

/** A citizen's browser: one cookie jar, whichever process answers (no sticky sessions). */
function browser() {
  const jar = new Map<string, string>();
  const keep = (res: request.Response) => {
    for (const line of (res.headers['set-cookie'] as unknown as string[] | undefined) ?? []) {
      const [pair = ''] = line.split(';');
      const at = pair.indexOf('=');
      jar.set(pair.slice(0, at), pair.slice(at + 1));
    }
    return res;
  };
  const withCookies = (test: request.Test) => (jar.size === 0 ? test : test.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; ')));
  return {
    get: async (app: Express, url: string) => keep(await withCookies(request(app).get(url))),
    post: async (app: Express, url: string, fields: ReadonlyArray<readonly [string, string]>) =>
      keep(await withCookies(request(app).post(url)).type('form').send(encodeForm(fields))),
  };
}

test('a draft started through A continues through B, step by step in turn, and is submitted on B', async () => {
  const a = await open('a');
  const b = await open('b', SLOW_POLL);
  await startListeningWorker(b);
  const data = example(FORM, 'valid-1');
  const model = a.forms.get(FORM)!;
  const citizen = browser();

  const started = await citizen.get(a.app, `/forms/${FORM}/start`);
  expect(started.status).toBe(303);
  let location = started.headers.location as string;
  const servedBy: string[] = [];
  for (let i = 0; location.includes('/steps/'); i += 1) {
    // Each step's page from one process, its answers posted to the other.
    const [shows, takes] = i % 2 === 0 ? [a, b] : [b, a];
    const stepId = location.split('/steps/')[1]!.split('?')[0]!;
    const page = await citizen.get(shows.app, location);
    expect(page.status).toBe(200);
    const fields = stepFormFields(model, model.steps.find((s) => s.id === stepId)!, data);
    const posted = await citizen.post(takes.app, location, [['_csrf', csrfOf(page.text)], ...fields, ['_action', 'continue']]);
    expect({ stepId, status: posted.status }).toEqual({ stepId, status: 303 });
    servedBy.push(shows === a ? 'a→b' : 'b→a');
    location = posted.headers.location as string;
  }
  expect(servedBy.length).toBeGreaterThanOrEqual(2);
  expect(location).toBe(`/forms/${FORM}/check`);

  const check = await citizen.get(b.app, location);
  expect(check.status).toBe(200);
  const declarations = model.declarations.map((d) => [d.pattern, 'true'] as const);
  const done = await citizen.post(b.app, location, [['_csrf', csrfOf(check.text)], ...declarations, ['_action', 'submit']]);
  expect(done.status).toBe(303);
  // The confirmation (with the status token in its link) opens on A as well.
  const confirmation = await citizen.get(a.app, done.headers.location as string);
  expect(confirmation.status).toBe(200);
  const reference = /<strong class="efa-reference">([^<]+)<\/strong>/.exec(confirmation.text)?.[1];
  expect(reference).toMatch(/^[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]$/);

  await receiver.waitFor((r) => r.length === 1, 5_000);
  await waitUntil(async () => (await b.store.submissions.find(reference!))?.status === 'delivered', 5_000);
  for (const c of [a, b]) expect(await trailOf(c.app, reference!)).toEqual(['accepted', 'delivered']);
  // The draft is gone on both after submitting.
  for (const c of [a, b]) expect((await citizen.get(c.app, `/forms/${FORM}/check`)).status).toBe(410);
});

test('two containers starting at once on a fresh database both start: the migration runs once, under the advisory lock', async () => {
  const [a, b] = await Promise.all([open('a'), open('b')]);
  const server = new pg.Client({ connectionString: db.url });
  await server.connect();
  try {
    const { rows } = await server.query<{ version: number }>('SELECT version FROM efa_schema_version');
    expect(rows).toEqual([{ version: PG_MIGRATIONS.length }]);
  } finally {
    await server.end();
  }
  // Both serve: one accepts, the other finds it.
  const res = await request(a.app).post(`/api/forms/${FORM}/submissions`).send({ data: example(FORM, 'valid-1') });
  expect(res.status).toBe(201);
  expect(await statusOf(b.app, (res.body as { statusUrl: string }).statusUrl)).toBe('accepted');
});
