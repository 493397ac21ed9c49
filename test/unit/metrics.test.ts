import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { Router } from 'express';
import request from 'supertest';
import { createMetrics } from '../../src/metrics/metrics';
import { openSqliteStore } from '../../src/storage/sqlite/sqlite-store';
import { createMemoryLogger } from '../../src/support/logger';
import { tempDir } from '../support/temp-dir';
import { parseExposition, samplesOf, valueOf } from '../support/prometheus';

const now = () => new Date('2026-11-28T10:00:00Z');
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
