import { randomUUID } from 'node:crypto';
import { DeliveryWorker } from '../../src/delivery/delivery-worker';
import type { DeliveryJob, Store } from '../../src/storage/ports';
import { openSqliteStore } from '../../src/storage/sqlite/sqlite-store';
import { createMemoryLogger } from '../../src/support/logger';
import { tempDir } from '../support/temp-dir';

/** One submission with one job on `channel`, in the real store. */
function createWithJob(store: Store, id: string, channel: DeliveryJob['channel'], contentType: string, body: string): Promise<void> {
  return store.submissions.create(
    { id, tokenHash: 'a'.repeat(64), formId: 'f', formVersion: '1.0.0', tenantId: 't', authorityId: 'a', regionArs: '160510000000', language: 'de', dataJson: '{}', payloadXml: '<x/>', createdAt: new Date() },
    [{ id: randomUUID(), submissionId: id, authorityId: 'a', channel, idempotencyKey: randomUUID(), contentType, body }],
  );
}

/** The worker against a real SQLite store, with channels that misbehave. */
describe('delivery worker', () => {
  test('an attempt that never finishes is ended by the timeout and retried', async () => {
    const dir = tempDir();
    const store = openSqliteStore(dir.path);
    const id = 'TEST-HANG-1';
    await createWithJob(store, id, 'email-citizen', 'message/rfc822', '');
    let calls = 0;
    const send = (): Promise<{ ok: true; status: number }> => {
      calls += 1;
      // Hangs on the first two attempts (e.g. an SMTP server that accepts and never answers).
      return calls <= 2 ? new Promise<never>(() => undefined) : Promise.resolve({ ok: true as const, status: 250 });
    };
    const worker = new DeliveryWorker({
      queue: store.deliveries, send, logger: createMemoryLogger(), now: () => new Date(), random: () => 0.5,
      retryPolicy: { baseDelayMs: 10, maxDelayMs: 50 }, ownerId: 'w1', pollIntervalMs: 20, concurrency: 4, timeoutMs: 100, giveUpAfterMs: 3_600_000,
    });
    worker.start();
    const deadline = Date.now() + 10_000;
    while ((await store.deliveries.jobsOf(id))[0]?.state !== 'delivered') {
      if (Date.now() > deadline) throw new Error('not delivered');
      await new Promise((r) => setTimeout(r, 20));
    }
    await worker.stop(500);
    const [job] = await store.deliveries.jobsOf(id);
    expect(job?.attempts).toBe(3);
    expect(calls).toBe(3);
    await store.close();
    dir.remove();
  });

  test('an attempt the stop gave up on keeps its lease: its failure afterwards is not recorded, so no other process gets the job before the lease runs out', async () => {
    const dir = tempDir();
    const store = openSqliteStore(dir.path);
    const id = 'TEST-ABANDONED-1';
    await createWithJob(store, id, 'http', 'application/xml', '<x/>');
    // The receiver has the request and answers only when the test says so: with a failure.
    let started: () => void = () => undefined;
    const sending = new Promise<void>((resolve) => {
      started = resolve;
    });
    let fail: () => void = () => undefined;
    const send = (): Promise<{ ok: false; error: string }> => new Promise((resolve) => {
      started();
      fail = () => resolve({ ok: false, error: 'HTTP 503' });
    });
    const logger = createMemoryLogger();
    const worker = new DeliveryWorker({
      queue: store.deliveries, send, logger, now: () => new Date(), random: () => 0.5,
      retryPolicy: { baseDelayMs: 10, maxDelayMs: 50 }, ownerId: 'w1', pollIntervalMs: 20, concurrency: 4, timeoutMs: 60_000, giveUpAfterMs: 3_600_000,
    });
    worker.start();
    await sending;
    await worker.stop(50); // gives up waiting: the attempt is still under way
    fail();
    // The failure is logged as abandoned once the attempt has ended; the job stays leased.
    const deadline = Date.now() + 10_000;
    while (!logger.lines.some((e) => e.event === 'delivery.abandoned')) {
      if (Date.now() > deadline) throw new Error('no delivery.abandoned');
      await new Promise((r) => setTimeout(r, 10));
    }
    const [job] = await store.deliveries.jobsOf(id);
    expect([job?.state, job?.attempts]).toEqual(['in_flight', 1]);
    expect(await store.deliveries.claimDue({ now: new Date(), limit: 10, leaseMs: 60_000, owner: 'w2' })).toEqual([]);
    await store.close();
    dir.remove();
  });

  test('a channel that throws is a failed attempt: backoff, audit event and give-up apply', async () => {
    const dir = tempDir();
    const store = openSqliteStore(dir.path);
    const id = 'TEST-THROW-1';
    await createWithJob(store, id, 'email', 'application/xml', '<x/>');
    // Throws with a message that could quote data; only its class may be kept.
    const send = (): Promise<never> => Promise.reject(new TypeError('cannot read Łukasz Żółć'));
    const worker = new DeliveryWorker({
      queue: store.deliveries, send, logger: createMemoryLogger(), now: () => new Date(), random: () => 0.5,
      // Give up after 150 ms: the job must end dead, not be re-leased forever.
      retryPolicy: { baseDelayMs: 20, maxDelayMs: 40 }, ownerId: 'w1', pollIntervalMs: 10, concurrency: 1, timeoutMs: 1000, giveUpAfterMs: 150,
    });
    worker.start();
    const deadline = Date.now() + 10_000;
    while ((await store.deliveries.jobsOf(id))[0]?.state !== 'dead') {
      if (Date.now() > deadline) throw new Error('never given up');
      await new Promise((r) => setTimeout(r, 20));
    }
    await worker.stop(500);
    const [job] = await store.deliveries.jobsOf(id);
    expect(job?.lastError).toBe('channel error: TypeError');
    expect(job?.attempts).toBeGreaterThan(1);
    const events = (await store.submissions.find(id))!.events;
    expect(events[1]).toMatchObject({ type: 'delivery_failed', detail: 'email, attempt 1: channel error: TypeError' });
    expect(events.at(-1)?.type).toBe('dead');
    expect(JSON.stringify(events)).not.toContain('Łukasz');
    await store.close();
    dir.remove();
  });
});
