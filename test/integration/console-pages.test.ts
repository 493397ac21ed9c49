import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { formatLongDateTime } from '../../src/i18n/formatters';
import { waitUntil } from '../support/channel-harness';
import {
  ADMIN_TOKEN, csrfOf, IDLE_MINUTES, startConsoleFixture, TENANT_B_MARKERS, TOKEN_A, TOKEN_B, type ConsoleFixture,
} from '../support/console-fixture';

/**
 * The operator console under /admin in the real container (see console-fixture.ts): sign-in
 * through a form, the session cookie, CSRF on every POST, idle expiry, sign-out, tenant scoping
 * (A sees nothing of B; B's objects answer A with the same 404 as nonexistent ones), retry of a
 * dead job (and the worker delivering it), a test delivery's outcome (recorded as a test, shown
 * as the last successful test), and a refused reload's problems.
 */

let fixture: ConsoleFixture;

beforeEach(async () => {
  fixture = await startConsoleFixture({ signInLimit: 20 });
});
afterEach(async () => {
  await fixture.close();
});

async function signIn(token: string): Promise<TestAgent> {
  const agent = request.agent(fixture.app);
  const form = await agent.get('/admin/sign-in').expect(200);
  const res = await agent.post('/admin/sign-in').type('form').send({ _csrf: csrfOf(form.text), token });
  expect(res.status).toBe(303);
  expect(res.headers.location).toBe('/admin');
  return agent;
}

async function csrfFrom(agent: TestAgent, page = '/admin'): Promise<string> {
  const res = await agent.get(page).expect(200);
  return csrfOf(res.text);
}

/** A test delivery the receiver refuses: its job is dead at once (a test is not retried). */
async function deadTestJob(agent: TestAgent, authorityId: string): Promise<{ reference: string; jobId: string }> {
  fixture.receiver.respond = () => 500;
  const csrf = await csrfFrom(agent, `/admin/authorities/${authorityId}`);
  const res = await agent.post(`/admin/authorities/${authorityId}/test-delivery`).type('form').send({ _csrf: csrf }).expect(200);
  const reference = /class="con-id">([A-Z0-9-]+)<\/dd>/.exec(res.text)?.[1];
  if (!reference) throw new Error('no reference on the result page');
  const [job] = await fixture.store.deliveries.jobsOf(reference);
  expect(job?.state).toBe('dead');
  fixture.receiver.respond = () => 204;
  return { reference, jobId: job!.id };
}

