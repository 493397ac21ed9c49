import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { consoleAgentHelpers } from '../support/console-agent';
import {
  ADMIN_TOKEN, csrfOf, IDLE_MINUTES, startConsoleFixture, TOKEN_A, type ConsoleFixture,
} from '../support/console-fixture';

/**
 * Signing in to the operator console under /admin in the real container (see
 * console-fixture.ts): sign-in through a form, the session cookie, CSRF on every POST, idle
 * expiry, sign-out, and a session ended by a reload that takes its token away.
 */

let fixture: ConsoleFixture;

beforeEach(async () => {
  fixture = await startConsoleFixture({ signInLimit: 20 });
});
afterEach(async () => {
  await fixture.close();
});

const { signIn, csrfFrom, deadTestJob } = consoleAgentHelpers(() => fixture);

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
  ])('refuses %s with the same page and no detail, logged but not written to the audit trail', async (label, fields) => {
    const agent = request.agent(fixture.app);
    const form = await agent.get('/admin/sign-in').expect(200);
    const res = await agent.post('/admin/sign-in').type('form').send({ _csrf: csrfOf(form.text), ...fields });
    expect(res.status).toBe(401);
    expect(res.text).toContain('Die Anmeldung ist fehlgeschlagen.');
    expect(res.headers['set-cookie'] ?? []).not.toEqual(expect.arrayContaining([expect.stringMatching(/^efa_console=[^;]/)]));
    expect((await agent.get('/admin')).status).toBe(303);
    // An unauthenticated client cannot fill the operator audit trail.
    expect(await fixture.store.operatorAudit.list({ limit: 10 })).toEqual([]);
    // The log keeps the reason's class only, never the token.
    const refused = fixture.logger.lines.filter((l) => l.event === 'console.sign_in_refused');
    expect(refused).toEqual([{ level: 'info', event: 'console.sign_in_refused', fields: { reason: label === 'a wrong token' ? 'unknown-token' : 'no-token' } }]);
    expect(JSON.stringify(fixture.logger.lines)).not.toContain('not-a-token');
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
      // The refused attempts were counted by the limiter, not written to the audit trail.
      expect(await limited.store.operatorAudit.list({ limit: 10 })).toEqual([]);
      expect(limited.logger.lines.filter((l) => l.event === 'console.sign_in_refused')).toHaveLength(2);
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
