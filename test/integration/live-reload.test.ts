import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import request from 'supertest';
import type { Tenant } from '../../src/routing/tenant';
import { startReceiver, type TestReceiver } from '../support/http-receiver';
import { tempDir } from '../support/temp-dir';
import { buildContainer, example, readJson, REPO, SAMPLE_FORMS, secretFor, writeSampleTenant } from '../support/test-setup';
import { FAST_RETRIES, waitUntil } from '../support/channel-harness';

/**
 * Live reload (issue 12, point 4) on a real container, real SQLite and a real receiver: the tenant
 * files are edited in a temporary folder and POST /api/admin/reload reads them again.
 */
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const ADMIN_TOKEN = 'admin-token-for-reload-tests';
const THUERINGEN_OPERATOR = 'operator-token-of-thueringen';
const SACHSEN_ANHALT_OPERATOR = 'operator-token-of-sachsen-anhalt';
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
const FORM = 'hundesteuer-anmeldung';
/** The example's applicant lives in Weimar (160550000000), served by stadt-weimar. */
const WEIMAR_APPLICATION = example(FORM, 'valid-1');

type Container = Awaited<ReturnType<typeof buildContainer>>;

let dir: ReturnType<typeof tempDir>;
let receiver: TestReceiver;
let container: Container | undefined;
let tenantsDir: string;
let thueringenFile: string;
let env: Record<string, string>;

/** The sample Thüringen tenant (every authority pushing to the receiver), with changes, and an operator. */
function writeThueringen(change: (tenant: Tenant) => Tenant = (t) => t): void {
  writeSampleTenant(tenantsDir, receiver.url);
  const tenant = readJson<Tenant>(thueringenFile);
  const changed = change({ ...tenant, operators: [{ id: 'ops', tokenHash: sha256(THUERINGEN_OPERATOR) }] });
  writeFileSync(thueringenFile, JSON.stringify(changed, null, 2));
}

const withoutWeimar = (t: Tenant): Tenant => ({ ...t, authorities: t.authorities.filter((a) => a.id !== 'stadt-weimar') });

async function start(change?: (tenant: Tenant) => Tenant): Promise<Container> {
  const secrets = writeSampleTenant(tenantsDir, receiver.url);
  writeThueringen(change);
  const saxony = readJson<Tenant>(path.join(REPO, 'tenants', 'sachsen-anhalt.json'));
  writeFileSync(path.join(tenantsDir, 'sachsen-anhalt.json'), JSON.stringify({ ...saxony, operators: [{ id: 'ops', tokenHash: sha256(SACHSEN_ANHALT_OPERATOR) }] }, null, 2));
  env = {
    ...secrets,
    FORMS_DIR: SAMPLE_FORMS, TENANTS_DIR: tenantsDir, DATA_DIR: path.join(dir.path, 'data'), ADMIN_TOKEN_HASH: sha256(ADMIN_TOKEN),
  };
  container = await buildContainer(env, { retryPolicy: FAST_RETRIES });
  return container;
}

beforeEach(async () => {
  dir = tempDir();
  tenantsDir = path.join(dir.path, 'tenants');
  mkdirSync(tenantsDir);
  thueringenFile = path.join(tenantsDir, 'thueringen.json');
  receiver = await startReceiver(secretFor);
});

afterEach(async () => {
  await container?.close(2000);
  container = undefined;
  await receiver.close();
  dir.remove();
});

const submitWeimar = (c: Container) => request(c.app).post(`/api/forms/${FORM}/submissions`).send({ data: WEIMAR_APPLICATION });

