import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { signPayload } from '../../src/delivery/signature';
import { loadFormRegistry } from '../../src/forms/form-registry';
import { csrfOf, stepFormFields } from '../support/page-form';
import { createTestDatabase, type TestDatabase } from '../support/postgres-database';
import { testRoutingSigningKeyFile } from '../support/routing-signing-key';
import { killSpawnedProcesses } from '../support/spawn-server';
import { tempDir } from '../support/temp-dir';
import { example, REPO, SAMPLE_FORMS, secretFor, writeSampleTenant } from '../support/test-setup';
import { buildEntryPoints, type BuiltEntryPoints } from '../support/multi-instance/build-entry-points';
import { startCheckingReceiver, type CheckingReceiver } from '../support/multi-instance/checking-receiver';
import { startCluster, type Cluster, type Instance } from '../support/multi-instance/cluster';
import { cookieBrowser } from '../support/multi-instance/cookie-browser';
import { startSubmissionStream, type StreamTarget } from '../support/multi-instance/submission-stream';

/**
 * The multi-instance proof (issue 13, point 6): two web processes and two delivery workers, each
 * the compiled build that `npm start` and `npm run worker` run, on one fresh PostgreSQL database
 * and nothing else shared. A stream of submissions goes to both web processes while one web and
 * one worker process are SIGKILLed three times, each time while the worker holds jobs whose
 * requests are open at the authority's endpoint, and started again. Afterwards every 201 has
 * been delivered, every idempotency key came with one body only, no two requests for one key
 * were ever open at once, and no job is left undelivered. A draft moves between the web processes.
 */
jest.setTimeout(180_000);

const FORM = 'hundesteuer-anmeldung';
/** The attempt timeout; a killed worker's lease (2 × this + 5 s) then ends after 9 s. */
const DELIVERY_TIMEOUT_MS = 2000;

let built: BuiltEntryPoints | undefined;
let db: TestDatabase | undefined;
let dir: ReturnType<typeof tempDir> | undefined;
let receiver: CheckingReceiver | undefined;
let cluster: Cluster;