describe('signing in', () => {
  it('opens a session with the token: an HttpOnly SameSite=Strict cookie on /admin, only hashes stored', async () => {
    const agent = request.agent(fixture.app);
    const form = await agent.get('/admin/sign-in').expect(200);
    expect(form.headers['content-security-policy']).toContain("default-src 'none'");
    expect(form.headers['cache-control']).toBe('no-store');
    const res = await agent.post('/admin/sign-in').type('form').send({ _csrf: csrfOf(form.text), token: TOKEN_A }).expect(303);
    const cookie = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('efa_console='))!;
    expect(cookie).toMatch(/^efa_console=[A-Za-z0-9_-]{43}; Path=\/admin; HttpOnly; SameSite=Strict$/);
    const value = /^efa_console=([^;]+)/.exec(cookie)![1]!;
    const overview = await agent.get('/admin').expect(200);
    expect(overview.text).toContain('ops-alpha');
    // The store has the cookie's hash, never the cookie or the token.
    const audit = await fixture.store.operatorAudit.list({ limit: 10 });
    expect(audit.map((e) => `${e.actor} ${e.action} ${e.outcome}`)).toEqual(['land-a/ops-alpha sign-in ok']);
    expect(JSON.stringify(audit)).not.toContain(TOKEN_A);
    expect(await fixture.store.operatorSessions.find(value, fixture.clock)).toBeUndefined();
  });

  it('marks the cookies Secure in production', async () => {
    const production = await startConsoleFixture({ production: true });
    try {
      const agent = request.agent(production.app);
      const form = await agent.get('/admin/sign-in').expect(200);
      expect(form.headers['set-cookie']).toEqual([expect.stringMatching(/^efa_console_signin=[A-Za-z0-9_-]{43}; Path=\/admin; HttpOnly; SameSite=Strict; Secure$/)]);
      const res = await request(production.app).post('/admin/sign-in').set('cookie', `efa_console_signin=${csrfOf(form.text)}`)
        .type('form').send({ _csrf: csrfOf(form.text), token: TOKEN_A }).expect(303);
      expect(res.headers['set-cookie']).toEqual(expect.arrayContaining([expect.stringMatching(/^efa_console=[A-Za-z0-9_-]{43}; Path=\/admin; HttpOnly; SameSite=Strict; Secure$/)]));
    } finally {
      await production.close();
    }
  });

  it.each([
    ['a wrong token', { token: 'not-a-token' }],
    ['no token', {}],
    ['an empty token', { token: '' }],
  ])('refuses %s with the same page and no detail', async (_label, fields) => {
    const agent = request.agent(fixture.app);
    const form = await agent.get('/admin/sign-in').expect(200);
    const res = await agent.post('/admin/sign-in').type('form').send({ _csrf: csrfOf(form.text), ...fields });
    expect(res.status).toBe(401);
    expect(res.text).toContain('Die Anmeldung ist fehlgeschlagen.');
    expect(res.headers['set-cookie'] ?? []).not.toEqual(expect.arrayContaining([expect.stringMatching(/^efa_console=[^;]/)]));
    expect((await agent.get('/admin')).status).toBe(303);
    const [entry] = await fixture.store.operatorAudit.list({ limit: 1 });
    expect(entry).toMatchObject({ actor: 'anonymous', action: 'sign-in', outcome: 'refused', tenantId: null });
  });

  it('gives the same refusal page for a wrong and a missing token', async () => {
    const pageFor = async (fields: Record<string, string>) => {
      const agent = request.agent(fixture.app);
      const form = await agent.get('/admin/sign-in');
      const res = await agent.post('/admin/sign-in').type('form').send({ _csrf: csrfOf(form.text), ...fields });
      return res.text.replace(/value="[A-Za-z0-9_-]{43}"/g, '');
    };
    expect(await pageFor({ token: 'wrong' })).toBe(await pageFor({}));
  });

  it('refuses a sign-in form without its CSRF value (403) and counts attempts per client (429)', async () => {
    const agent = request.agent(fixture.app);
    await agent.get('/admin/sign-in');
    expect((await agent.post('/admin/sign-in').type('form').send({ token: TOKEN_A })).status).toBe(403);
    const limited = await startConsoleFixture({ signInLimit: 2 });
    try {
      const other = request.agent(limited.app);
      const form = await other.get('/admin/sign-in');
      const csrf = csrfOf(form.text);
      for (let i = 0; i < 2; i++) expect((await other.post('/admin/sign-in').type('form').send({ _csrf: csrf, token: 'wrong' })).status).toBe(401);
      const res = await other.post('/admin/sign-in').type('form').send({ _csrf: csrf, token: TOKEN_A });
      expect(res.status).toBe(429);
      expect(res.headers['retry-after']).toMatch(/^\d+$/);
      expect(res.text).toContain('Zu viele Versuche');
    } finally {
      await limited.close();
    }
  });

  it('sends pages without a session to the sign-in page', async () => {
    for (const page of ['/admin', '/admin/coverage', '/admin/deliveries', '/admin/audit']) {
      const res = await request(fixture.app).get(page);
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/admin/sign-in');
    }
    expect((await request(fixture.app).post('/admin/reload').type('form').send({})).status).toBe(303);
  });
});