describe('POST /api/admin/reload', () => {
  test('an added authority gets the next submission, without a restart', async () => {
    const c = await start(withoutWeimar);
    c.worker.start();
    expect((await submitWeimar(c)).status).toBe(422);

    writeThueringen();
    const reload = await request(c.app).post('/api/admin/reload').set(admin);
    expect(reload.status).toBe(200);
    expect(reload.body.tenants.map((t: { tenantId: string }) => t.tenantId)).toEqual(['sachsen-anhalt', 'thueringen']);

    const accepted = await submitWeimar(c);
    expect(accepted.status).toBe(201);
    expect(accepted.body.authority.id).toBe('stadt-weimar');
    await receiver.waitFor((r) => r.some((x) => x.path === '/stadt-weimar'));
    const arrived = receiver.requests.find((x) => x.path === '/stadt-weimar')!;
    expect(arrived.signatureValid).toBe(true);
    expect(arrived.body).toContain(accepted.body.id);
    expect(c.routing.authority('stadt-weimar')?.authority.id).toBe('stadt-weimar');
    expect(await c.store.operatorAudit.list({ limit: 10 })).toEqual([
      expect.objectContaining({ actor: 'admin', action: 'reload', outcome: 'ok', tenantId: null }),
    ]);
  });

  test('a broken tenant file is refused with its problem lines, and everything stays as it was', async () => {
    const c = await start(withoutWeimar);
    const before = (await request(c.app).get('/api/admin/config').set(admin)).body as unknown;
    const erfurt = { ...WEIMAR_APPLICATION, halter: { ...(WEIMAR_APPLICATION.halter as object), anschrift: { ...((WEIMAR_APPLICATION.halter as Record<string, object>).anschrift), gemeinde: '160510000000' } } };

    // Weimar added, but with a second authority claiming Erfurt, and a region of another state.
    writeThueringen((t) => ({
      ...t,
      regions: [...t.regions, '15'],
      authorities: [...t.authorities, { ...t.authorities[0]!, id: 'zweites-erfurt' }],
    }));
    const refused = await request(c.app).post('/api/admin/reload').set(admin).set('accept-language', 'en');
    expect(refused.status).toBe(422);
    expect(refused.type).toBe('application/problem+json');
    expect(refused.body).toMatchObject({ code: 'CONFIGURATION_REFUSED', status: 422, title: 'The changed forms or tenant files have problems; the running configuration stays.' });
    expect(refused.body.problems.length).toBeGreaterThanOrEqual(2);
    for (const line of refused.body.problems as string[]) expect(line).toMatch(/^\S+\.json: \/\S*: .+/);
    expect(refused.body.problems.join('\n')).toContain(`${thueringenFile}: /regions/1:`);

    // The running set routes exactly as before: Weimar nobody, Erfurt to Erfurt.
    expect((await submitWeimar(c)).status).toBe(422);
    const toErfurt = await request(c.app).post(`/api/forms/${FORM}/submissions`).send({ data: erfurt });
    expect(toErfurt.status).toBe(201);
    expect(toErfurt.body.authority.id).toBe('stadt-erfurt-buergeramt');
    expect((await request(c.app).get('/api/admin/config').set(admin)).body).toEqual(before);
    expect(await c.store.operatorAudit.list({ limit: 10 })).toEqual([
      expect.objectContaining({ actor: 'admin', action: 'reload', outcome: 'refused', detail: `${refused.body.problems.length} problem(s)` }),
    ]);
  });

  test('a reload that would remove an authority with queued deliveries is refused', async () => {
    const c = await start();
    // The worker is not started: both jobs (the push and the applicant's e-mail) wait, pending.
    expect((await submitWeimar(c)).body.authority.id).toBe('stadt-weimar');
    writeThueringen(withoutWeimar);
    const refused = await request(c.app).post('/api/admin/reload').set(admin);
    expect(refused.status).toBe(422);
    expect(refused.body.problems).toEqual([
      expect.stringMatching(new RegExp(`^${thueringenFile.replace(/[.\\/]/g, '\\$&')}: /authorities/\\d: authority "stadt-weimar" is removed, but 2 deliveries to it are still queued`)),
    ]);
    expect((await submitWeimar(c)).status).toBe(201);
  });

  test('a queued job keeps its authority and body across a reload', async () => {
    const c = await start();
    const accepted = await submitWeimar(c);
    const job = (await c.store.deliveries.jobsOf(accepted.body.id)).find((j) => j.channel === 'http');
    // The authority is renamed and the e-mail of the others changed: the job must not notice.
    writeThueringen((t) => ({ ...t, authorities: t.authorities.map((a) => (a.id === 'stadt-weimar' ? { ...a, name: 'Stadtverwaltung Weimar (neu)' } : a)) }));
    expect((await request(c.app).post('/api/admin/reload').set(admin)).status).toBe(200);
    c.worker.start();
    await receiver.waitFor((r) => r.some((x) => x.path === '/stadt-weimar'));
    const arrived = receiver.requests.find((x) => x.path === '/stadt-weimar')!;
    expect(arrived.body).toBe(job!.body);
    expect(arrived.headers['idempotency-key']).toBe(job!.idempotencyKey);
    await waitUntil(async () => (await c.store.deliveries.jobsOf(accepted.body.id)).find((j) => j.id === job!.id)?.state === 'delivered');
  });

  test('a request that began before a reload finishes on the set it began with', async () => {
    const c = await start();
    const server: Server = c.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const body = JSON.stringify({ data: WEIMAR_APPLICATION });
      // Headers and half the body now, the rest after the reload that removes Weimar.
      const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest({
          host: '127.0.0.1', port: (server.address() as AddressInfo).port, method: 'POST', path: `/api/forms/${FORM}/submissions`,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        }, (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        });
        req.on('error', reject);
        req.write(body.slice(0, 100));
        setTimeout(() => {
          writeThueringen(withoutWeimar);
          void request(c.app).post('/api/admin/reload').set(admin).then((reloaded) => {
            expect(reloaded.status).toBe(200);
            req.end(body.slice(100));
          }, reject);
        }, 50);
      });
      const finished = await answer;
      expect(finished.status).toBe(201);
      const accepted = JSON.parse(finished.body) as { id: string; authority: { id: string } };
      expect(accepted.authority.id).toBe('stadt-weimar');
      // A request that starts now meets the new set.
      expect((await submitWeimar(c)).status).toBe(422);
      // The job was committed after the reload's open-jobs check, to an authority the new set
      // no longer knows: it goes out over the retired set, which stays open for it.
      c.worker.start();
      await waitUntil(async () => (await c.store.deliveries.jobsOf(accepted.id)).every((j) => j.state === 'delivered'));
      const arrived = receiver.requests.filter((r) => r.path === '/stadt-weimar');
      expect(arrived.map((r) => r.signatureValid)).toEqual([true]);
      expect(arrived[0]?.body).toContain(accepted.id);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('GET /api/admin/config', () => {
  test('names every form and tenant file with the SHA-256 of its bytes, and a reload changes only what changed', async () => {
    const c = await start();
    const first = await request(c.app).get('/api/admin/config').set(admin);
    expect(first.status).toBe(200);
    expect(first.headers['cache-control']).toBe('no-store');
    const forms = first.body.forms as Array<{ formId: string; file: string; sha256: string; loadedAt: string }>;
    expect(forms.map((f) => f.formId)).toEqual(['anwohnerparkausweis', 'gewerbeanmeldung', 'hundesteuer-anmeldung']);
    for (const f of forms) expect(f.sha256).toBe(createHash('sha256').update(readFileSync(f.file)).digest('hex'));
    const tenants = first.body.tenants as Array<{ tenantId: string; file: string; sha256: string; loadedAt: string }>;
    for (const t of tenants) expect(t.sha256).toBe(createHash('sha256').update(readFileSync(t.file)).digest('hex'));

    writeThueringen(withoutWeimar);
    const reloaded = await request(c.app).post('/api/admin/reload').set(admin);
    const second = (await request(c.app).get('/api/admin/config').set(admin)).body;
    expect(second).toEqual(reloaded.body);
    expect(new Date(second.loadedAt).getTime()).toBeGreaterThanOrEqual(new Date(first.body.loadedAt as string).getTime());
    const byId = (list: typeof tenants, id: string) => list.find((t) => t.tenantId === id)!;
    expect(byId(second.tenants, 'thueringen').sha256).toBe(createHash('sha256').update(readFileSync(thueringenFile)).digest('hex'));
    expect(byId(second.tenants, 'thueringen').sha256).not.toBe(byId(tenants, 'thueringen').sha256);
    expect(byId(second.tenants, 'thueringen').loadedAt).toBe(second.loadedAt);
    // Unchanged files keep the time they were first loaded.
    expect(byId(second.tenants, 'sachsen-anhalt')).toEqual(byId(tenants, 'sachsen-anhalt'));
    expect(second.forms).toEqual(forms);
  });

  test('a tenant operator sees the forms and only its own tenant file, and may reload', async () => {
    const c = await start();
    const own = await request(c.app).get('/api/admin/config').set('authorization', `Bearer ${THUERINGEN_OPERATOR}`);
    expect(own.status).toBe(200);
    expect(own.body.tenants.map((t: { tenantId: string }) => t.tenantId)).toEqual(['thueringen']);
    expect(own.body.forms).toHaveLength(3);
    const other = await request(c.app).get('/api/admin/config').set('authorization', `Bearer ${SACHSEN_ANHALT_OPERATOR}`);
    expect(other.body.tenants.map((t: { tenantId: string }) => t.tenantId)).toEqual(['sachsen-anhalt']);
    expect(JSON.stringify(other.body)).not.toContain('thueringen');

    // A problem in Thüringen's file: Sachsen-Anhalt's operator learns only that there was one.
    writeThueringen((t) => ({ ...t, regions: [...t.regions, '15'] }));
    const refused = await request(c.app).post('/api/admin/reload').set('authorization', `Bearer ${SACHSEN_ANHALT_OPERATOR}`);
    expect(refused.status).toBe(422);
    expect(JSON.stringify(refused.body.problems)).not.toContain('thueringen');
    expect(refused.body.problemsInOtherTenants).toBeGreaterThan(0);

    writeThueringen();
    expect((await request(c.app).post('/api/admin/reload').set('authorization', `Bearer ${THUERINGEN_OPERATOR}`)).status).toBe(200);
    expect((await c.store.operatorAudit.list({ limit: 10 })).map((e) => [e.actor, e.outcome])).toEqual([
      ['thueringen/ops', 'ok'], ['sachsen-anhalt/ops', 'refused'],
    ]);
  });

  test.each([
    ['no token', {}],
    ['a wrong token', { authorization: 'Bearer not-a-token' }],
  ])('answers 401 with %s, and reloads nothing', async (_name, headers: Record<string, string>) => {
    const c = await start(withoutWeimar);
    writeThueringen();
    for (const call of [request(c.app).get('/api/admin/config'), request(c.app).post('/api/admin/reload')]) {
      const res = await call.set(headers);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('UNAUTHORIZED');
      expect(res.headers['www-authenticate']).toBe('Bearer');
    }
    expect((await submitWeimar(c)).status).toBe(422);
  });
});

describe('a reload keeps what does not depend on the files', () => {
  test('health, readiness, metrics and assets answer before and after', async () => {
    const c = await start();
    c.worker.start();
    const answers = async () => Promise.all(['/healthz', '/readyz', '/metrics', '/assets/app.css'].map(async (url) => (await request(c.app).get(url).set(admin)).status));
    expect(await answers()).toEqual([200, 200, 200, 200]);
    writeThueringen(withoutWeimar);
    expect((await request(c.app).post('/api/admin/reload').set(admin)).status).toBe(200);
    expect(await answers()).toEqual([200, 200, 200, 200]);
  });
});
