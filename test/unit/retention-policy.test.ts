import { retentionDaysOf, retentionPolicy } from '../../src/retention/retention-policy';
import { RetentionCleanup } from '../../src/retention/retention-cleanup';
import { openSqliteStore } from '../../src/storage/sqlite/sqlite-store';
import type { Store } from '../../src/storage/ports';
import { createMemoryLogger } from '../../src/support/logger';
import { tempDir } from '../support/temp-dir';
import { waitUntil } from '../support/channel-harness';

const form = (id: string, retentionDays?: number) => ({ definition: retentionDays === undefined ? { id } : { id, retentionDays } });

describe('the retention policy', () => {
  test('a form\'s own days win over the default; forms without them (and unknown ones) get the default', () => {
    const policy = retentionPolicy(30, [form('a', 5), form('b'), form('c', 0), form('d', 30)]);
    expect(policy).toEqual({ defaultDays: 30, daysByForm: new Map([['a', 5], ['c', 0]]) });
    expect(['a', 'b', 'c', 'd', 'removed'].map((id) => retentionDaysOf(policy, id))).toEqual([5, 30, 0, 30, 30]);
  });
});

describe('the retention clean-up (on a real SQLite store)', () => {
  const DAY = 24 * 3600 * 1000;
  const T0 = new Date('2026-11-28T10:00:00.000Z');
  // After every submission was made (a delivery never comes before its submission).
  const DELIVERED = new Date(T0.getTime() + 1000);
  let dir: ReturnType<typeof tempDir>;
  let store: Store;

  beforeEach(() => {
    dir = tempDir('efa-retention-unit-');
    store = openSqliteStore(dir.path);
  });
  afterEach(async () => {
    await store.close();
    dir.remove();
  });

  async function deliveredSubmissions(n: number, formId: string): Promise<void> {
    for (let i = 0; i < n; i++) {
      const id = `${formId}-${i}`;
      await store.submissions.create({
        id, tokenHash: 'a'.repeat(64), formId, formVersion: '1.0.0', tenantId: 't', authorityId: 'a', regionArs: '160510000000',
        language: 'de', dataJson: '{"name":"Erika"}', payloadXml: '<x>Erika</x>', createdAt: new Date(T0.getTime() + i),
      }, [{ id: `job-${id}`, submissionId: id, authorityId: 'a', channel: 'http', idempotencyKey: `key-${id}`, contentType: 'application/xml', body: '<x>Erika</x>' }]);
    }
    for (const j of await store.deliveries.claimDue({ now: new Date(T0.getTime() + DAY), limit: 1000, leaseMs: 1000, owner: 'w' })) {
      await store.deliveries.markDelivered(j.id, DELIVERED);
    }
  }

  test('one run purges batch after batch with each form\'s days, counts them and logs only the count', async () => {
    await deliveredSubmissions(7, 'kurz');
    await deliveredSubmissions(2, 'lang');
    const logger = createMemoryLogger();
    const counted: number[] = [];
    let now = new Date(DELIVERED.getTime() + 10 * DAY);
    const cleanup = new RetentionCleanup({
      submissions: store.submissions, forms: { list: () => [form('kurz', 10), form('lang', 40)] }, defaultDays: 30,
      intervalMinutes: 60, now: () => now, logger, metrics: { submissionsPurged: (n) => counted.push(n) }, batchSize: 3,
    });
    expect(await cleanup.runOnce()).toBe(7);
    expect(counted).toEqual([3, 3, 1]);
    expect((await store.submissions.find('lang-0'))?.purgedAt).toBeUndefined();
    now = new Date(DELIVERED.getTime() + 40 * DAY);
    expect(await cleanup.runOnce()).toBe(2);

    // start() runs a round at once and logs its count; nothing is left to purge here.
    await deliveredSubmissions(1, 'neu');
    now = new Date(DELIVERED.getTime() + 70 * DAY);
    cleanup.start();
    await waitUntil(() => logger.lines.length > 0);
    await cleanup.stop();
    expect(logger.lines).toEqual([{ level: 'info', event: 'retention.purged', fields: { count: 1 } }]);
  });

  test('a failing store is logged and does not escape the timer', async () => {
    const logger = createMemoryLogger();
    await store.close();
    const cleanup = new RetentionCleanup({
      submissions: store.submissions, forms: { list: () => [] }, defaultDays: 30, intervalMinutes: 60, now: () => T0, logger,
    });
    cleanup.start();
    await waitUntil(() => logger.lines.length > 0);
    await cleanup.stop();
    expect(logger.lines).toEqual([{ level: 'error', event: 'retention.cleanup_failed', fields: { error: expect.any(String) } }]);
    store = openSqliteStore(dir.path);
  });
});
