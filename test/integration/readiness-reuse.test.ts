import express from 'express';
import request from 'supertest';
import { healthRouter } from '../../src/http/health-router';
import { sampleContainer } from '../support/test-setup';
import { tempDir } from '../support/temp-dir';

/** /readyz is public: asking it in a loop must not turn into a loop of fsync'd writes. */
describe('/readyz reuses a fresh probe', () => {
  const dir = tempDir();
  let container: Awaited<ReturnType<typeof sampleContainer>>;

  beforeAll(async () => {
    container = await sampleContainer(dir.path);
  });
  afterAll(async () => {
    await container.close(1000);
    dir.remove();
  });

  test('50 requests within the reuse time cost one write; after it, a new one', async () => {
    let writes = 0;
    // Counts the real probes of the real store.
    const store = { probeWritable: (now: Date) => { writes++; return container.store.probeWritable(now); } };
    const app = express().use(healthRouter({ readiness: { store, worker: undefined, workerStaleAfterMs: 1000, probeReuseMs: 1500, logger: container.logger } }));
    const answers = await Promise.all(Array.from({ length: 50 }, () => request(app).get('/readyz')));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(writes).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 1600));
    expect((await request(app).get('/readyz')).status).toBe(200);
    expect(writes).toBe(2);
  });
});
