import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import type { Tenant } from '../../src/routing/tenant';
import { sha256Hex } from '../../src/support/sha256';
import { consoleAgentHelpers } from '../support/console-agent';
import {
  ADMIN_TOKEN, startConsoleFixture, TENANT_A_MARKERS, TENANT_B_MARKERS, TOKEN_A, TOKEN_B, type ConsoleFixture,
} from '../support/console-fixture';

/**
 * Tenant scoping in the operator console (see console-fixture.ts): operator A sees nothing of
 * tenant B, and B's objects answer A with the same 404 as nonexistent ones; the installation
 * admin sees every tenant.
 */

let fixture: ConsoleFixture;

beforeEach(async () => {
  fixture = await startConsoleFixture({ signInLimit: 20 });
});
afterEach(async () => {
  await fixture.close();
});

const { signIn, csrfFrom, deadTestJob } = consoleAgentHelpers(() => fixture);

describe('tenant scoping', () => {
  it('shows operator A only tenant A, and B\'s job, submission and authority as not found', async () => {
    const b = await signIn(TOKEN_B);
    const ofB = await deadTestJob(b, 'b-bravoamt');
    const a = await signIn(TOKEN_A);
    const ofA = await deadTestJob(a, 'a-gewerbeamt');

    for (const page of ['/admin', '/admin/coverage', '/admin/responsibilities', '/admin/deliveries', '/admin/audit', '/admin/reload', '/admin/submissions',
      `/admin/deliveries/${ofA.jobId}`, `/admin/submissions/${ofA.reference}`, '/admin/authorities/a-gewerbeamt']) {
      const res = await a.get(page);
      expect(`${page} ${res.status}`).toBe(`${page} 200`);
      for (const marker of [...TENANT_B_MARKERS, ofB.jobId, ofB.reference]) expect(`${page}: ${res.text.includes(marker) ? marker : ''}`).toBe(`${page}: `);
    }
    const missing = await a.get('/admin/deliveries/00000000-0000-4000-8000-000000000000');
    expect(missing.status).toBe(404);
    // The same page but for the form values and the language switch's link back to the address asked for.
    const strip = (html: string) => html.replace(/value="[^"]*"/g, '').replace(/class="con-header__language" href="[^"]*"/, '');
    for (const page of [`/admin/deliveries/${ofB.jobId}`, `/admin/submissions/${ofB.reference}`, '/admin/authorities/b-bravoamt']) {
      const res = await a.get(page);
      expect(res.status).toBe(404);
      expect(strip(res.text)).toBe(strip(missing.text));
      expect(res.text).not.toContain('Bravoamt');
    }
    const csrf = await csrfFrom(a);
    expect((await a.post(`/admin/deliveries/${ofB.jobId}/retry`).type('form').send({ _csrf: csrf })).status).toBe(404);
    expect((await a.post('/admin/authorities/b-bravoamt/test-delivery').type('form').send({ _csrf: csrf })).status).toBe(404);
    expect((await fixture.store.deliveries.findJob(ofB.jobId))?.state).toBe('dead');
    expect(fixture.receiver.requests.filter((r) => r.path === '/b-bravoamt')).toHaveLength(1);
  });

  it('writes a refused retry of a job the operator may not see for the installation, not into its tenant\'s trail', async () => {
    const b = await signIn(TOKEN_B);
    const ofB = await deadTestJob(b, 'b-bravoamt');
    const a = await signIn(TOKEN_A);
    const unknown = '00000000-0000-4000-8000-000000000000';
    const csrf = await csrfFrom(a);
    for (const id of [ofB.jobId, unknown]) expect((await a.post(`/admin/deliveries/${id}/retry`).type('form').send({ _csrf: csrf })).status).toBe(404);
    const refused = (await fixture.store.operatorAudit.list({ limit: 20 })).filter((e) => e.action === 'delivery.retry');
    // As the API does (admin-authorisation.test.ts): B's job and an unknown id are recorded alike.
    expect(refused).toEqual([unknown, ofB.jobId].map((target) => (
      { at: expect.any(Date), actor: 'land-a/ops-alpha', tenantId: null, action: 'delivery.retry', target, outcome: 'refused', detail: 'DELIVERY_NOT_FOUND' }
    )));
    // Neither A's nor B's trail shows them; the admin's does.
    const trailOfA = await a.get('/admin/audit').expect(200);
    expect(trailOfA.text).not.toContain(ofB.jobId);
    expect(trailOfA.text).not.toContain(unknown);
    expect((await b.get('/admin/audit').expect(200)).text).not.toContain('ops-alpha');
    const admin = await signIn(ADMIN_TOKEN);
    const trail = await admin.get('/admin/audit').expect(200);
    expect(trail.text).toContain(ofB.jobId);
    expect(trail.text).toContain(unknown);
  });

  it('shows a refused reload\'s problem lines naming another tenant to the admin only', async () => {
    const a = await signIn(TOKEN_A);
    const b = await signIn(TOKEN_B);
    const admin = await signIn(ADMIN_TOKEN);
    const fileOf = (id: string) => path.join(fixture.tenantsDir, `${id}.json`);
    const edit = (id: string, change: (t: Tenant) => Tenant) => writeFileSync(fileOf(id), JSON.stringify(change(JSON.parse(readFileSync(fileOf(id), 'utf8')) as Tenant)));
    // B's file (read after A's) overlaps A's region, reuses A's authority id and A's operator's
    // token hash: each line starts with B's file and names A. A's own file gets a problem of its own.
    edit('land-b', (t) => ({
      ...t, regions: [...t.regions, '15001'],
      authorities: [...t.authorities, { ...t.authorities[0]!, id: 'a-gewerbeamt', serves: [{ forms: ['hundesteuer-anmeldung'], regions: ['16'] }] }],
      operators: [{ id: 'ops-bravo', tokenHash: sha256Hex(TOKEN_A) }],
    }));
    edit('land-a', (t) => ({ ...t, authorities: t.authorities.map((x, i) => (i === 1 ? { ...x, serves: [{ ...x.serves[0]!, forms: ['no-such-form'] }] } : x)) }));
    // A tenant file new in this reload, with a problem of its own.
    const copyOfB = JSON.parse(readFileSync(fileOf('land-b'), 'utf8')) as Tenant;
    writeFileSync(fileOf('land-c'), JSON.stringify({ ...copyOfB, id: 'land-c', name: { de: 'Land Charlie', en: 'State Charlie' }, regions: ['17'], authorities: [], operators: [] }));

    const reload = async (agent: Awaited<ReturnType<typeof signIn>>) => {
      const res = await agent.post('/admin/reload').type('form').send({ _csrf: await csrfFrom(agent, '/admin/reload') });
      expect(res.status).toBe(422);
      return res.text;
    };
    const lines = (html: string) => [...html.matchAll(/<li class="con-id">([^<]*)<\/li>/g)].map((m) => m[1]!.replace(/&quot;/g, '"').replace(/&#x27;/g, "'"));
    const asAdmin = lines(await reload(admin));
    const ownOfA = `${fileOf('land-a')}: /authorities/1/serves/0/forms/0: form "no-such-form" is not loaded from FORMS_DIR`;
    expect(asAdmin).toEqual(expect.arrayContaining([
      ownOfA,
      `${fileOf('land-b')}: /regions/1: region "15001" overlaps region "15" at ${fileOf('land-a')}: /regions/0`,
      `${fileOf('land-b')}: /authorities/1/id: authority id "a-gewerbeamt" is also used at ${fileOf('land-a')}: /authorities/0/id`,
      `${fileOf('land-b')}: /operators/0: operator "land-b/ops-bravo" has the same token hash as operator "land-a/ops-alpha"`,
    ]));
    expect(asAdmin.some((line) => line.startsWith(`${fileOf('land-c')}: `))).toBe(true);

    const pageOfA = await reload(a);
    expect(lines(pageOfA)).toEqual([ownOfA]);
    expect(pageOfA).toContain(`Weitere Probleme, die andere Mandanten betreffen: ${asAdmin.length - 1}`);
    for (const marker of [...TENANT_B_MARKERS, 'land-c', 'Charlie']) expect(`${marker}: ${pageOfA.includes(marker) ? 'shown' : 'absent'}`).toBe(`${marker}: absent`);
    const pageOfB = await reload(b);
    expect(lines(pageOfB)).toEqual([]);
    expect(pageOfB).toContain(`Weitere Probleme, die andere Mandanten betreffen: ${asAdmin.length}`);
    for (const marker of [...TENANT_A_MARKERS, 'land-c', 'Charlie']) expect(`${marker}: ${pageOfB.includes(marker) ? 'shown' : 'absent'}`).toBe(`${marker}: absent`);
  });

  it('shows the installation admin every tenant', async () => {
    const b = await signIn(TOKEN_B);
    const ofB = await deadTestJob(b, 'b-bravoamt');
    const admin = await signIn(ADMIN_TOKEN);
    const deliveries = await admin.get('/admin/deliveries').expect(200);
    expect(deliveries.text).toContain(ofB.jobId);
    const responsibilities = await admin.get('/admin/responsibilities').expect(200);
    expect(responsibilities.text).toContain('Land Alpha');
    expect(responsibilities.text).toContain('Land Bravo');
    await admin.get(`/admin/submissions/${ofB.reference}`).expect(200);
  });

  it('answers unknown console paths with its own 404 page', async () => {
    const a = await signIn(TOKEN_A);
    const res = await a.get('/admin/nothing/here');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toContain('Seite nicht gefunden');
    expect((await request(fixture.app).get('/admin/nothing')).status).toBe(404);
  });
});
