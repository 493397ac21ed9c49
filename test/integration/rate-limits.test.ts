import request from 'supertest';
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import type { Container } from '../../src/container';
import { buildContainer, example, SAMPLE_FORMS, writeSampleTenant } from '../support/test-setup';
import { tempDir } from '../support/temp-dir';

/** Issue 9, point 3: per-client limits on starting drafts, saving steps and submitting. */
describe('rate limits per client', () => {
  const dirs: Array<ReturnType<typeof tempDir>> = [];
  const containers: Container[] = [];

  async function container(extra: Record<string, string>): Promise<Container> {
    const dir = tempDir();
    dirs.push(dir);
    const tenants = path.join(dir.path, 'tenants');
    mkdirSync(tenants);
    const env = writeSampleTenant(tenants, 'http://127.0.0.1:9');
    const built = await buildContainer({ ...env, FORMS_DIR: SAMPLE_FORMS, TENANTS_DIR: tenants, DATA_DIR: path.join(dir.path, 'data'), ...extra });
    containers.push(built);
    return built;
  }
  afterAll(async () => {
    for (const c of containers) await c.close(1000);
    for (const d of dirs) d.remove();
  });

  const data = () => example('hundesteuer-anmeldung', 'valid-1');

  test('submissions over the limit get 429 problem+json with Retry-After, before the body is read', async () => {
    const c = await container({ RATE_LIMIT_SUBMISSIONS: '3', RATE_LIMIT_WINDOW_SECONDS: '120' });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await request(c.app).post('/api/forms/hundesteuer-anmeldung/submissions').send({ data: data() })).status);
    expect(statuses).toEqual([201, 201, 201]);
    const refused = await request(c.app).post('/api/forms/hundesteuer-anmeldung/submissions').set('accept-language', 'en').send({ data: data() });
    expect(refused.status).toBe(429);
    expect(refused.type).toBe('application/problem+json');
    expect(refused.body).toMatchObject({ status: 429, code: 'RATE_LIMITED', title: expect.stringContaining('Too many requests') });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(100);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(120);
  });

  test('without TRUSTED_PROXIES a client cannot escape the limit with X-Forwarded-For', async () => {
    const c = await container({ RATE_LIMIT_SUBMISSIONS: '1' });
    expect((await request(c.app).post('/api/forms/hundesteuer-anmeldung/submissions').set('x-forwarded-for', '203.0.113.1').send({ data: data() })).status).toBe(201);
    expect((await request(c.app).post('/api/forms/hundesteuer-anmeldung/submissions').set('x-forwarded-for', '203.0.113.2').send({ data: data() })).status).toBe(429);
  });

  test('behind a trusted proxy the forwarded address is the client', async () => {
    const c = await container({ RATE_LIMIT_SUBMISSIONS: '1', TRUSTED_PROXIES: 'loopback' });
    const send = (ip: string) => request(c.app).post('/api/forms/hundesteuer-anmeldung/submissions').set('x-forwarded-for', ip).send({ data: data() });
    expect((await send('203.0.113.1')).status).toBe(201);
    expect((await send('203.0.113.2')).status).toBe(201);
    expect((await send('203.0.113.1')).status).toBe(429);
  });

  test('starting drafts and saving steps on the pages: a readable 429 page with Retry-After', async () => {
    const c = await container({ RATE_LIMIT_DRAFTS: '2', RATE_LIMIT_STEPS: '1' });
    expect((await request(c.app).get('/forms/hundesteuer-anmeldung/start')).status).toBe(303);
    expect((await request(c.app).get('/forms/hundesteuer-anmeldung/start')).status).toBe(303);
    const refused = await request(c.app).get('/forms/hundesteuer-anmeldung/start');
    expect(refused.status).toBe(429);
    expect(refused.type).toBe('text/html');
    expect(refused.headers['retry-after']).toMatch(/^[0-9]+$/);
    expect(refused.text).toContain('Zu viele Anfragen');

    const started = await request(c.app).get('/forms/anwohnerparkausweis/start').set('x-forwarded-for', '1.2.3.4');
    expect(started.status).toBe(429); // the same client: drafts are used up; X-Forwarded-For is not believed
  });

  test('saving steps over the limit: a 429 page that says so', async () => {
    const c = await container({ RATE_LIMIT_STEPS: '1' });
    const agent = request.agent(c.app);
    const start = await agent.get('/forms/anwohnerparkausweis/start');
    const url = start.headers.location as string;
    const page = await agent.get(url);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
    const body = `_csrf=${encodeURIComponent(csrf)}&${encodeURIComponent('/anschrift/gemeinde')}=160510000000&_action=continue`;
    expect((await agent.post(url).type('form').send(body)).status).toBe(303);
    const refused = await agent.post(url).type('form').send(body);
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toMatch(/^[0-9]+$/);
    expect(refused.text).toContain('Zu viele Anfragen in kurzer Zeit');
  });
});
