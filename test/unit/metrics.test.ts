import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { Router } from 'express';
import request from 'supertest';
import { randomUUID } from 'node:crypto';
import { createMetrics } from '../../src/metrics/metrics';
import type { DeliveryQueue, Store } from '../../src/storage/ports';
import { openSqliteStore } from '../../src/storage/sqlite/sqlite-store';
import { createMemoryLogger } from '../../src/support/logger';
import { tempDir } from '../support/temp-dir';
import { parseExposition, samplesOf, valueOf } from '../support/prometheus';

const now = () => new Date('2026-11-28T10:00:00Z');
/** A clock the test moves. */
function clock(start = now()) {
  let t = start.getTime();
  return { now: () => new Date(t), advance: (ms: number) => { t += ms; } };
}

/** The store's real stats(), with every call (and its time) recorded. */
function counted(deliveries: () => Pick<DeliveryQueue, 'stats'>) {
  const calls: Date[] = [];
  return {
    calls,
    deliveries: {
      stats(at: Date) {
        calls.push(at);
        return deliveries().stats(at);
      },
    },
  };
}

/** One pending http job for a new submission. */
async function addJob(store: Store): Promise<void> {
  const id = `TEST-${randomUUID().slice(0, 8)}`;
  await store.submissions.create(
    {
      id, tokenHash: 'a'.repeat(64), formId: 'hundesteuer-anmeldung', formVersion: '1.0.0', tenantId: 'thueringen', authorityId: 'stadt-erfurt',
      regionArs: '160510000000', language: 'de', dataJson: '{}', payloadXml: '<submission/>', createdAt: now(),
    },
    [{ id: randomUUID(), submissionId: id, authorityId: 'stadt-erfurt', channel: 'http', idempotencyKey: randomUUID(), contentType: 'application/xml', body: '<submission/>' }],
  );
}

const bare = () => createMetrics({ formIds: ['hundesteuer-anmeldung'], now, logger: createMemoryLogger(), defaultMetrics: false });

