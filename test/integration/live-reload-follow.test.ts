import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import request from 'supertest';
import type { Tenant } from '../../src/routing/tenant';
import { FAST_RETRIES, waitUntil } from '../support/channel-harness';
import { startReceiver, type TestReceiver } from '../support/http-receiver';
import { tempDir } from '../support/temp-dir';
import { buildContainer, example, readJson, SAMPLE_FORMS, secretFor, writeSampleTenant } from '../support/test-setup';

/**
 * Live reload across processes (issue 12, point 4): two containers on one DATA_DIR and one
 * TENANTS_DIR stand for two processes (a web server and `npm run worker`, or two web servers). A
 * reload in one counts a generation in the store; the other follows it at its next look
 * (`live.follow()`, which the entry points run every CONFIG_POLL_SECONDS).
 */
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const ADMIN_TOKEN = 'admin-token-for-follow-tests';
const FORM = 'hundesteuer-anmeldung';
/** The example's applicant lives in Weimar (160550000000), served by stadt-weimar. */
const WEIMAR_APPLICATION = example(FORM, 'valid-1');

type Container = Awaited<ReturnType<typeof buildContainer>>;

let dir: ReturnType<typeof tempDir>;
let receiver: TestReceiver;
let tenantsDir: string;
let thueringenFile: string;
let env: Record<string, string>;
const containers: Container[] = [];

const withoutWeimar = (t: Tenant): Tenant => ({ ...t, authorities: t.authorities.filter((a) => a.id !== 'stadt-weimar') });
const withDuplicate = (t: Tenant): Tenant => ({ ...t, authorities: [...t.authorities, t.authorities[0]!] });

function writeThueringen(change: (tenant: Tenant) => Tenant = (t) => t): void {
  writeSampleTenant(tenantsDir, receiver.url);
  writeFileSync(thueringenFile, JSON.stringify(change(readJson<Tenant>(thueringenFile)), null, 2));
}

/** A container ("process") on the shared folders. */
async function open(overrides: Record<string, string> = {}): Promise<Container> {
  const c = await buildContainer({ ...env, ...overrides }, { retryPolicy: FAST_RETRIES });
  containers.push(c);
  return c;
}

beforeEach(async () => {
  dir = tempDir();
  tenantsDir = path.join(dir.path, 'tenants');
  mkdirSync(tenantsDir);
  thueringenFile = path.join(tenantsDir, 'thueringen.json');
  receiver = await startReceiver(secretFor);
  env = {
    ...writeSampleTenant(tenantsDir, receiver.url),
    FORMS_DIR: SAMPLE_FORMS, TENANTS_DIR: tenantsDir, DATA_DIR: path.join(dir.path, 'data'), ADMIN_TOKEN_HASH: sha256(ADMIN_TOKEN),
  };
});

afterEach(async () => {
  for (const c of containers.splice(0)) await c.close(2000);
  await receiver.close();
  dir.remove();
});

const submitWeimar = (c: Container) => request(c.app).post(`/api/forms/${FORM}/submissions`).send({ data: WEIMAR_APPLICATION });
const events = (c: Container, event: string) => c.logger.lines.filter((l) => l.event === event);

test('a reload through the admin API on one process is followed by a second on the same DATA_DIR', async () => {
  writeThueringen(withoutWeimar);
  const web = await open();
  const worker = await open();
  expect(await worker.live.follow()).toEqual({ kind: 'current', generation: 0 });

  writeThueringen();
  expect((await request(web.app).post('/api/admin/reload').set('authorization', `Bearer ${ADMIN_TOKEN}`)).status).toBe(200);
  expect(events(web, 'config.reloaded').map((l) => l.fields)).toEqual([expect.objectContaining({ generation: 1, changedFiles: 1 })]);
  // The process that reloaded has nothing to follow: the generation is its own.
  expect(await web.live.follow()).toEqual({ kind: 'current', generation: 1 });

  // The second process has not looked yet: it still runs the set without Weimar.
  expect((await submitWeimar(worker)).status).toBe(422);
  expect(await worker.live.follow()).toMatchObject({ kind: 'reloaded', generation: 1 });
  expect(events(worker, 'config.reloaded').map((l) => l.fields)).toEqual([expect.objectContaining({ generation: 1, following: true, changedFiles: 1 })]);
  expect(worker.routing.authority('stadt-weimar')?.authority.id).toBe('stadt-weimar');
  expect(await worker.live.follow()).toEqual({ kind: 'current', generation: 1 });

  // What the first process accepts, the second delivers over its new set.
  const accepted = await submitWeimar(web);
  expect(accepted.body.authority.id).toBe('stadt-weimar');
  worker.worker.start();
  await waitUntil(async () => (await worker.store.deliveries.jobsOf(accepted.body.id)).every((j) => j.state === 'delivered'));
  expect(receiver.requests.filter((r) => r.path === '/stadt-weimar').map((r) => r.signatureValid)).toEqual([true]);
  // Following counts no generation of its own: the store still has the one reload.
  expect((await worker.store.configuration.current())?.generation).toBe(1);
});

