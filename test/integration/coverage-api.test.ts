import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import request from 'supertest';
import type { Container } from '../../src/container';
import type { CoverageReport } from '../../src/coverage/coverage';
import { COVERAGE_AUTHORITIES_CSV_COLUMNS } from '../../src/coverage/coverage-authorities-csv';
import { COVERAGE_CSV_COLUMNS } from '../../src/coverage/coverage-csv';
import type { Tenant } from '../../src/routing/tenant';
import { sha256Hex } from '../../src/support/sha256';
import { channelHarness } from '../support/channel-harness';
import { startReceiver, type TestReceiver } from '../support/http-receiver';
import { buildContainer, SAMPLE_FORMS, secretFor, writeSampleTenant } from '../support/test-setup';
import { tempDir } from '../support/temp-dir';

const ADMIN_TOKEN = 'coverage-admin-token';
const NOW = new Date('2026-12-01T09:30:00Z');

/**
 * GET /api/admin/coverage on a container built like production's: the report as JSON (the
 * numbers counted from the tenant file in the test) or as CSV, only with the admin token, and a
 * problem+json 400 for a tenant or form that does not exist.
 */
describe('GET /api/admin/coverage', () => {
  const dir = tempDir('efa-coverage-api-');
  const tenantsDir = path.join(dir.path, 'tenants');
  let container: Container;
  let tenant: Tenant;

  beforeAll(async () => {
    mkdirSync(tenantsDir);
    const env = writeSampleTenant(tenantsDir, 'http://127.0.0.1:9');
    tenant = JSON.parse(readFileSync(path.join(tenantsDir, 'thueringen.json'), 'utf8')) as Tenant;
    container = await buildContainer({
      ...env, FORMS_DIR: SAMPLE_FORMS, TENANTS_DIR: tenantsDir, DATA_DIR: path.join(dir.path, 'data'),
      ADMIN_TOKEN_HASH: sha256Hex(ADMIN_TOKEN), DELIVERY_WORKER: 'off',
    }, { now: () => NOW });
  });
  afterAll(async () => {
    await container.close(1000);
    dir.remove();
  });

  const get = (query = '', accept?: string) => {
    const req = request(container.app).get(`/api/admin/coverage${query}`).set('authorization', `Bearer ${ADMIN_TOKEN}`);
    return accept ? req.set('accept', accept) : req;
  };

  /** Municipalities of the tenant that some serves entry of the form covers by prefix. */
  const onlineFor = (formId: string) => {
    const prefixes = tenant.authorities.flatMap((a) => a.serves.filter((s) => s.forms.includes(formId)).flatMap((s) => s.regions));
    return tenant.municipalities.filter((m) => prefixes.some((p) => m.ars.startsWith(p))).map((m) => m.ars);
  };

  test('answers JSON with every form for the tenant, counted as the tenant file says', async () => {
    const res = await get();
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-store');
    const report = res.body as CoverageReport;
    expect(report.generatedAt).toBe(NOW.toISOString());
    expect(report.items.map((i) => i.form.id)).toEqual(container.forms.ids());
    for (const item of report.items) {
      const online = onlineFor(item.form.id);
      const missing = tenant.municipalities.map((m) => m.ars).filter((ars) => !online.includes(ars)).sort();
      expect({ form: item.form.id, online: item.state.municipalities.online, total: item.state.municipalities.total, missing: item.districts.flatMap((d) => d.missing.map((m) => m.ars)) })
        .toEqual({ form: item.form.id, online: online.length, total: tenant.municipalities.length, missing });
      expect(item.state.complete).toBe(missing.length === 0);
    }
  });

  test('matches the CoverageReport schema of the OpenAPI document', async () => {
    const doc = (await request(container.app).get('/api/openapi.json')).body as { components: Record<string, unknown> };
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile({ $ref: '#/components/schemas/CoverageReport', components: doc.components });
    const body: unknown = (await get()).body;
    expect(validate(body) ? [] : validate.errors).toEqual([]);
    // The schema says something: a district without its missing list does not pass.
    const item = (body as CoverageReport).items[0]!;
    const district: Record<string, unknown> = { ...item.districts[0]! };
    delete district.missing;
    expect(validate({ ...(body as CoverageReport), items: [{ ...item, districts: [district] }] })).toBe(false);
    // Nor does an area without its notLive counts, or an authority without its rollout counts.
    const stateWithout: Record<string, unknown> = { ...item.state };
    delete stateWithout.notLive;
    expect(validate({ ...(body as CoverageReport), items: [{ ...item, state: stateWithout }] })).toBe(false);
    const report = body as CoverageReport;
    const [first] = report.authorities;
    const authorityWithout: Record<string, unknown> = { ...first!.authorities[0]! };
    delete authorityWithout.responsibilities;
    expect(validate({ ...report, authorities: [{ ...first, authorities: [authorityWithout] }] })).toBe(false);
  });

  test('filters by tenant and form', async () => {
    const res = await get('?tenant=thueringen&form=gewerbeanmeldung');
    expect(res.status).toBe(200);
    expect((res.body as CoverageReport).items.map((i) => `${i.form.id}/${i.tenant.id}`)).toEqual(['gewerbeanmeldung/thueringen']);
  });

  test('answers CSV for Accept: text/csv', async () => {
    const res = await get('?form=gewerbeanmeldung', 'text/csv');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers.vary).toMatch(/accept/i);
    const lines = res.text.split('\r\n');
    expect(lines[0]).toBe(COVERAGE_CSV_COLUMNS.join(','));
    const state = lines[1]!.split(',');
    expect(state.slice(0, 3)).toEqual(['gewerbeanmeldung', 'thueringen', 'state']);
    expect(state[6]).toBe(String(onlineFor('gewerbeanmeldung').length));
  });

  test('is refused without the admin token', async () => {
    const res = await request(container.app).get('/api/admin/coverage');
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  test.each([
    ['?tenant=atlantis', 'tenant'],
    ['?form=nope', 'form'],
    ['?tenant=thueringen&tenant=thueringen', 'tenant'],
  ])('answers 400 INVALID_PARAMETER for %s, naming the ids that exist', async (query, parameter) => {
    const known = parameter === 'tenant' ? container.routing.tenants().map((t) => t.id) : container.forms.ids();
    const res = await get(query);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ code: 'INVALID_PARAMETER', status: 400, detail: `${parameter} ist unbekannt; bekannt sind: ${known.join(', ')}.` });
    const english = await get(query).set('accept-language', 'en');
    expect(english.body).toMatchObject({ detail: `${parameter} is unknown; known are: ${known.join(', ')}.` });
  });
});

