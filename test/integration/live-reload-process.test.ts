import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Tenant } from '../../src/routing/tenant';
import { waitUntil } from '../support/channel-harness';
import { startReceiver, type TestReceiver } from '../support/http-receiver';
import { killSpawnedProcesses, startServerProcess, startWorkerProcess } from '../support/spawn-server';
import { tempDir } from '../support/temp-dir';
import { example, secretFor, writeSampleTenant } from '../support/test-setup';

/**
 * Live reload on the real processes (issue 12, point 4): a web server with DELIVERY_WORKER=off and
 * a standalone worker (`npm run worker`) on one store. SIGHUP makes each read the tenant files
 * again; a broken file is refused with its problem lines in the log, and both go on with the
 * running set. A reload through the admin API on the web server is followed by the worker.
 */
const FORM = 'hundesteuer-anmeldung';
const WEIMAR_APPLICATION = example(FORM, 'valid-1');

let receiver: TestReceiver;
let dir: ReturnType<typeof tempDir>;

beforeEach(async () => {
  receiver = await startReceiver(secretFor);
  dir = tempDir();
});
afterEach(async () => {
  await killSpawnedProcesses();
  await receiver.close();
  dir.remove();
});

async function submit(baseUrl: string): Promise<{ status: number; body: { id?: string; authority?: { id: string }; code?: string } }> {
  const res = await fetch(`${baseUrl}/api/forms/${FORM}/submissions`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ data: WEIMAR_APPLICATION }),
  });
  return { status: res.status, body: (await res.json()) as { id?: string; authority?: { id: string } } };
}

test('SIGHUP reloads the web server and the worker; a broken file is refused and both keep their set', async () => {
  const tenants = path.join(dir.path, 'tenants');
  mkdirSync(tenants);
  const file = path.join(tenants, 'thueringen.json');
  const env = {
    ...writeSampleTenant(tenants, receiver.url),
    TENANTS_DIR: tenants, DATA_DIR: path.join(dir.path, 'data'), DELIVERY_WORKER: 'off', DELIVERY_POLL_INTERVAL_MS: '50', DELIVERY_TIMEOUT_MS: '2000',
    // Each process is signalled here; neither should meanwhile follow the other's reload.
    CONFIG_POLL_SECONDS: '3600',
  };
  const full = readFileSync(file, 'utf8');
  const tenant = JSON.parse(full) as Tenant;
  writeFileSync(file, JSON.stringify({ ...tenant, authorities: tenant.authorities.filter((a) => a.id !== 'stadt-weimar') }, null, 2));

  const web = await startServerProcess(env);
  const worker = await startWorkerProcess(env);
  expect((await submit(web.url)).status).toBe(422);

  // Weimar's authority comes (back): both processes read the file again on SIGHUP.
  writeFileSync(file, full);
  web.kill('SIGHUP');
  worker.kill('SIGHUP');
  for (const process of [web, worker]) {
    expect(await process.waitForLog('config.reloaded')).toMatchObject({ level: 'info', forms: 3, tenants: 1, changedFiles: 1 });
  }
  const accepted = await submit(web.url);
  expect(accepted.status).toBe(201);
  expect(accepted.body.authority?.id).toBe('stadt-weimar');
  await worker.waitForLog('delivery.delivered', { where: (l) => l.channel === 'http' && l.submission === accepted.body.id });
  expect(receiver.requests.filter((r) => r.path === '/stadt-weimar').map((r) => r.signatureValid)).toEqual([true]);

  // A second authority with an id already taken: refused, one log line per problem, nothing changes.
  writeFileSync(file, JSON.stringify({ ...tenant, authorities: [...tenant.authorities, tenant.authorities[0]!] }, null, 2));
  web.kill('SIGHUP');
  worker.kill('SIGHUP');
  for (const process of [web, worker]) {
    const refused = await process.waitForLog('config.reload_refused');
    // The problem lines follow the summary line and may reach this process's pipe a moment later.
    const problemLines = () => process.logLines().filter((l) => l.event === 'config.reload_problem');
    await waitUntil(() => problemLines().length >= Number(refused.problems)).catch(() => undefined);
    const problems = problemLines();
    expect(problems.length).toBe(refused.problems);
    expect(problems.length).toBeGreaterThan(0);
    for (const line of problems) expect(String(line.problem)).toMatch(new RegExp(`^${file.replace(/[.\\/]/g, '\\$&')}: /authorities/\\d+\\S*: .+`));
  }
  const again = await submit(web.url);
  expect(again.body.authority?.id).toBe('stadt-weimar');
  await worker.waitForLog('delivery.delivered', { where: (l) => l.channel === 'http' && l.submission === again.body.id });
  expect(web.hasExited() || worker.hasExited()).toBe(false);
});

test('a reload through POST /api/admin/reload on the web server is followed by the worker, without a signal', async () => {
  const tenants = path.join(dir.path, 'tenants');
  mkdirSync(tenants);
  const file = path.join(tenants, 'thueringen.json');
  const token = 'admin-token-of-the-process-test';
  const env = {
    ...writeSampleTenant(tenants, receiver.url),
    TENANTS_DIR: tenants, DATA_DIR: path.join(dir.path, 'data'), DELIVERY_WORKER: 'off', DELIVERY_POLL_INTERVAL_MS: '50', DELIVERY_TIMEOUT_MS: '2000',
    ADMIN_TOKEN_HASH: createHash('sha256').update(token).digest('hex'), CONFIG_POLL_SECONDS: '1',
  };
  const full = readFileSync(file, 'utf8');
  const tenant = JSON.parse(full) as Tenant;
  writeFileSync(file, JSON.stringify({ ...tenant, authorities: tenant.authorities.filter((a) => a.id !== 'stadt-weimar') }, null, 2));
  const web = await startServerProcess(env);
  const worker = await startWorkerProcess(env);

  writeFileSync(file, full);
  const reload = await fetch(`${web.url}/api/admin/reload`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  expect(reload.status).toBe(200);
  expect(await web.waitForLog('config.reloaded')).toMatchObject({ generation: 1, changedFiles: 1 });
  expect(await worker.waitForLog('config.reloaded')).toMatchObject({ level: 'info', generation: 1, following: true, forms: 3, tenants: 1, changedFiles: 1 });

  const accepted = await submit(web.url);
  expect(accepted.status).toBe(201);
  expect(accepted.body.authority?.id).toBe('stadt-weimar');
  await worker.waitForLog('delivery.delivered', { where: (l) => l.channel === 'http' && l.submission === accepted.body.id });
  expect(receiver.requests.filter((r) => r.path === '/stadt-weimar').map((r) => r.signatureValid)).toEqual([true]);
  // The worker followed once and counted nothing itself; neither process was signalled.
  expect(worker.logLines().filter((l) => l.event === 'config.reloaded')).toHaveLength(1);
  expect([...web.logLines(), ...worker.logLines()].filter((l) => l.event === 'config.reload_requested')).toEqual([]);
});
