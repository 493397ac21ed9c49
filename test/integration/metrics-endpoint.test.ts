import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import Database from 'better-sqlite3';
import express, { type Express } from 'express';
import request from 'supertest';
import { AppError } from '../../src/errors';
import { adminRouter } from '../../src/http/admin-router';
import { errorHandler } from '../../src/http/problem';
import { createMetrics, type Metrics } from '../../src/metrics/metrics';
import { listenMetrics, metricsApp, metricsRouter } from '../../src/http/metrics-router';
import type { Store } from '../../src/storage/ports';
import { SQLITE_MIGRATIONS } from '../../src/storage/sqlite/migrations';
import { openSqliteStore } from '../../src/storage/sqlite/sqlite-store';
import { createMemoryLogger } from '../../src/support/logger';
import { newReferenceNumber } from '../../src/submissions/reference-number';
import { sha256Hex } from '../../src/support/sha256';
import { tempDir } from '../support/temp-dir';
import { samplesOf, valueOf } from '../support/prometheus';
import { buildRoutingTable } from '../../src/routing/routing-table';
import { loadOperatorAccess } from '../../src/operators/operator-access';

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
  app.use(adminRouter({ deliveries: store.deliveries, submissions: store.submissions, adminTokenHash, now: () => new Date(), nudge: () => undefined, routing: buildRoutingTable([], new Set()), forms: { list: () => [] },
    access: loadOperatorAccess({ tenants: [], env: {}, adminTokenHash, production: false, logger }), audit: store.operatorAudit,
  }));
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
  // The clock of the metrics, moved past the stats cache where a test needs a fresh read.
  let offsetMs = 0;

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
    metrics = createMetrics({ formIds: ['hundesteuer-anmeldung'], deliveries: store.deliveries, now: () => new Date(Date.now() + offsetMs), logger: createMemoryLogger() });
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

  test('the gauges follow the queue once the stats cache (10 s by default) has run out', async () => {
    const [claimed] = await store.deliveries.claimDue({ now: new Date(), limit: 1, leaseMs: 60_000, owner: 'w1' });
    await store.deliveries.markFailed(claimed!.id, 'w1', { error: 'receiver answered HTTP 503', nextAttemptAt: new Date(Date.now() + 3_600_000), permanent: false, giveUpAfterMs: 3 * 86_400_000, at: new Date() });
    // Within the window of the scrape before: its numbers, without a new query.
    const cached = (await request(app).get('/metrics').set('authorization', `Bearer ${TOKEN}`)).text;
    expect(valueOf(cached, 'efa_delivery_jobs', { state: 'failed', channel: claimed!.channel })).toBe(0);
    expect(valueOf(cached, 'efa_delivery_jobs', { state: 'pending', channel: claimed!.channel })).toBe(1);

    offsetMs += 10_000;
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

test('delivered jobs of a database from before the delivered count are counted after the upgrade, and new ones on top', async () => {
  const dir = tempDir('efa-metrics-upgrade-');
  // The schema as it was before the migration that counts delivered jobs, with jobs in it.
  const before = SQLITE_MIGRATIONS.length - 1;
  const old = new Database(path.join(dir.path, 'efa-forms.sqlite'));
  SQLITE_MIGRATIONS.slice(0, before).forEach((sql, i) => {
    old.exec(sql);
    old.pragma(`user_version = ${i + 1}`);
  });
  old.prepare(`INSERT INTO submissions (id, token_hash, form_id, form_version, tenant_id, authority_id, region_ars, language, data_json, status, created_at)
               VALUES ('AAAA-BBBB-C', ?, 'f', '1.0.0', 't', 'a', '160510000000', 'de', '{}', 'accepted', 1)`).run('a'.repeat(64));
  const insert = old.prepare(`INSERT INTO delivery_jobs (id, submission_id, authority_id, channel, idempotency_key, content_type, body, state, attempts, next_attempt_at, created_at)
                              VALUES (?, 'AAAA-BBBB-C', 'a', ?, ?, 'application/xml', '<x/>', ?, 1, 5, 1)`);
  const jobs: [string, string][] = [['http', 'delivered'], ['http', 'delivered'], ['email', 'delivered'], ['inbox', 'delivered'], ['http', 'pending']];
  jobs.forEach(([channel, state], i) => insert.run(`j${i}`, channel, `k${i}`, state));
  old.close();

  const store = openSqliteStore(dir.path);
  try {
    let at = Date.now();
    const metrics = createMetrics({ formIds: [], deliveries: store.deliveries, statsMaxAgeMs: 0, now: () => new Date(at), logger: createMemoryLogger(), defaultMetrics: false });
    let text = await metrics.text();
    expect(valueOf(text, 'efa_delivery_jobs', { state: 'delivered', channel: 'http' })).toBe(2);
    expect(valueOf(text, 'efa_delivery_jobs', { state: 'delivered', channel: 'email' })).toBe(1);
    expect(valueOf(text, 'efa_delivery_jobs', { state: 'delivered', channel: 'inbox' })).toBe(1);
    expect(valueOf(text, 'efa_delivery_jobs', { state: 'delivered', channel: 'email-citizen' })).toBe(0);
    expect(valueOf(text, 'efa_delivery_jobs', { state: 'pending', channel: 'http' })).toBe(1);

    const [claimed] = await store.deliveries.claimDue({ now: new Date(at), limit: 1, leaseMs: 60_000, owner: 'w' });
    await store.deliveries.markDelivered(claimed!.id, new Date(at));
    at += 1;
    text = await metrics.text();
    expect(valueOf(text, 'efa_delivery_jobs', { state: 'delivered', channel: 'http' })).toBe(3);
    expect(valueOf(text, 'efa_delivery_jobs', { state: 'pending', channel: 'http' })).toBe(0);
    expect(valueOf(text, 'efa_delivery_oldest_due_job_age_seconds')).toBe(0);
  } finally {
    await store.close();
    dir.remove();
  }
});

describe('listenMetrics', () => {
  const timeouts = { headersTimeoutMs: 1000, requestTimeoutMs: 2000, keepAliveTimeoutMs: 500 };

  test('serves the metrics app with the given timeouts, not Node\'s defaults', async () => {
    const metrics = createMetrics({ formIds: [], now: () => new Date(), logger: createMemoryLogger(), defaultMetrics: false });
    const server = listenMetrics(metricsApp(metrics, createMemoryLogger()), 0, '127.0.0.1', timeouts);
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      expect(server.headersTimeout).toBe(1000);
      expect(server.requestTimeout).toBe(2000);
      expect(server.keepAliveTimeout).toBe(500);
      const { address, port } = server.address() as AddressInfo;
      expect(address).toBe('127.0.0.1');
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('efa_receipt_render_seconds');

      // A client that never finishes its headers is answered 408 and cut off within about 2 s
      // (the 1 s header timeout, checked every second), not after Node's 60 s.
      const started = Date.now();
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => socket.write('GET /metrics HTTP/1.1\r\nHost: x\r\n'));
        let received = '';
        socket.setEncoding('utf8');
        socket.on('data', (chunk: string) => {
          received += chunk;
        });
        socket.on('close', () => resolve(received));
        socket.on('error', reject);
      });
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
      expect(Date.now() - started).toBeLessThan(3500);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
