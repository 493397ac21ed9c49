import path from 'node:path';
import Database from 'better-sqlite3';
import express from 'express';
import request from 'supertest';
import type { Container } from '../../src/container';
import { healthRouter, type Readiness } from '../../src/http/health-router';
import { tempDir } from '../support/temp-dir';
import { sampleContainer } from '../support/test-setup';

/**
 * A store that does not answer in time: another process holds SQLite's write lock on the real
 * database file (as a stuck writer would). /readyz must still answer within its bound, say why,
 * and never block the process: the probe waits on a thread of its own.
 */
describe('/readyz while the database is locked', () => {
  const dir = tempDir('efa-lock-');
  let container: Container & { logger: Readiness['logger'] };
  let other: Database.Database;

  beforeAll(async () => {
    container = await sampleContainer(dir.path);
    other = new Database(path.join(dir.path, 'data', 'efa-forms.sqlite'));
  });
  afterAll(async () => {
    other.close();
    await container.close(1000);
    dir.remove();
  });

  const app = (options: Partial<Readiness> = {}) =>
    express().use(healthRouter({ readiness: { store: container.store, worker: undefined, workerStaleAfterMs: 1000, logger: container.logger, ...options } }));

  test('answers 503 "timed out" within its bound, "busy" when the lock outlasts the probe\'s wait, and ready once the lock is gone', async () => {
    other.exec('BEGIN IMMEDIATE');
    try {
      let started = Date.now();
      const [timedOut, live] = await Promise.all([request(app({ probeTimeoutMs: 200 })).get('/readyz'), request(app()).get('/healthz')]);
      expect({ status: timedOut.status, body: timedOut.body }).toEqual({ status: 503, body: { status: 'not-ready', checks: { store: 'unwritable: timed out', worker: 'not-run-here' } } });
      expect(Date.now() - started).toBeLessThan(700);
      // Liveness is not held up by the waiting probe.
      expect(live.status).toBe(200);

      started = Date.now();
      const busy = await request(app()).get('/readyz');
      expect({ status: busy.status, body: busy.body }).toEqual({ status: 503, body: { status: 'not-ready', checks: { store: 'unwritable: busy', worker: 'not-run-here' } } });
      expect(Date.now() - started).toBeLessThan(1300);
    } finally {
      other.exec('ROLLBACK');
    }
    const ready = await request(app()).get('/readyz');
    expect({ status: ready.status, body: ready.body }).toEqual({ status: 200, body: { status: 'ready', checks: { store: 'writable', worker: 'not-run-here' } } });
  });
});
