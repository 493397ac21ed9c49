import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import type { Container } from '../../src/container';
import type { Tenant } from '../../src/routing/tenant';
import type { OperatorAuditEntry } from '../../src/storage/ports';
import { sha256Hex } from '../../src/support/sha256';
import { tempDir } from '../support/temp-dir';
import { buildContainer, example, readJson, REPO, SAMPLE_FORMS, secretFor, writeSampleTenant } from '../support/test-setup';

/**
 * The authorisation matrix of issue 12: every admin route (taken from the app's routers and the
 * OpenAPI document, so a route added without a line here fails) × {no token, wrong token,
 * operator of A, operator of B, installation admin} → the expected status; and nothing of B in
 * any answer to A's operator. Tenant A is the sample Thüringen, B the sample Sachsen-Anhalt,
 * each with one operator (A's hash in its file, B's in the variable its file names).
 */

const ADMIN_TOKEN = 'matrix-admin-token-4d1f0b8e2a7c';
const TOKEN_A = 'matrix-operator-of-thueringen-9b3e';
const TOKEN_B = 'matrix-operator-of-sachsen-anhalt-51c7';
const A = 'thueringen';
const B = 'sachsen-anhalt';
const B_OPERATOR = 'lsa-leitstelle-formulare';

const CALLERS = ['none', 'wrong', 'A', 'B', 'admin'] as const;
type Caller = (typeof CALLERS)[number];
const TOKENS: Record<Caller, string | undefined> = { none: undefined, wrong: 'a-token-nobody-has-0000', A: TOKEN_A, B: TOKEN_B, admin: ADMIN_TOKEN };

/** Where each tenant's test submissions live: Erfurt and Magdeburg take the dog tax online. */
const REGION = { [A]: { gemeinde: '160510000000', postleitzahl: '99084', ort: 'Erfurt' }, [B]: { gemeinde: '150030000000', postleitzahl: '39104', ort: 'Magdeburg' } } as const;
type TenantId = keyof typeof REGION;

interface Case {
  /** The route as the router names it, `METHOD /path/:param` with every parameter written `:param`. */
  readonly route: string;
  readonly name: string;
  /** The URL to call for this caller (a retry gets a fresh dead job each time). */
  url(caller: Caller): Promise<string>;
  /** For A, B and the admin; no token and a wrong token are always 401. */
  readonly expected: Readonly<Record<'A' | 'B' | 'admin', number>>;
}

type Layer = { route?: { path: unknown; methods: Record<string, boolean> }; handle?: { stack?: Layer[] } };

/** Every `METHOD /path` an express router (and the routers mounted in it) answers. */
function routesOf(router: { stack?: Layer[] }): string[] {
  const routes: string[] = [];
  for (const layer of router.stack ?? []) {
    if (layer.route && typeof layer.route.path === 'string') {
      for (const method of Object.keys(layer.route.methods)) if (method !== '_all') routes.push(`${method.toUpperCase()} ${layer.route.path}`);
    } else if (layer.handle && Array.isArray(layer.handle.stack)) {
      routes.push(...routesOf(layer.handle));
    }
  }
  return routes;
}

/** `/a/{jobId}` and `/a/:id` both become `/a/:param`. */
const normalise = (route: string) => route.replace(/\{[^}]+\}|:[A-Za-z_]+/g, ':param');