/**
 * The authorities section over HTTP (issue 12 point 2): the last successful test and the last
 * real delivery per authority, read from the store, and the flag for a live authority whose
 * channel never took anything; a real test delivery to a real receiver moves an authority from
 * flagged to tested. As CSV of its own with ?csv=authorities.
 */
describe('GET /api/admin/coverage: the authorities and their last deliveries', () => {
  const harness = channelHarness();
  let receiver: TestReceiver;
  const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
  beforeAll(async () => {
    receiver = await startReceiver(secretFor);
  });
  afterAll(async () => {
    await harness.close();
    await receiver.close();
  });

  type Section = CoverageReport['authorities'][number]['authorities'][number];
  const authorityIn = (report: CoverageReport, id: string): Section | undefined =>
    report.authorities.flatMap((t) => t.authorities).find((a) => a.id === id);

  test('flags live authorities never delivered to, and shows a test delivery once it went through', async () => {
    const c = await harness.start(receiver.url, {}, { ADMIN_TOKEN_HASH: sha256Hex(ADMIN_TOKEN), DELIVERY_WORKER: 'off' });
    const before = (await request(c.app).get('/api/admin/coverage').set(auth)).body as CoverageReport;
    expect(before.deliveriesKnown).toBe(true);
    const tenantFile = c.routing.tenants()[0]!;
    expect(before.authorities.map((t) => t.tenant.id)).toEqual(['thueringen']);
    expect(before.authorities[0]!.authorities.map((a) => a.id)).toEqual(tenantFile.authorities.map((a) => a.id));
    expect(authorityIn(before, 'stadt-erfurt-buergeramt')).toMatchObject({
      channel: 'http', lastSuccessfulTestAt: null, lastRealDeliveryAt: null, liveWithoutDelivery: true,
    });

    const tested = await request(c.app).post('/api/admin/authorities/stadt-erfurt-buergeramt/test-delivery').set(auth);
    expect(tested.body).toMatchObject({ outcome: 'delivered' });
    expect(receiver.requests.at(-1)!.signatureValid).toBe(true);

    const after = (await request(c.app).get('/api/admin/coverage').set(auth)).body as CoverageReport;
    const erfurt = authorityIn(after, 'stadt-erfurt-buergeramt')!;
    expect(erfurt).toMatchObject({ lastRealDeliveryAt: null, liveWithoutDelivery: false });
    expect(Date.parse(String(erfurt.lastSuccessfulTestAt))).toBeLessThanOrEqual(Date.parse(String(tested.body.at)));

    // The same as CSV of its own; an unknown table is a 400 naming the two there are.
    const csv = await request(c.app).get('/api/admin/coverage?csv=authorities').set(auth).set('accept', 'text/csv');
    expect(csv.status).toBe(200);
    const lines = csv.text.split('\r\n');
    expect(lines[0]).toBe(COVERAGE_AUTHORITIES_CSV_COLUMNS.join(','));
    const row = lines.find((l) => l.startsWith('thueringen,stadt-erfurt-buergeramt,'))!.split(',');
    expect(row.at(-1)).toBe('false');
    expect(row.at(-3)).toBe(erfurt.lastSuccessfulTestAt);
    const bad = await request(c.app).get('/api/admin/coverage?csv=everything').set(auth).set('accept', 'text/csv');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'INVALID_PARAMETER', detail: 'csv ist unbekannt; möglich sind: areas, authorities.' });
  });
});
