import { randomUUID } from 'node:crypto';
import express, { type Express } from 'express';
import request from 'supertest';
import { AppError } from '../../src/errors';
import { adminRouter } from '../../src/http/admin-router';
import { errorHandler } from '../../src/http/problem';
import { createMetrics, type Metrics } from '../../src/metrics/metrics';
import { metricsApp, metricsRouter } from '../../src/metrics/metrics-router';
import type { Store } from '../../src/storage/ports';
import { openSqliteStore } from '../../src/storage/sqlite/sqlite-store';
import { createMemoryLogger } from '../../src/support/logger';
import { newReferenceNumber } from '../../src/submissions/reference-number';
import { sha256Hex } from '../../src/support/sha256';
import { tempDir } from '../support/temp-dir';
import { samplesOf, valueOf } from '../support/prometheus';

const TOKEN = 'metrics-test-admin-token';
// A valid reference number (with its check character), as the service draws one.
const REFERENCE = newReferenceNumber();
const CREATED = new Date(Date.now() - 90_000);

/** The public app as production composes it: metrics middleware first, then the routers, 404, errors. */
function publicApp(store: Store, metrics: Metrics, adminTokenHash: string): Express {
  const logger = createMemoryLogger();
  const app = express();
  app.use(metrics.httpMiddleware());
  app.use(metricsRouter({ metrics, adminTokenHash }));
  app.use(adminRouter({ deliveries: store.deliveries, submissions: store.submissions, adminTokenHash, now: () => new Date(), nudge: () => undefined }));
  app.use((req, _res, next) => {
    next(new AppError('NOT_FOUND', `no route ${req.method}`));
  });
  app.use(errorHandler(logger));
  return app;
}

describe('GET /metrics', () => {
  const dir = tempDir();
  let store: Store;
  let metrics: Metrics;
  let app: Express;

  beforeAll(async () => {
    store = openSqliteStore(dir.path);
    await store.submissions.create(
      {
        id: REFERENCE, tokenHash: 'a'.repeat(64), formId: 'hundesteuer-anmeldung', formVersion: '1.0.0', tenantId: 'thueringen',
        authorityId: 'stadt-erfurt', regionArs: '160510000000', language: 'de', dataJson: JSON.stringify({ name: 'Łukasz Żółć' }),
        payloadXml: '<submission/>', createdAt: CREATED,
      },
      [
        { id: randomUUID(), submissionId: REFERENCE, authorityId: 'stadt-erfurt', channel: 'http', idempotencyKey: randomUUID(), contentType: 'application/xml', body: '<submission/>' },
        { id: randomUUID(), submissionId: REFERENCE, authorityId: 'stadt-erfurt', channel: 'email-citizen', idempotencyKey: randomUUID(), contentType: 'message/rfc822', body: '' },
      ],
    );
    metrics = createMetrics({ formIds: ['hundesteuer-anmeldung'], deliveries: store.deliveries, now: () => new Date(), logger: createMemoryLogger() });
    app = publicApp(store, metrics, sha256Hex(TOKEN));
  });
  afterAll(async () => {
    await store.close();
    dir.remove();
  });

  test('without a token or with a wrong one: 401 problem+json', async () => {
    for (const auth of [undefined, 'Bearer wrong-token', `Basic ${TOKEN}`]) {
      const req = request(app).get('/metrics');
      if (auth) req.set('authorization', auth);
      const res = await req;
      expect(res.status).toBe(401);
      expect(res.type).toBe('application/problem+json');
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(JSON.parse(res.text)).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
      expect(res.text).not.toContain('efa_');
    }
  });

  test('with the admin token: the exposition with the queue from the store and route patterns', async () => {
    const lookup = await request(app).get(`/api/admin/submissions/${REFERENCE}`).set('authorization', `Bearer ${TOKEN}`);
    expect(lookup.status).toBe(200);

    const res = await request(app).get('/metrics').set('authorization', `Bearer ${TOKEN}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.headers['cache-control']).toBe('no-store');
    const text = res.text;

    expect(valueOf(text, 'efa_delivery_jobs', { state: 'pending', channel: 'http' })).toBe(1);
    expect(valueOf(text, 'efa_delivery_jobs', { state: 'pending', channel: 'email-citizen' })).toBe(1);
    expect(valueOf(text, 'efa_delivery_jobs', { state: 'dead', channel: 'http' })).toBe(0);
    const age = valueOf(text, 'efa_delivery_oldest_due_job_age_seconds');
    expect(age).toBeGreaterThanOrEqual(90);
    expect(age).toBeLessThan(150);
    expect(valueOf(text, 'efa_delivery_stats_up')).toBe(1);

    expect(valueOf(text, 'efa_http_requests_total', { method: 'GET', route: '/api/admin/submissions/:id', status: '200' })).toBe(1);
    // The refused scrapes of the test before are counted under their route too.
    expect(valueOf(text, 'efa_http_requests_total', { method: 'GET', route: '/metrics', status: '401' })).toBe(3);
    expect(samplesOf(text, 'nodejs_eventloop_lag_seconds')).toHaveLength(1);
    for (const secret of [REFERENCE, TOKEN, 'Łukasz', 'stadt-erfurt']) expect(text).not.toContain(secret);
  });

  test('the gauges follow the queue at every scrape', async () => {
    const [claimed] = await store.deliveries.claimDue({ now: new Date(), limit: 1, leaseMs: 60_000, owner: 'w1' });
    await store.deliveries.markFailed(claimed!.id, 'w1', { error: 'receiver answered HTTP 503', nextAttemptAt: new Date(Date.now() + 3_600_000), permanent: false, giveUpAfterMs: 3 * 86_400_000, at: new Date() });
    const text = (await request(app).get('/metrics').set('authorization', `Bearer ${TOKEN}`)).text;
    expect(valueOf(text, 'efa_delivery_jobs', { state: 'failed', channel: claimed!.channel })).toBe(1);
    expect(valueOf(text, 'efa_delivery_jobs', { state: 'pending', channel: claimed!.channel })).toBe(0);
    expect(text).not.toContain('receiver answered');
  });

  test('without an admin token hash the endpoint is off on the public app (404)', async () => {
    const closed = publicApp(store, metrics, '');
    for (const auth of [undefined, `Bearer ${TOKEN}`, 'Bearer ']) {
      const req = request(closed).get('/metrics');
      if (auth) req.set('authorization', auth);
      const res = await req;
      expect(res.status).toBe(404);
      expect(res.type).toBe('application/problem+json');
    }
  });

  test('metricsApp serves /metrics without a token, for a port of its own, and nothing else', async () => {
    const own = metricsApp(metrics, createMemoryLogger());
    const res = await request(own).get('/metrics');
    expect(res.status).toBe(200);
    // The job the test before failed (whichever of the two was claimed).
    expect(samplesOf(res.text, 'efa_delivery_jobs', { state: 'failed' }).reduce((sum, s) => sum + s.value, 0)).toBe(1);
    expect(res.headers['x-powered-by']).toBeUndefined();
    const other = await request(own).get('/api/admin/deliveries');
    expect(other.status).toBe(404);
    expect(other.type).toBe('application/problem+json');
  });
});