describe('metrics', () => {
  test('requests are labelled with the route pattern, never the raw path', async () => {
    const metrics = bare();
    const app = express();
    app.use(metrics.httpMiddleware());
    app.post('/api/forms/:id/submissions', (_req, res) => {
      res.status(201).json({});
    });
    const mounted = Router();
    mounted.get('/resume/:token', (_req, res) => {
      res.status(204).end();
    });
    app.use('/forms', mounted);

    await request(app).post('/api/forms/gewerbeanmeldung/submissions').expect(201);
    await request(app).post('/api/forms/gewerbeanmeldung/submissions').expect(201);
    await request(app).get('/forms/resume/SECRET-RESUME-TOKEN').expect(204);
    await request(app).get('/api/submissions/K7M3-Q9XD-P').expect(404);

    const text = await metrics.text();
    expect(valueOf(text, 'efa_http_requests_total', { method: 'POST', route: '/api/forms/:id/submissions', status: '201' })).toBe(2);
    expect(valueOf(text, 'efa_http_request_duration_seconds_count', { method: 'POST', route: '/api/forms/:id/submissions', status: '201' })).toBe(2);
    // A router mounted on a path: its mount point and the route's pattern.
    expect(valueOf(text, 'efa_http_requests_total', { method: 'GET', route: '/forms/resume/:token', status: '204' })).toBe(1);
    expect(valueOf(text, 'efa_http_requests_total', { method: 'GET', route: 'unmatched', status: '404' })).toBe(1);
    for (const raw of ['gewerbeanmeldung', 'SECRET-RESUME-TOKEN', 'K7M3-Q9XD-P']) expect(text).not.toContain(raw);
  });

  test('a method outside the known set is labelled other', async () => {
    const metrics = bare();
    const app = express();
    app.use(metrics.httpMiddleware());
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const status = await new Promise<number | undefined>((resolve, reject) => {
        httpRequest({ host: '127.0.0.1', port, method: 'PROPFIND', path: '/x' }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode));
        }).on('error', reject).end();
      });
      expect(status).toBe(404);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    const text = await metrics.text();
    expect(valueOf(text, 'efa_http_requests_total', { method: 'other', route: 'unmatched', status: '404' })).toBe(1);
    expect(text).not.toContain('PROPFIND');
  });

  test('the route label set is capped, so it cannot grow without bound', async () => {
    const metrics = bare();
    const app = express();
    app.use(metrics.httpMiddleware());
    for (let i = 0; i < 105; i += 1) {
      app.get(`/r${i}/:x`, (_req, res) => {
        res.status(204).end();
      });
    }
    for (let i = 0; i < 105; i += 1) await request(app).get(`/r${i}/value-${i}`).expect(204);
    const routes = new Set(samplesOf(await metrics.text(), 'efa_http_requests_total').map((s) => s.labels.route));
    expect(routes.size).toBe(101);
    expect(routes.has('other')).toBe(true);
    expect(routes.has('/r0/:x')).toBe(true);
  });

  test('submissions by known form and outcome; an unknown form id becomes unknown', async () => {
    const metrics = bare();
    // Known forms start at zero, so rates work before the first submission.
    expect(valueOf(await metrics.text(), 'efa_submissions_total', { form: 'hundesteuer-anmeldung', outcome: 'accepted' })).toBe(0);
    metrics.submissionAccepted('hundesteuer-anmeldung');
    metrics.submissionRefused('hundesteuer-anmeldung', 'VALIDATION_FAILED');
    metrics.submissionRefused('<script>x</script>-Łukasz', 'FORM_NOT_FOUND');
    const text = await metrics.text();
    expect(valueOf(text, 'efa_submissions_total', { form: 'hundesteuer-anmeldung', outcome: 'accepted' })).toBe(1);
    expect(valueOf(text, 'efa_submissions_total', { form: 'hundesteuer-anmeldung', outcome: 'refused' })).toBe(1);
    expect(valueOf(text, 'efa_submissions_total', { form: 'unknown', outcome: 'refused' })).toBe(1);
    expect(valueOf(text, 'efa_submission_refusals_total', { form: 'hundesteuer-anmeldung', code: 'VALIDATION_FAILED' })).toBe(1);
    expect(valueOf(text, 'efa_submission_refusals_total', { form: 'unknown', code: 'FORM_NOT_FOUND' })).toBe(1);
    expect(text).not.toContain('script');
    expect(text).not.toContain('Łukasz');
  });

  test('delivery attempts by channel and outcome, with their duration; receipt render time', async () => {
    const metrics = bare();
    metrics.deliveryAttempt('http', 'delivered', 0.2);
    metrics.deliveryAttempt('http', 'failed', 3);
    metrics.deliveryAttempt('email', 'dead', 0.5);
    metrics.receiptRendered(0.004);
    metrics.receiptRendered(0.006);
    const text = await metrics.text();
    expect(valueOf(text, 'efa_delivery_attempts_total', { channel: 'http', outcome: 'delivered' })).toBe(1);
    expect(valueOf(text, 'efa_delivery_attempts_total', { channel: 'http', outcome: 'failed' })).toBe(1);
    expect(valueOf(text, 'efa_delivery_attempts_total', { channel: 'email', outcome: 'dead' })).toBe(1);
    expect(valueOf(text, 'efa_delivery_attempts_total', { channel: 'email-citizen', outcome: 'delivered' })).toBe(0);
    // The worker never sends inbox jobs.
    expect(samplesOf(text, 'efa_delivery_attempts_total', { channel: 'inbox' })).toEqual([]);
    expect(valueOf(text, 'efa_delivery_attempt_duration_seconds_count', { channel: 'http' })).toBe(2);
    expect(valueOf(text, 'efa_delivery_attempt_duration_seconds_sum', { channel: 'http' })).toBeCloseTo(3.2);
    expect(valueOf(text, 'efa_delivery_attempt_duration_seconds_bucket', { channel: 'http', le: '0.25' })).toBe(1);
    expect(valueOf(text, 'efa_receipt_render_seconds_count')).toBe(2);
    expect(valueOf(text, 'efa_receipt_render_seconds_sum')).toBeCloseTo(0.01);
    expect(valueOf(text, 'efa_receipt_render_seconds_bucket', { le: '0.005' })).toBe(1);
  });

  test('a store that fails does not fail the scrape: job gauges are left out, stats_up is 0, the error is logged', async () => {
    const dir = tempDir();
    const store = openSqliteStore(dir.path);
    await store.close(); // a real store whose every query now fails
    const logger = createMemoryLogger();
    const metrics = createMetrics({ formIds: [], deliveries: store.deliveries, now, logger, defaultMetrics: false });
    metrics.deliveryAttempt('http', 'delivered', 0.1);
    const text = await metrics.text();
    dir.remove();
    expect(valueOf(text, 'efa_delivery_attempts_total', { channel: 'http', outcome: 'delivered' })).toBe(1);
    expect(valueOf(text, 'efa_delivery_stats_up')).toBe(0);
    expect(samplesOf(text, 'efa_delivery_jobs')).toEqual([]);
    expect(samplesOf(text, 'efa_delivery_oldest_due_job_age_seconds')).toEqual([]);
    expect(text).toContain('# TYPE efa_delivery_jobs gauge');
    // One stats() call per scrape, shared by the three gauges.
    expect(logger.lines.filter((l) => l.event === 'metrics.delivery_stats_failed')).toEqual([
      { level: 'error', event: 'metrics.delivery_stats_failed', fields: { error: expect.stringContaining('not open') } },
    ]);
  });

  test('a working store: every state and channel is present, zero where empty', async () => {
    const dir = tempDir();
    const store = openSqliteStore(dir.path);
    try {
      const metrics = createMetrics({ formIds: [], deliveries: store.deliveries, now, logger: createMemoryLogger(), defaultMetrics: false });
      const text = await metrics.text();
      expect(samplesOf(text, 'efa_delivery_jobs')).toHaveLength(5 * 4);
      expect(samplesOf(text, 'efa_delivery_jobs').every((s) => s.value === 0)).toBe(true);
      expect(valueOf(text, 'efa_delivery_oldest_due_job_age_seconds')).toBe(0);
      expect(valueOf(text, 'efa_delivery_stats_up')).toBe(1);
    } finally {
      await store.close();
      dir.remove();
    }
  });

  describe('the job gauges are read at most once per statsMaxAgeMs', () => {
    const dir = tempDir();
    let store: Store;
    beforeEach(() => {
      store = openSqliteStore(dir.path);
    });
    afterEach(async () => {
      await store.close();
    });
    afterAll(() => {
      dir.remove();
    });

    test('scrapes within the window share one read; the first after it reads again', async () => {
      const t = clock();
      const spy = counted(() => store.deliveries);
      const metrics = createMetrics({ formIds: [], deliveries: spy.deliveries, statsMaxAgeMs: 10_000, now: t.now, logger: createMemoryLogger(), defaultMetrics: false });
      const pendingHttp = async () => valueOf(await metrics.text(), 'efa_delivery_jobs', { state: 'pending', channel: 'http' });
      const before = await pendingHttp();

      await addJob(store);
      t.advance(9_999);
      // Still the first read: the new job is not counted yet.
      expect(await pendingHttp()).toBe(before);
      expect(spy.calls).toHaveLength(1);

      t.advance(1);
      expect(await pendingHttp()).toBe(before + 1);
      expect(spy.calls).toEqual([now(), new Date(now().getTime() + 10_000)]);
      // The window starts again with that read.
      await addJob(store);
      t.advance(5_000);
      expect(await pendingHttp()).toBe(before + 1);
      expect(spy.calls).toHaveLength(2);
    });

    test('concurrent scrapes share the read in flight; with 0 every scrape reads', async () => {
      const spy = counted(() => store.deliveries);
      const metrics = createMetrics({ formIds: [], deliveries: spy.deliveries, statsMaxAgeMs: 0, now, logger: createMemoryLogger(), defaultMetrics: false });
      const texts = await Promise.all([metrics.text(), metrics.text(), metrics.text()]);
      expect(spy.calls).toHaveLength(1);
      for (const text of texts) expect(valueOf(text, 'efa_delivery_stats_up')).toBe(1);
      await addJob(store);
      const pending = valueOf(texts[0], 'efa_delivery_jobs', { state: 'pending', channel: 'http' });
      expect(valueOf(await metrics.text(), 'efa_delivery_jobs', { state: 'pending', channel: 'http' })).toBe(pending + 1);
      expect(spy.calls).toHaveLength(2);
    });

    test('a clock that went back does not make the last read fresh for longer', async () => {
      const t = clock();
      const spy = counted(() => store.deliveries);
      const metrics = createMetrics({ formIds: [], deliveries: spy.deliveries, now: t.now, logger: createMemoryLogger(), defaultMetrics: false });
      await metrics.text();
      t.advance(-60_000);
      await metrics.text();
      expect(spy.calls).toHaveLength(2);
    });

    test('a failed read is shared within the window too, and the first scrape after it reads again', async () => {
      const t = clock();
      const logger = createMemoryLogger();
      await store.close(); // every query of this store now fails
      const spy = counted(() => store.deliveries);
      const metrics = createMetrics({ formIds: [], deliveries: spy.deliveries, statsMaxAgeMs: 10_000, now: t.now, logger, defaultMetrics: false });
      expect(valueOf(await metrics.text(), 'efa_delivery_stats_up')).toBe(0);
      store = openSqliteStore(dir.path); // the store works again
      t.advance(9_000);
      const stillFailed = await metrics.text();
      expect(valueOf(stillFailed, 'efa_delivery_stats_up')).toBe(0);
      expect(samplesOf(stillFailed, 'efa_delivery_jobs')).toEqual([]);
      expect(spy.calls).toHaveLength(1);

      t.advance(1_000);
      const recovered = await metrics.text();
      expect(spy.calls).toHaveLength(2);
      expect(valueOf(recovered, 'efa_delivery_stats_up')).toBe(1);
      expect(samplesOf(recovered, 'efa_delivery_jobs')).toHaveLength(5 * 4);
      // Logged once, for the one failed read, not for every scrape.
      expect(logger.lines.filter((l) => l.event === 'metrics.delivery_stats_failed')).toHaveLength(1);
    });

    test('a negative or non-finite statsMaxAgeMs is refused', () => {
      for (const statsMaxAgeMs of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
        expect(() => createMetrics({ formIds: [], deliveries: store.deliveries, statsMaxAgeMs, now, logger: createMemoryLogger(), defaultMetrics: false })).toThrow(RangeError);
      }
    });
  });

  test('two instances in one process keep their own registries; Node metrics include event-loop lag', async () => {
    const logger = createMemoryLogger();
    const a = createMetrics({ formIds: [], now, logger });
    const b = createMetrics({ formIds: [], now, logger });
    a.receiptRendered(0.01);
    const [textA, textB] = await Promise.all([a.text(), b.text()]);
    expect(valueOf(textA, 'efa_receipt_render_seconds_count')).toBe(1);
    expect(valueOf(textB, 'efa_receipt_render_seconds_count')).toBe(0);
    expect(samplesOf(textA, 'nodejs_eventloop_lag_seconds')).toHaveLength(1);
    expect(a.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    // Every line parses, so Prometheus can read it.
    expect(parseExposition(textB).length).toBeGreaterThan(10);
  });
});