test('a generation the follower refuses is logged once and tried again at each look', async () => {
  const web = await open();
  const worker = await open();
  writeThueringen(withoutWeimar);
  expect((await web.live.reload()).ok).toBe(true);
  // The file is broken before the second process looks (an edit on its way).
  writeThueringen((t) => withDuplicate(withoutWeimar(t)));

  const first = await worker.live.follow();
  expect(first).toMatchObject({ kind: 'refused', generation: 1 });
  const problems = first.kind === 'refused' ? first.problems : [];
  expect(problems.length).toBeGreaterThan(0);
  expect(await worker.live.follow()).toMatchObject({ kind: 'refused', generation: 1, problems });
  expect(events(worker, 'config.reload_refused').map((l) => l.fields)).toEqual([{ problems: problems.length, generation: 1 }]);
  expect(events(worker, 'config.reload_problem').map((l) => l.fields.problem)).toEqual(problems);
  // The running set stays meanwhile.
  expect((await submitWeimar(worker)).body.authority.id).toBe('stadt-weimar');

  writeThueringen(withoutWeimar);
  expect(await worker.live.follow()).toMatchObject({ kind: 'reloaded', generation: 1 });
  expect((await submitWeimar(worker)).status).toBe(422);
  expect(events(worker, 'config.reload_refused')).toHaveLength(1);
});

test('a store that cannot be read during a look is logged, and the next look follows', async () => {
  writeThueringen(withoutWeimar);
  const web = await open();
  const worker = await open();
  writeThueringen();
  expect((await web.live.reload()).ok).toBe(true);

  // The generation's table is out of reach (as after a bad restore), then back.
  const db = new Database(path.join(env.DATA_DIR!, 'efa-forms.sqlite'));
  try {
    db.exec('ALTER TABLE configuration_generation RENAME TO configuration_generation_away');
    expect(await worker.live.follow()).toEqual({ kind: 'unavailable' });
    expect(events(worker, 'config.poll_failed')).toHaveLength(1);
    expect(events(worker, 'config.poll_failed')[0]?.level).toBe('warn');
    db.exec('ALTER TABLE configuration_generation_away RENAME TO configuration_generation');
  } finally {
    db.close();
  }
  expect(await worker.live.follow()).toMatchObject({ kind: 'reloaded', generation: 1 });
  expect((await submitWeimar(worker)).body.authority.id).toBe('stadt-weimar');
});

test('a job committed on the old set to an authority the followed reload removed is delivered over the retired set', async () => {
  // A short grace period (DELIVERY_TIMEOUT_MS + 1 s) and a look every second; the timeout still
  // long enough for an attempt on a loaded machine.
  const settings = { DELIVERY_TIMEOUT_MS: '1500', CONFIG_POLL_SECONDS: '1' };
  const web = await open(settings);
  const worker = await open(settings);
  writeThueringen(withoutWeimar);
  // No job to Weimar yet: the reload is allowed.
  expect((await web.live.reload()).ok).toBe(true);

  // The second process has not followed yet and still accepts for Weimar: an orphaned job.
  const accepted = await submitWeimar(worker);
  expect(accepted.body.authority.id).toBe('stadt-weimar');
  expect(await worker.live.follow()).toMatchObject({ kind: 'reloaded', generation: 1 });
  expect((await submitWeimar(worker)).status).toBe(422);

  // Past its grace period the retired set stays open for Weimar's jobs, and says why, once.
  await waitUntil(() => events(worker, 'config.orphaned_jobs').length > 0);
  expect(events(worker, 'config.orphaned_jobs').map((l) => [l.level, l.fields])).toEqual([['error', { authorityId: 'stadt-weimar', openJobs: 2 }]]);

  worker.worker.start();
  await waitUntil(async () => (await worker.store.deliveries.jobsOf(accepted.body.id)).every((j) => j.state === 'delivered'));
  // At least once (an attempt that timed out on a loaded machine is sent again), always the same
  // job: one idempotency key, one body, each signature valid.
  const arrived = receiver.requests.filter((r) => r.path === '/stadt-weimar');
  expect(arrived.length).toBeGreaterThanOrEqual(1);
  expect(new Set(arrived.map((r) => `${String(r.headers['idempotency-key'])} ${r.body}`)).size).toBe(1);
  expect(arrived.every((r) => r.signatureValid)).toBe(true);
  expect(arrived[0]?.body).toContain(accepted.body.id);
  // Once they are gone the retired set is closed.
  await waitUntil(() => events(worker, 'config.orphaned_jobs_settled').length > 0);
  expect(events(worker, 'config.orphaned_jobs')).toHaveLength(1);
});