describe('the session', () => {
  it('ends after the idle time, and each request moves the expiry on', async () => {
    const agent = await signIn(TOKEN_A);
    fixture.clock = new Date(fixture.clock.getTime() + (IDLE_MINUTES - 1) * 60_000);
    await agent.get('/admin').expect(200);
    fixture.clock = new Date(fixture.clock.getTime() + (IDLE_MINUTES - 1) * 60_000);
    await agent.get('/admin').expect(200);
    fixture.clock = new Date(fixture.clock.getTime() + (IDLE_MINUTES + 1) * 60_000);
    const res = await agent.get('/admin/coverage');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/admin/sign-in?expired=1');
    const page = await agent.get('/admin/sign-in?expired=1').expect(200);
    expect(page.text).toContain('Ihre Sitzung ist abgelaufen');
  });

  it('refuses every POST without the session\'s CSRF token (403) and does nothing', async () => {
    const agent = await signIn(TOKEN_A);
    const { jobId } = await deadTestJob(agent, 'a-gewerbeamt');
    for (const body of [{}, { _csrf: 'x'.repeat(43) }]) {
      const res = await agent.post(`/admin/deliveries/${jobId}/retry`).type('form').send(body);
      expect(res.status).toBe(403);
      expect(res.text).toContain('Formular abgelaufen');
    }
    expect((await fixture.store.deliveries.findJob(jobId))?.state).toBe('dead');
    expect((await agent.post('/admin/reload').type('form').send({})).status).toBe(403);
    expect((await agent.post('/admin/sign-out').type('form').send({})).status).toBe(403);
    // Another session's token does not do either.
    const other = await signIn(TOKEN_A);
    const foreign = await csrfFrom(other);
    expect((await agent.post(`/admin/deliveries/${jobId}/retry`).type('form').send({ _csrf: foreign })).status).toBe(403);
  });

  it('signs out: the session is deleted and the cookie cleared', async () => {
    const agent = await signIn(TOKEN_A);
    const res = await agent.post('/admin/sign-out').type('form').send({ _csrf: await csrfFrom(agent) });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/admin/sign-in?out=1');
    expect(res.headers['set-cookie']).toEqual(expect.arrayContaining([expect.stringMatching(/^efa_console=; Path=\/admin; HttpOnly; SameSite=Strict; Max-Age=0$/)]));
    expect((await agent.get('/admin/sign-in?out=1')).text).toContain('Sie sind abgemeldet.');
    expect((await agent.get('/admin')).status).toBe(303);
    const trail = await fixture.store.operatorAudit.list({ limit: 5 });
    expect(trail.map((e) => e.action)).toEqual(['sign-out', 'sign-in']);
  });

  it('ends when the token is taken out of the tenant file and the configuration reloaded', async () => {
    const operator = await signIn(TOKEN_A);
    const admin = await signIn(ADMIN_TOKEN);
    const file = path.join(fixture.tenantsDir, 'land-a.json');
    const tenant = JSON.parse(readFileSync(file, 'utf8')) as { operators: unknown[] };
    writeFileSync(file, JSON.stringify({ ...tenant, operators: [] }));
    await admin.post('/admin/reload').type('form').send({ _csrf: await csrfFrom(admin, '/admin/reload') }).expect(200);
    expect((await operator.get('/admin')).headers.location).toBe('/admin/sign-in?expired=1');
  });
});

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