/** Polls `check` every 25 ms until it holds; fails with `what` and the current figures after `timeoutMs`. */
async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number, figures: () => string | Promise<string> = () => ''): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms ${await figures()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

beforeAll(async () => {
  dir = tempDir('efa-multi-');
  const [build, database, checking] = await Promise.all([
    buildEntryPoints(),
    createTestDatabase(),
    // 20–50 ms per answer: long enough for kills to meet open requests and for overlaps to show.
    startCheckingReceiver(secretFor, () => 20 + Math.floor(Math.random() * 31)),
  ]);
  built = build;
  db = database;
  receiver = checking;
  const tenants = path.join(dir.path, 'tenants');
  mkdirSync(tenants);
  const env = {
    ...writeSampleTenant(tenants, receiver.url),
    // Production settings, as an operator runs it (secure cookies, a signing key, an admin token).
    NODE_ENV: 'production',
    PUBLIC_BASE_URL: 'https://antrag.example.de',
    ADMIN_TOKEN_HASH: createHash('sha256').update(randomBytes(16)).digest('hex'),
    ROUTING_SIGNING_KEY_FILE: testRoutingSigningKeyFile(),
    // The build runs from a temporary folder: the operator files are named explicitly.
    FORMS_DIR: SAMPLE_FORMS,
    TENANTS_DIR: tenants,
    TEMPLATES_DIR: path.join(REPO, 'templates'),
    DATABASE_URL: db.url,
    // Four processes on one server that other test files use too.
    DATABASE_POOL_SIZE: '4',
    DELIVERY_TIMEOUT_MS: String(DELIVERY_TIMEOUT_MS),
    // NOTIFY wakes the workers; the poll is the fallback and finds expired leases.
    DELIVERY_POLL_INTERVAL_MS: '200',
  };
  cluster = await startCluster({ builtDir: built.dir, env, root: dir.path });
}, 180_000);

afterAll(async () => {
  await killSpawnedProcesses();
  await receiver?.close();
  await db?.drop();
  dir?.remove();
  built?.remove();
});

test('the endpoint itself notices two requests for one key open at once, and a second body for a key', async () => {
  // The checks below would pass vacuously if the endpoint could not see what they rule out.
  const endpoint = await startCheckingReceiver(secretFor, () => 30);
  try {
    const send = (body: string) => {
      const timestamp = Math.floor(Date.now() / 1000);
      return fetch(`${endpoint.url}/stadt-weimar`, {
        method: 'POST',
        headers: { 'idempotency-key': 'one-key', 'efa-timestamp': String(timestamp), 'efa-signature': signPayload(secretFor('stadt-weimar'), timestamp, body) },
        body,
      });
    };
    endpoint.hold();
    const both = Promise.all([send('<reference>AAAA</reference>'), send('<reference>AAAA</reference> ')]);
    await waitFor('both requests held', () => endpoint.heldKeys().length === 2, 5_000);
    endpoint.release();
    expect((await both).map((r) => r.status)).toEqual([204, 204]);
    expect(endpoint.overlaps.map((o) => o.key)).toEqual(['one-key']);
    expect(new Set(endpoint.keys.get('one-key')?.bodies).size).toBe(2);
    expect(endpoint.malformed).toEqual([]);
  } finally {
    await endpoint.close();
  }
});

test('a draft started through web process A continues through web process B and back, with the same cookie', async () => {
  const [a, b] = cluster.webs as [Instance, Instance];
  const model = (await loadFormRegistry(SAMPLE_FORMS)).get(FORM)!;
  const data = example(FORM, 'valid-1');
  const stepOf = (id: string) => model.steps.find((s) => s.id === id)!;
  const citizen = cookieBrowser();
  const base = `/forms/${FORM}`;

  const started = await citizen.get(`${a.url}${base}/start`);
  expect(started.status).toBe(303);
  expect(started.location).toBe(`${base}/steps/gemeinde`);
  // Step 1 on A.
  const first = await citizen.get(`${a.url}${base}/steps/gemeinde`);
  expect(first.status).toBe(200);
  const region = await citizen.post(`${a.url}${base}/steps/gemeinde`, [['_csrf', csrfOf(first.text)], ...stepFormFields(model, stepOf('gemeinde'), data), ['_action', 'continue']]);
  expect({ status: region.status, location: region.location }).toEqual({ status: 303, location: `${base}/steps/halter` });

  // Step 2 on B: B finds the draft A saved (its page, its CSRF token) and takes the answers.
  const second = await citizen.get(`${b.url}${base}/steps/halter`);
  expect(second.status).toBe(200);
  const halter = await citizen.post(`${b.url}${base}/steps/halter`, [['_csrf', csrfOf(second.text)], ...stepFormFields(model, stepOf('halter'), data), ['_action', 'continue']]);
  expect({ status: halter.status, location: halter.location }).toEqual({ status: 303, location: `${base}/steps/hunde` });

  // Back on A: step 2's answers given through B are there; on B, step 1's answer given through A.
  const againOnA = await citizen.get(`${a.url}${base}/steps/halter`);
  expect(againOnA.status).toBe(200);
  expect(againOnA.text).toContain('value="Şahin"');
  const firstOnB = await citizen.get(`${b.url}${base}/steps/gemeinde`);
  expect(firstOnB.status).toBe(200);
  expect(firstOnB.text).toContain('160550000000');
});

test('one web and one worker process SIGKILLed three times while deliveries are in flight: every 201 delivered, one body per key, never two requests for a key at once, no job left', async () => {
  const checking = receiver!;
  const database = db!;
  const [webA, webB] = cluster.webs as [Instance, Instance];
  const [worker1, worker2] = cluster.workers as [Instance, Instance];
  const targets: StreamTarget[] = cluster.webs.map((w) => ({ name: w.name, url: w.url, up: true }));
  let holding = false;
  const stream = startSubmissionStream({
    targets,
    formId: FORM,
    bodies: ['valid-1', 'valid-2', 'valid-3'].map((name) => JSON.stringify({ data: example(FORM, name) })),
    concurrency: 4,
    // At most 100 submissions waiting for their delivery, except while the endpoint holds its
    // answers for a kill (then the web processes must keep taking submissions).
    waitWhile: (accepted) => !holding && accepted - checking.deliveredReferences.size >= 100,
  });
  const figures = () =>
    JSON.stringify({ sent: stream.sent(), accepted: stream.accepted.length, connectionErrors: stream.connectionErrors(), unexpected: stream.unexpected.slice(0, 3), received: checking.requestCount(), delivered: checking.deliveredReferences.size, open: checking.openRequests() });
  /** The idempotency keys of the jobs the worker's current process holds under its lease (owner `<pid>-<uuid>`). */
  const leasedKeys = async (worker: Instance): Promise<string[]> =>
    (await database.query<{ key: string }>(`SELECT idempotency_key AS key FROM delivery_jobs WHERE state = 'in_flight' AND lease_owner LIKE '${String(worker.process.pid)}-%'`)).map((r) => r.key);

  let leasesOrphaned = 0;
  const startedAt = Date.now();
  const rounds: Array<{ openAtKill: number; victimOpenAtKill: number; submissionsInFlightAtKill: number; leasedAtKill: number; dropped: number; msDone: number }> = [];
  try {
    for (const [web, worker] of [[webA, worker1], [webB, worker2], [webA, worker1]] as const) {
      // Deliveries in flight, for certain: the endpoint holds its answers until the worker about to
      // be killed has a request open there (and the web process a submission under way).
      const target = targets.find((t) => t.name === web.name)!;
      const droppedBefore = checking.droppedRequests();
      let victimOpen = 0;
      checking.hold();
      holding = true;
      let openAtKill: number;
      let submissionsInFlightAtKill: number;
      try {
        await waitFor(`${worker.name} has a request open at the endpoint while ${web.name} takes a submission`, async () => {
          const leased = new Set(await leasedKeys(worker));
          // Held now, after the query: such a request stays open until release(), so nothing can
          // answer it between this check and the kill below.
          victimOpen = checking.heldKeys().filter((k) => leased.has(k)).length;
          return victimOpen > 0 && stream.inFlight(web.name) > 0;
        }, 30_000, () => `${figures()} (the victim's requests open: ${victimOpen}, submissions to ${web.name} under way: ${stream.inFlight(web.name)})`);
        target.up = false;
        [openAtKill, submissionsInFlightAtKill] = [checking.openRequests(), stream.inFlight(web.name)];
        await Promise.all([cluster.kill(web), cluster.kill(worker)]);
      } finally {
        checking.release();
        holding = false;
      }
      const leasedAtKill = (await leasedKeys(worker)).length;
      leasesOrphaned += leasedAtKill;
      await Promise.all([cluster.restart(web), cluster.restart(worker)]);
      target.up = true;
      // Both new processes take part before the next round: the web answers 201s, the worker delivers.
      const since = stream.accepted.length;
      const deliveredBefore = cluster.delivered(worker);
      await waitFor(`${web.name} and ${worker.name} serve again after their restart`, () => stream.acceptedVia(web.name, since) >= 5 && cluster.delivered(worker) > deliveredBefore, 30_000, figures);
      rounds.push({ openAtKill, victimOpenAtKill: victimOpen, submissionsInFlightAtKill, leasedAtKill, dropped: checking.droppedRequests() - droppedBefore, msDone: Date.now() - startedAt });
    }
  } finally {
    await stream.stop();
  }

  // Every 201 reaches the endpoint, those whose worker was killed once their lease has expired.
  const streamStoppedAt = Date.now();
  const backlogAtStop = stream.accepted.length - checking.deliveredReferences.size;
  const missing = () => stream.accepted.filter((a) => !checking.deliveredReferences.has(a.id));
  await waitFor('every accepted submission delivered', () => missing().length === 0, 60_000, () => `${figures()} missing ${missing().length}`);
  const open = async () => Number((await database.query<{ n: string }>(`SELECT count(*) AS n FROM delivery_jobs WHERE state <> 'delivered'`))[0]?.n);
  const stoppedAt = Date.now();
  await waitFor('no job left undelivered in the database', async () => (await open()) === 0, 30_000, figures);

  const keys = [...checking.keys.values()];
  const resent = keys.filter((k) => k.bodies.length > 1);
  const [jobs] = await database.query<{ http: string; total: string }>(`SELECT count(*) FILTER (WHERE channel = 'http') AS http, count(*) AS total FROM delivery_jobs`);
  const summary = {
    sent: stream.sent(),
    accepted: stream.accepted.length,
    acceptedVia: { [webA.name]: stream.acceptedVia(webA.name), [webB.name]: stream.acceptedVia(webB.name) },
    connectionErrors: stream.connectionErrors(),
    requestsReceived: checking.requestCount(),
    keys: keys.length,
    deliveredReferences: checking.deliveredReferences.size,
    resentKeys: resent.length,
    leasesOrphanedByKills: leasesOrphaned,
    overlaps: checking.overlaps.length,
    jobs,
    deliveredPerWorker: { [worker1.name]: cluster.delivered(worker1), [worker2.name]: cluster.delivered(worker2) },
    backlogAtStop,
    rounds,
    msStreamStopped: streamStoppedAt - startedAt,
    msAllDelivered: stoppedAt - startedAt,
    msNoJobLeft: Date.now() - startedAt,
  };
  if (process.env.EFA_TEST_FIGURES === '1') process.stdout.write(`multi-instance figures: ${JSON.stringify(summary)}\n`);

  expect(stream.unexpected).toEqual([]);
  expect(checking.malformed).toEqual([]);
  expect(checking.overlaps).toEqual([]);
  // One body per idempotency key, however often it came.
  expect(keys.filter((k) => new Set(k.bodies).size !== 1).map((k) => k.reference)).toEqual([]);
  // Every http job in the database reached the endpoint under a key of its own, one per
  // submission (a submission whose 201 was lost with a killed web process included).
  expect(new Set(keys.map((k) => k.reference)).size).toBe(keys.length);
  expect(keys.length).toBe(Number(jobs?.http));
  expect(stream.accepted.length).toBeGreaterThan(0);
  expect(missing()).toEqual([]);
  // Every kill cut off at least one of the victim's requests at the endpoint; the jobs it held
  // were taken over by workers after its lease ran out.
  expect(rounds.map((r) => r.dropped >= 1)).toEqual([true, true, true]);
  expect(leasesOrphaned).toBeGreaterThanOrEqual(3);
  expect(cluster.webs.map((w) => w.restarts)).toEqual([2, 1]);
  expect(cluster.workers.map((w) => w.restarts)).toEqual([2, 1]);
});
