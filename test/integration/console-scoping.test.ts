import request from 'supertest';
import { consoleAgentHelpers } from '../support/console-agent';
import { ADMIN_TOKEN, startConsoleFixture, TENANT_B_MARKERS, TOKEN_A, TOKEN_B, type ConsoleFixture } from '../support/console-fixture';

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