describe('what operators do', () => {
  it('retries a dead job: pending again, a retry event, an audit entry', async () => {
    const a = await signIn(TOKEN_A);
    const { jobId, reference } = await deadTestJob(a, 'a-gewerbeamt');
    const list = await a.get('/admin/deliveries').expect(200);
    expect(list.text).toContain(jobId);
    const res = await a.post(`/admin/deliveries/${jobId}/retry`).type('form').send({ _csrf: csrfOf(list.text) });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/admin/deliveries/${jobId}?retried=1`);
    expect((await fixture.store.deliveries.findJob(jobId))?.state).toBe('pending');
    const job = await a.get(res.headers.location as string).expect(200);
    expect(job.text).toContain('Der Auftrag steht wieder in der Warteschlange.');
    const trail = await a.get(`/admin/submissions/${reference}`).expect(200);
    expect(trail.text).toContain('erneuter Versuch angefordert');
    // A second retry of the now pending job is refused readably.
    const again = await a.post(`/admin/deliveries/${jobId}/retry`).type('form').send({ _csrf: csrfOf(list.text) });
    expect(again.status).toBe(409);
    expect(again.text).toContain('wartend');
    const audit = await fixture.store.operatorAudit.list({ tenantId: 'land-a', limit: 2 });
    expect(audit.map((e) => `${e.action} ${e.target} ${e.outcome}`)).toEqual([`delivery.retry ${jobId} refused`, `delivery.retry ${jobId} ok`]);
  });

  it('a retry from the console is picked up by the worker and delivered', async () => {
    const a = await signIn(TOKEN_A);
    const { jobId, reference } = await deadTestJob(a, 'a-gewerbeamt');
    expect(fixture.receiver.requests).toHaveLength(1);
    const list = await a.get('/admin/deliveries').expect(200);
    await a.post(`/admin/deliveries/${jobId}/retry`).type('form').send({ _csrf: csrfOf(list.text) }).expect(303);
    fixture.container.worker.start();
    await fixture.receiver.waitFor((r) => r.length === 2);
    await waitUntil(async () => (await fixture.store.deliveries.findJob(jobId))?.state === 'delivered');
    const [, resent] = fixture.receiver.requests;
    expect(resent?.path).toBe('/a-gewerbeamt');
    expect(resent?.signatureValid).toBe(true);
    // Still a test: the retried job keeps its mark and its body.
    expect(resent?.headers['efa-test']).toBeDefined();
    expect(resent?.body).toBe(fixture.receiver.requests[0]?.body);
    const record = await fixture.store.submissions.find(reference);
    expect(record?.status).toBe('delivered');
    expect(record?.events.map((e) => e.type)).toEqual(['accepted', 'dead', 'retry_requested', 'delivered']);
    const trail = await a.get(`/admin/submissions/${reference}`).expect(200);
    expect(trail.text).toContain('erneuter Versuch angefordert');
    expect(trail.text).toMatch(/<td>zugestellt<\/td>/);
  });

  it('records a test delivery as a test and shows it as the authority\'s last successful test', async () => {
    const a = await signIn(TOKEN_A);
    const card = (html: string) => {
      const start = html.indexOf('<h3>Gewerbeamt Alpha</h3>');
      expect(start).toBeGreaterThan(-1);
      return html.slice(start, html.indexOf('</section>', start));
    };
    const factOf = (html: string, label: string) => new RegExp(`<dt>${label}</dt><dd>([^<]*)</dd>`).exec(card(html))?.[1];
    const before = await a.get('/admin/responsibilities').expect(200);
    expect(factOf(before.text, 'Letzte erfolgreiche Test-Zustellung')).toBe('noch nie');
    const csrf = await csrfFrom(a, '/admin/authorities/a-gewerbeamt');
    const res = await a.post('/admin/authorities/a-gewerbeamt/test-delivery').type('form').send({ _csrf: csrf }).expect(200);
    const reference = /class="con-id">([A-Z0-9-]+)<\/dd>/.exec(res.text)![1]!;
    const [job] = await fixture.store.deliveries.jobsOf(reference);
    expect(job).toMatchObject({ state: 'delivered', test: true, authorityId: 'a-gewerbeamt' });
    const record = await fixture.store.submissions.find(reference);
    expect(record?.test).toBe(true);
    const deliveredAt = record?.events.find((e) => e.type === 'delivered')?.at;
    expect(deliveredAt).toBeInstanceOf(Date);
    const after = await a.get('/admin/responsibilities').expect(200);
    expect(factOf(after.text, 'Letzte erfolgreiche Test-Zustellung')).toBe(formatLongDateTime(deliveredAt!, 'de'));
    // A test never counts as a real delivery.
    expect(factOf(after.text, 'Letzte echte Zustellung')).toBe('noch nie');
  });

  it('sends a test delivery over the authority\'s real channel and shows its outcome', async () => {
    const a = await signIn(TOKEN_A);
    const before = await a.get('/admin/responsibilities').expect(200);
    expect(before.text).toContain('Live, aber noch nie erfolgreich zugestellt');
    const csrf = await csrfFrom(a, '/admin/authorities/a-gewerbeamt');
    const res = await a.post('/admin/authorities/a-gewerbeamt/test-delivery').type('form').send({ _csrf: csrf }).expect(200);
    expect(res.text).toContain('zugestellt');
    const [received] = fixture.receiver.requests;
    expect(received?.path).toBe('/a-gewerbeamt');
    expect(received?.signatureValid).toBe(true);
    expect(received?.headers['efa-test']).toBeDefined();
    const after = await a.get('/admin/responsibilities').expect(200);
    expect(after.text).not.toContain('Live, aber noch nie erfolgreich zugestellt');
    // The trail of the test submission shows what happened, never the answers it carried.
    const reference = /class="con-id">([A-Z0-9-]+)<\/dd>/.exec(res.text)![1]!;
    const trail = await a.get(`/admin/submissions/${reference}`).expect(200);
    expect(trail.text).toContain('Test-Vorgang');
    expect(trail.text).not.toContain('Hans-Jürgen');
    expect(trail.text).not.toContain('Müller');
    const failed = await deadTestJob(a, 'a-gewerbeamt');
    const failedTrail = await a.get(`/admin/submissions/${failed.reference}`).expect(200);
    expect(failedTrail.text).toContain('Zustellung endgültig fehlgeschlagen');
  });

  it('shows coverage per form and district, counting only live responsibilities', async () => {
    const a = await signIn(TOKEN_A);
    const res = await a.get('/admin/coverage').expect(200);
    expect(res.text).toContain('Kreis Alpha-Nord');
    expect(res.text).toContain('Kreis Alpha-Süd');
    // Alpha-Nord is live (2 of 2); Alpha-Süd is planned and does not count: 2 of 3 in the state.
    expect(res.text).toContain('2 von 3');
    expect(res.text).toContain('2 von 2 (100 %)');
    const responsibilities = await a.get('/admin/responsibilities').expect(200);
    expect(responsibilities.text).toContain('geplant');
    expect(responsibilities.text).toContain('1. März 2027');
  });

  it('reloads, and shows a refused reload\'s problems one per line while the running set stays', async () => {
    const a = await signIn(TOKEN_A);
    const ok = await a.post('/admin/reload').type('form').send({ _csrf: await csrfFrom(a, '/admin/reload') });
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('Die Konfiguration wurde neu geladen.');
    const file = path.join(fixture.tenantsDir, 'land-a.json');
    const tenant = JSON.parse(readFileSync(file, 'utf8')) as { authorities: Array<{ serves: Array<{ forms: string[] }> }> };
    tenant.authorities[0]!.serves[0]!.forms = ['no-such-form'];
    writeFileSync(file, JSON.stringify(tenant));
    const running = fixture.current();
    const refused = await a.post('/admin/reload').type('form').send({ _csrf: await csrfFrom(a, '/admin/reload') });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('Das Neuladen wurde abgelehnt.');
    expect(refused.text).toMatch(/<li class="con-id">[^<]*land-a\.json: \/authorities\/0\/serves\/0\/forms\/0: form &quot;no-such-form&quot; is not loaded from FORMS_DIR<\/li>/);
    expect(fixture.current()).toBe(running);
    const audit = await fixture.store.operatorAudit.list({ limit: 2 });
    expect(audit.map((e) => `${e.action} ${e.outcome}`)).toEqual(['reload refused', 'reload ok']);
  });

  it('shows the operator audit trail, a tenant operator only its own tenant\'s entries', async () => {
    await signIn(TOKEN_B);
    const a = await signIn(TOKEN_A);
    const res = await a.get('/admin/audit').expect(200);
    expect(res.text).toContain('land-a/ops-alpha');
    expect(res.text).not.toContain('ops-bravo');
    const admin = await signIn(ADMIN_TOKEN);
    expect((await admin.get('/admin/audit')).text).toContain('land-b/ops-bravo');
  });

  it('switches to English and back, and stays on the page', async () => {
    const a = await signIn(TOKEN_A);
    const res = await a.get('/admin/coverage?lang=en');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/admin/coverage');
    const english = await a.get('/admin/coverage').expect(200);
    expect(english.text).toContain('<html lang="en">');
    expect(english.text).toContain('Online coverage');
    // Handlebars writes "=" in attributes as &#x3D;, which browsers read as "=".
    expect(english.text).toContain('href="/admin/coverage?lang&#x3D;de"');
  });
});