describe('admin API: the authorisation matrix of operators per tenant', () => {
  const dir = tempDir('efa-matrix-');
  let c: Container;
  const refs: Record<TenantId, string[]> = { [A]: [], [B]: [] };
  const jobIds: Record<TenantId, string[]> = { [A]: [], [B]: [] };
  let tenantB: Tenant;

  async function submit(tenant: TenantId): Promise<string> {
    const data = example('hundesteuer-anmeldung', 'valid-1') as { halter: { anschrift: Record<string, string> } };
    data.halter.anschrift = { ...data.halter.anschrift, ...REGION[tenant] };
    const res = await request(c.app).post('/api/forms/hundesteuer-anmeldung/submissions').send({ data });
    expect(res.status).toBe(201);
    const id = (res.body as { id: string }).id;
    refs[tenant].push(id);
    return id;
  }

  /** A submission of the tenant whose push job was refused for good (dead); its other jobs stay pending. */
  async function deadJob(tenant: TenantId): Promise<string> {
    const id = await submit(tenant);
    const owner = `matrix-${tenant}`;
    const claimed = await c.store.deliveries.claimDue({ now: new Date(Date.now() + 1000), limit: 1000, leaseMs: 60_000, owner });
    const job = claimed.find((j) => j.submissionId === id && j.channel === 'http')!;
    await c.store.deliveries.markFailed(job.id, owner, { error: 'receiver answered HTTP 400', nextAttemptAt: new Date(), permanent: true, giveUpAfterMs: 1000, at: new Date() });
    await c.store.deliveries.releaseLeases(owner, new Date());
    for (const j of await c.store.deliveries.jobsOf(id)) jobIds[tenant].push(j.id);
    return job.id;
  }

  beforeAll(async () => {
    const tenants = path.join(dir.path, 'tenants');
    mkdirSync(tenants);
    const env = writeSampleTenant(tenants, 'http://127.0.0.1:9');
    const fileA = path.join(tenants, `${A}.json`);
    writeFileSync(fileA, JSON.stringify({ ...readJson<Tenant>(fileA), operators: [{ id: 'tlrz-betrieb', tokenHash: sha256Hex(TOKEN_A) }] }, null, 2));
    const sample = readJson<Tenant>(path.join(REPO, 'tenants', `${B}.json`));
    tenantB = {
      ...sample,
      authorities: sample.authorities.map((a) => {
        if (a.delivery.type === 'http') env[a.delivery.secretEnv] = secretFor(a.id);
        return a.delivery.type === 'http' ? { ...a, delivery: { ...a.delivery, url: `http://127.0.0.1:9/${a.id}` } } : a;
      }),
      operators: [{ id: B_OPERATOR, name: 'Leitstelle Formulare', tokenHashEnv: 'EFA_OPERATOR_LSA' }],
    };
    writeFileSync(path.join(tenants, `${B}.json`), JSON.stringify(tenantB, null, 2));
    c = await buildContainer({
      ...env, EFA_OPERATOR_LSA: sha256Hex(TOKEN_B), ADMIN_TOKEN_HASH: sha256Hex(ADMIN_TOKEN),
      FORMS_DIR: SAMPLE_FORMS, TENANTS_DIR: tenants, DATA_DIR: path.join(dir.path, 'data'), DELIVERY_WORKER: 'off',
    });
    // Both tenants: a dead job and a submission whose jobs wait.
    for (const tenant of [A, B] as const) {
      await deadJob(tenant);
      const pending = await submit(tenant);
      for (const j of await c.store.deliveries.jobsOf(pending)) jobIds[tenant].push(j.id);
    }
  });
  afterAll(async () => {
    await c.close(1000);
    dir.remove();
  });

  const retryOf = (tenant: TenantId) => async () => `/api/admin/deliveries/${await deadJob(tenant)}/retry`;
  const fixed = (url: string | (() => string)) => () => Promise.resolve(typeof url === 'string' ? url : url());
  const cases: Case[] = [
    { route: 'GET /api/admin/deliveries', name: 'dead deliveries', url: fixed('/api/admin/deliveries?state=dead'), expected: { A: 200, B: 200, admin: 200 } },
    { route: 'GET /api/admin/deliveries', name: 'pending deliveries', url: fixed('/api/admin/deliveries?state=pending&limit=1000'), expected: { A: 200, B: 200, admin: 200 } },
    { route: 'POST /api/admin/deliveries/:param/retry', name: "retry of A's dead job", url: retryOf(A), expected: { A: 200, B: 404, admin: 200 } },
    { route: 'POST /api/admin/deliveries/:param/retry', name: "retry of B's dead job", url: retryOf(B), expected: { A: 404, B: 200, admin: 200 } },
    { route: 'POST /api/admin/deliveries/:param/retry', name: 'retry of an unknown job', url: fixed('/api/admin/deliveries/3f2c1e0a-0000-4000-8000-000000000000/retry'), expected: { A: 404, B: 404, admin: 404 } },
    { route: 'GET /api/admin/submissions/:param', name: "A's submission", url: fixed(() => `/api/admin/submissions/${refs[A][0]!}`), expected: { A: 200, B: 404, admin: 200 } },
    { route: 'GET /api/admin/submissions/:param', name: "B's submission", url: fixed(() => `/api/admin/submissions/${refs[B][0]!}`), expected: { A: 404, B: 200, admin: 200 } },
    { route: 'GET /api/admin/submissions/:param', name: 'an unknown reference', url: fixed('/api/admin/submissions/ZZZZ-ZZZZ-Z'), expected: { A: 404, B: 404, admin: 404 } },
    { route: 'GET /api/admin/coverage', name: 'coverage', url: fixed('/api/admin/coverage'), expected: { A: 200, B: 200, admin: 200 } },
    { route: 'GET /api/admin/coverage', name: "A's coverage", url: fixed(`/api/admin/coverage?tenant=${A}`), expected: { A: 200, B: 400, admin: 200 } },
    { route: 'GET /api/admin/coverage', name: "B's coverage", url: fixed(`/api/admin/coverage?tenant=${B}`), expected: { A: 400, B: 200, admin: 200 } },
    { route: 'GET /api/admin/coverage', name: 'an unknown tenant\'s coverage', url: fixed('/api/admin/coverage?tenant=nowhere'), expected: { A: 400, B: 400, admin: 400 } },
    { route: 'GET /api/admin/audit', name: 'audit trail', url: fixed('/api/admin/audit'), expected: { A: 200, B: 200, admin: 200 } },
    { route: 'GET /api/admin/audit', name: "B's audit trail", url: fixed(`/api/admin/audit?tenant=${B}&limit=1000`), expected: { A: 400, B: 200, admin: 200 } },
    { route: 'POST /api/admin/reload', name: 'reload', url: fixed('/api/admin/reload'), expected: { A: 200, B: 200, admin: 200 } },
    { route: 'GET /api/admin/config', name: 'loaded versions', url: fixed('/api/admin/config'), expected: { A: 200, B: 200, admin: 200 } },
    { route: 'GET /api/admin/authorities', name: 'authorities', url: fixed('/api/admin/authorities'), expected: { A: 200, B: 200, admin: 200 } },
    { route: 'POST /api/admin/authorities/:param/test-delivery', name: "test delivery to A's authority", url: fixed('/api/admin/authorities/stadt-erfurt-buergeramt/test-delivery'), expected: { A: 200, B: 404, admin: 200 } },
    { route: 'POST /api/admin/authorities/:param/test-delivery', name: "test delivery to B's authority", url: fixed('/api/admin/authorities/stadt-halle-steuern/test-delivery'), expected: { A: 404, B: 200, admin: 200 } },
    { route: 'POST /api/admin/authorities/:param/test-delivery', name: 'test delivery to an unknown authority', url: fixed('/api/admin/authorities/nowhere/test-delivery'), expected: { A: 404, B: 404, admin: 404 } },
    { route: 'POST /api/admin/authorities/:param/test-links', name: "tester's link for A's authority", url: fixed('/api/admin/authorities/stadt-erfurt-buergeramt/test-links'), expected: { A: 201, B: 404, admin: 201 } },
    { route: 'POST /api/admin/authorities/:param/test-links', name: "tester's link for B's authority", url: fixed('/api/admin/authorities/stadt-halle-steuern/test-links'), expected: { A: 404, B: 201, admin: 201 } },
    // The installation's numbers: the admin's only (a tenant operator's token is no admin token).
    { route: 'GET /metrics', name: 'metrics', url: fixed('/metrics'), expected: { A: 401, B: 401, admin: 200 } },
  ];

  test('the matrix names every admin route the app answers and the OpenAPI document lists, and no other', async () => {
    const app = c.app as unknown as { router: { stack?: Layer[] } };
    const served = c.live.current().router as unknown as { stack?: Layer[] };
    const answered = new Set([...routesOf(app.router), ...routesOf(served)].map(normalise).filter((r) => /^[A-Z]+ \/api\/admin\//.test(r)));
    const doc = (await request(c.app).get('/api/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    const documented = new Set(Object.entries(doc.paths).filter(([p]) => p.startsWith('/api/admin/'))
      .flatMap(([p, ops]) => Object.keys(ops).map((m) => normalise(`${m.toUpperCase()} ${p}`))));
    expect([...answered].sort()).toEqual([...documented].sort());
    expect([...new Set(cases.map((k) => k.route))].sort()).toEqual([...answered, 'GET /metrics'].sort());
  });

  test('every route × every caller answers as expected, and A\'s operator learns nothing of B', async () => {
    const results: string[] = [];
    const expected: string[] = [];
  // What came back (body and Location), with the URL asked for naming it: the URL itself is the caller's.
    const bodies: Record<Caller, Array<{ url: string; text: string }>> = { none: [], wrong: [], A: [], B: [], admin: [] };
    for (const k of cases) {
      for (const caller of CALLERS) {
        const url = await k.url(caller);
        const [method] = k.route.split(' ');
        const req = method === 'POST' ? request(c.app).post(url) : request(c.app).get(url);
        const token = TOKENS[caller];
        if (token !== undefined) req.set('authorization', `Bearer ${token}`);
        const res = await req;
        results.push(`${k.name} as ${caller}: ${res.status}`);
        expected.push(`${k.name} as ${caller}: ${caller === 'none' || caller === 'wrong' ? 401 : k.expected[caller]}`);
        bodies[caller].push({ url, text: `${res.text}\n${String(res.headers.location ?? '')}` });
        if (res.status >= 400) expect(res.type).toBe('application/problem+json');
      }
    }
    expect(results).toEqual(expected);

    // What would tell A's operator anything of B: its tenant, its operator, its authorities,
    // their names, its municipalities, and its references and jobs.
    const ofB = [
      B, tenantB.name.de, tenantB.name.en ?? B, B_OPERATOR, 'Leitstelle Formulare',
      ...tenantB.authorities.flatMap((a) => [a.id, a.name]), ...tenantB.municipalities.map((m) => m.name),
      ...refs[B], ...jobIds[B],
    ];
    const leaks = bodies.A.flatMap(({ url, text }) => ofB.filter((s) => text.includes(s)).map((s) => `${s} in the answer to ${url}`));
    expect(leaks).toEqual([]);
    // Not vacuous: the admin's answers do name B's tenant, authorities and references.
    const admin = bodies.admin.map((b) => b.text).join('\n');
    for (const s of [B, tenantB.authorities[0]!.id, refs[B][0]!, jobIds[B][0]!]) expect(admin).toContain(s);
    // And A's operator sees its own.
    expect(bodies.A.map((b) => b.text).join('\n')).toContain(refs[A][0]!);
  });

  test('another tenant\'s job or reference answers exactly as an unknown one, and is left as it was', async () => {
    const asA = (req: request.Test) => req.set('authorization', `Bearer ${TOKEN_A}`);
    const jobOfB = await deadJob(B);
    const refused = await asA(request(c.app).post(`/api/admin/deliveries/${jobOfB}/retry`));
    const unknown = await asA(request(c.app).post('/api/admin/deliveries/3f2c1e0a-0000-4000-8000-000000000001/retry'));
    expect([refused.status, refused.body]).toEqual([unknown.status, unknown.body]);
    expect(refused.body.code).toBe('DELIVERY_NOT_FOUND');
    expect((await c.store.deliveries.findJob(jobOfB))?.state).toBe('dead');

    const trailOfB = await asA(request(c.app).get(`/api/admin/submissions/${refs[B][0]!}`));
    const noTrail = await asA(request(c.app).get('/api/admin/submissions/ZZZZ-ZZZZ-Z'));
    expect([trailOfB.status, trailOfB.body]).toEqual([noTrail.status, noTrail.body]);

    const coverageOfB = await asA(request(c.app).get(`/api/admin/coverage?tenant=${B}`));
    const coverageOfNowhere = await asA(request(c.app).get('/api/admin/coverage?tenant=nowhere'));
    expect(coverageOfB.body).toEqual(coverageOfNowhere.body);
    expect(coverageOfB.body.detail).toBe(`tenant ist unbekannt; bekannt sind: ${A}.`);

    // A's lists hold A's objects only; the admin's both.
    const dead = await asA(request(c.app).get('/api/admin/deliveries?state=dead&limit=1000'));
    const authoritiesOfA = new Set(readJson<Tenant>(path.join(dir.path, 'tenants', `${A}.json`)).authorities.map((a) => a.id));
    expect((dead.body.items as Array<{ authorityId: string }>).every((j) => authoritiesOfA.has(j.authorityId))).toBe(true);
    expect(dead.body.items.length).toBeGreaterThan(0);
    const coverage = await asA(request(c.app).get('/api/admin/coverage'));
    expect([...new Set((coverage.body.items as Array<{ tenant: { id: string } }>).map((i) => i.tenant.id))]).toEqual([A]);
    const everything = await request(c.app).get('/api/admin/coverage').set('authorization', `Bearer ${ADMIN_TOKEN}`);
    expect([...new Set((everything.body.items as Array<{ tenant: { id: string } }>).map((i) => i.tenant.id))].sort()).toEqual([B, A].sort());
  });

  test('operator actions are in the audit trail, each tenant\'s apart, without tokens; refused sign-ins are not', async () => {
    const before = await c.store.operatorAudit.list({ limit: 1000 });
    const jobOfA = await deadJob(A);
    await request(c.app).post(`/api/admin/deliveries/${jobOfA}/retry`).set('authorization', 'Bearer wrong-token');
    await request(c.app).post(`/api/admin/deliveries/${jobOfA}/retry`);
    await request(c.app).post(`/api/admin/deliveries/${jobOfA}/retry`).set('authorization', `Bearer ${TOKEN_B}`);
    await request(c.app).post(`/api/admin/deliveries/${jobOfA}/retry`).set('authorization', `Bearer ${TOKEN_A}`);
    await request(c.app).post(`/api/admin/deliveries/${jobOfA}/retry`).set('authorization', `Bearer ${TOKEN_A}`);
    const after = await c.store.operatorAudit.list({ limit: 1000 });
    const added = after.slice(0, after.length - before.length);
    const withoutTime = added.map(({ at, ...rest }: OperatorAuditEntry) => {
      expect(at).toBeInstanceOf(Date);
      return rest;
    });
    expect(withoutTime).toEqual([
      { actor: `${A}/tlrz-betrieb`, tenantId: A, action: 'delivery.retry', target: jobOfA, outcome: 'refused', detail: 'DELIVERY_NOT_RETRYABLE' },
      { actor: `${A}/tlrz-betrieb`, tenantId: A, action: 'delivery.retry', target: jobOfA, outcome: 'ok' },
      // B's operator asked for a job it may not see: recorded for the installation (the admin's
      // view only), so neither tenant's trail tells anything of the other.
      { actor: `${B}/${B_OPERATOR}`, tenantId: null, action: 'delivery.retry', target: jobOfA, outcome: 'refused', detail: 'DELIVERY_NOT_FOUND' },
    ]);

    const asA = await request(c.app).get('/api/admin/audit?limit=1000').set('authorization', `Bearer ${TOKEN_A}`);
    expect(asA.status).toBe(200);
    const itemsOfA = asA.body.items as Array<{ tenantId: string | null; actor: string; at: string }>;
    expect(itemsOfA.every((e) => e.tenantId === A)).toBe(true);
    // The admin's retry of A's job (in the matrix) is in A's trail; B's attempt is not.
    expect(itemsOfA.some((e) => e.actor === 'admin')).toBe(true);
    expect(itemsOfA.some((e) => e.actor.startsWith(`${B}/`))).toBe(false);
    // Newest first.
    expect([...itemsOfA].sort((x, y) => y.at.localeCompare(x.at))).toEqual(itemsOfA);
    const limited = await request(c.app).get('/api/admin/audit?limit=2').set('authorization', `Bearer ${TOKEN_A}`);
    expect(limited.body.items).toEqual(itemsOfA.slice(0, 2));
    for (const bad of ['limit=0', 'limit=1001', 'limit=x']) {
      const res = await request(c.app).get(`/api/admin/audit?${bad}`).set('authorization', `Bearer ${ADMIN_TOKEN}`);
      expect({ bad, status: res.status, code: res.body.code }).toEqual({ bad, status: 400, code: 'INVALID_PARAMETER' });
    }

    // The admin sees everything, reloads included (not a tenant's), or one tenant on asking.
    const all = await request(c.app).get('/api/admin/audit?limit=1000').set('authorization', `Bearer ${ADMIN_TOKEN}`);
    const tenantsSeen = new Set((all.body.items as Array<{ tenantId: string | null }>).map((e) => e.tenantId));
    expect(tenantsSeen).toEqual(new Set([A, B, null]));
    const onlyB = await request(c.app).get(`/api/admin/audit?tenant=${B}&limit=1000`).set('authorization', `Bearer ${ADMIN_TOKEN}`);
    expect((onlyB.body.items as Array<{ tenantId: string }>).every((e) => e.tenantId === B)).toBe(true);

    // No token is ever written, neither to the trail nor to the log.
    const written = JSON.stringify(after) + JSON.stringify((c as unknown as { logger: { lines: unknown[] } }).logger.lines);
    for (const token of [ADMIN_TOKEN, TOKEN_A, TOKEN_B, 'wrong-token']) expect(written).not.toContain(token);
  });
});
