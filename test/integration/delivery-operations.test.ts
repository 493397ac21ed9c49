import request from 'supertest';
import { sha256Hex } from '../../src/support/sha256';
import { submit, waitUntil, withReceiver } from '../support/channel-harness';
import { example } from '../support/test-setup';

const ADMIN_TOKEN = 'operator-token-for-tests-0123456789';

/** What the applicant and the operators see while a delivery struggles, and what operators can do. */
describe('delivery status and operators', () => {
  const ctx = withReceiver();
  const { harness } = ctx;

  const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

  test('the applicant sees accepted, then in progress while retrying, then delivered, with times and no error text', async () => {
    const c = await harness.start(ctx.receiver.url, {}, { ADMIN_TOKEN_HASH: sha256Hex(ADMIN_TOKEN) });
    let answering = false;
    ctx.receiver.respond = () => (answering ? 204 : { status: 503, headers: { 'retry-after': '0' } });
    const a = await submit(c, 'anwohnerparkausweis', example('anwohnerparkausweis', 'valid-1'));
    const first = await request(c.app).get(a.statusUrl);
    expect(first.body).toEqual({ id: a.id, status: 'accepted', events: [{ type: 'accepted', at: expect.any(String) as string }] });

    c.worker.start();
    await waitUntil(async () => (await c.store.deliveries.jobsOf(a.id)).some((j) => j.state === 'failed' && j.attempts >= 2));
    const retrying = await request(c.app).get(a.statusUrl);
    expect(retrying.body.status).toBe('in_progress');
    expect(JSON.stringify(retrying.body)).not.toMatch(/503|HTTP|receiver|failed/);

    answering = true;
    await waitUntil(async () => (await request(c.app).get(a.statusUrl)).body.status === 'delivered');
    const done = await request(c.app).get(a.statusUrl);
    expect(done.body.events.map((e: { type: string }) => e.type)).toEqual(['accepted', 'delivered']);
    for (const e of done.body.events as Array<{ at: string }>) expect(new Date(e.at).toISOString()).toBe(e.at);

    // Operators see the whole audit trail, without personal data.
    const trail = await request(c.app).get(`/api/admin/submissions/${a.id}`).set(admin);
    expect(trail.status).toBe(200);
    const types = (trail.body.events as Array<{ type: string }>).map((e) => e.type);
    expect(types[0]).toBe('accepted');
    expect(types).toContain('delivery_failed');
    expect(types.at(-1)).toBe('delivered');
    expect(trail.body.events[1].detail).toMatch(/^http, attempt 1: receiver answered HTTP 503$/);
    const data = example('anwohnerparkausweis', 'valid-1') as { antragsteller: { nachname: string } };
    expect(JSON.stringify(trail.body)).not.toContain(data.antragsteller.nachname);
  }, 30_000);

  test('operators list dead deliveries and retry one; it is then delivered', async () => {
    const c = await harness.start(ctx.receiver.url, {}, { ADMIN_TOKEN_HASH: sha256Hex(ADMIN_TOKEN) });
    ctx.receiver.respond = () => 400;
    c.worker.start();
    const a = await submit(c, 'gewerbeanmeldung', example('gewerbeanmeldung', 'valid-2'));
    await waitUntil(async () => (await c.store.deliveries.jobsOf(a.id)).some((j) => j.state === 'dead'));

    const dead = await request(c.app).get('/api/admin/deliveries?state=dead').set(admin);
    expect(dead.status).toBe(200);
    expect(dead.body.state).toBe('dead');
    expect(dead.body.items).toEqual([expect.objectContaining({
      submissionId: a.id, authorityId: 'stadt-jena-buergeramt', channel: 'http', state: 'dead', attempts: 1, lastError: 'receiver answered HTTP 400',
    })]);
    // The payload (personal data) is never part of the operators' view.
    expect(dead.body.items[0]).not.toHaveProperty('body');
    const jobId = dead.body.items[0].id as string;

    ctx.receiver.respond = () => 204;
    const retried = await request(c.app).post(`/api/admin/deliveries/${jobId}/retry`).set(admin);
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ id: jobId, state: 'pending' });
    await waitUntil(async () => (await c.store.submissions.find(a.id))?.status === 'delivered');
    expect(ctx.receiver.requests.filter((r) => r.path === '/stadt-jena-buergeramt')).toHaveLength(2);
    expect((await request(c.app).get('/api/admin/deliveries?state=dead').set(admin)).body.items).toEqual([]);

    const again = await request(c.app).post(`/api/admin/deliveries/${jobId}/retry`).set(admin);
    expect([again.status, again.body.code]).toEqual([409, 'DELIVERY_NOT_RETRYABLE']);
    const unknown = await request(c.app).post('/api/admin/deliveries/no-such-job/retry').set(admin);
    expect([unknown.status, unknown.body.code]).toEqual([404, 'DELIVERY_NOT_FOUND']);
    for (const query of ['state=lost', 'state=dead&limit=0', 'state=dead&limit=abc']) {
      const bad = await request(c.app).get(`/api/admin/deliveries?${query}`).set(admin);
      expect({ query, status: bad.status, code: bad.body.code }).toEqual({ query, status: 400, code: 'INVALID_PARAMETER' });
    }
    const trail = await request(c.app).get(`/api/admin/submissions/${a.id}`).set(admin);
    expect((trail.body.events as Array<{ type: string }>).map((e) => e.type)).toEqual(['accepted', 'dead', 'retry_requested', 'delivered']);
  }, 30_000);

  test('admin calls without the right token get 401, and with no ADMIN_TOKEN_HASH set every call does', async () => {
    const c = await harness.start(ctx.receiver.url, {}, { ADMIN_TOKEN_HASH: sha256Hex(ADMIN_TOKEN) });
    const calls = [
      ['get', '/api/admin/deliveries?state=dead'], ['post', '/api/admin/deliveries/x/retry'], ['get', '/api/admin/submissions/ABCD-EFGH-J'], ['get', '/api/admin/anything'],
    ] as const;
    for (const [method, url] of calls) {
      for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: `Bearer ${sha256Hex(ADMIN_TOKEN)}` }, { authorization: ADMIN_TOKEN }]) {
        const res = await request(c.app)[method](url).set(headers);
        expect({ url, headers, status: res.status, auth: res.headers['www-authenticate'] }).toEqual({ url, headers, status: 401, auth: 'Bearer' });
      }
    }
    await harness.close();
    const closed = await harness.start(ctx.receiver.url);
    const res = await request(closed.app).get('/api/admin/deliveries').set(admin);
    expect(res.status).toBe(401);
  });
});
