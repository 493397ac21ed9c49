import type { DeliveryStats, Store } from '../../src/storage/ports';
import { job, later, retryable, submission, T0, type StoreFactory } from './store-contract-fixtures';

/** The contract of `DeliveryQueue.stats`: counts by state and channel, and the age of the oldest job a worker could claim. */
export function deliveryStatsContract(factory: () => StoreFactory): void {
  describe('the delivery queue\'s statistics', () => {
    let f: StoreFactory;
    let store: Store;

    beforeEach(async () => {
      f = factory();
      store = await f.open();
    });
    afterEach(async () => {
      await store.close();
      await f.destroy();
    });

    const sortedJobs = (stats: DeliveryStats) => [...stats.jobs].sort((a, b) => `${a.state}/${a.channel}`.localeCompare(`${b.state}/${b.channel}`));

    test('stats of an empty queue: no jobs, nothing due', async () => {
      expect(await store.deliveries.stats(T0)).toEqual({ jobs: [], oldestDueAgeSeconds: 0 });
    });

    test('stats count jobs by state and channel and age the oldest job a worker could claim', async () => {
      const s = submission();
      const [push, failing, mail, inbox, citizen] = [
        job(s.id), job(s.id), job(s.id, { channel: 'email' }), job(s.id, { channel: 'inbox' }), job(s.id, { channel: 'email-citizen' }),
      ];
      await store.submissions.create(s, [push, failing, mail, inbox, citizen]);
      expect(sortedJobs(await store.deliveries.stats(T0))).toEqual([
        { state: 'pending', channel: 'email', count: 1 },
        { state: 'pending', channel: 'email-citizen', count: 1 },
        { state: 'pending', channel: 'http', count: 2 },
        { state: 'pending', channel: 'inbox', count: 1 },
      ]);
      // Due at T0, waiting 2.5 s.
      expect((await store.deliveries.stats(later(2500))).oldestDueAgeSeconds).toBe(2.5);

      expect(await store.deliveries.claimDue({ now: T0, limit: 10, leaseMs: 1000, owner: 'w1' })).toHaveLength(4);
      await store.deliveries.markDelivered(push.id, later(10));
      expect(await store.deliveries.markFailed(failing.id, 'w1', retryable('receiver answered HTTP 503', later(60_000)))).toBe('failed');
      expect(await store.deliveries.markFailed(mail.id, 'w1', { ...retryable('mailbox unknown', later(10)), permanent: true })).toBe('dead');
      // The applicant's e-mail stays in flight; its lease ends at T0 + 1 s.

      const at30 = await store.deliveries.stats(later(30_000));
      expect(sortedJobs(at30)).toEqual([
        { state: 'dead', channel: 'email', count: 1 },
        { state: 'delivered', channel: 'http', count: 1 },
        { state: 'failed', channel: 'http', count: 1 },
        { state: 'in_flight', channel: 'email-citizen', count: 1 },
        { state: 'pending', channel: 'inbox', count: 1 },
      ]);
      // The expired lease (since T0 + 1 s) counts; the failed job is not due before 60 s, and the
      // inbox job (pending since T0) is the authority's to fetch, not the worker's backlog.
      expect(at30.oldestDueAgeSeconds).toBe(29);

      // A released lease is pending and due from the release time (T0 here); at 90 s it is the
      // oldest, ahead of the failed job due since 60 s.
      expect(await store.deliveries.releaseLeases('w1', T0)).toBe(1);
      const released = await store.deliveries.stats(later(90_000));
      expect(sortedJobs(released)).toContainEqual({ state: 'pending', channel: 'email-citizen', count: 1 });
      expect(released.oldestDueAgeSeconds).toBe(90);
    });

    test('stats: jobs not yet due and inbox jobs are not counted as waiting', async () => {
      const s = submission();
      const push = job(s.id);
      await store.submissions.create(s, [push, job(s.id, { channel: 'inbox' })]);
      const [claimed] = await store.deliveries.claimDue({ now: T0, limit: 1, leaseMs: 1000, owner: 'w1' });
      expect(claimed?.id).toBe(push.id);
      // In flight with a running lease: not due.
      expect((await store.deliveries.stats(later(500))).oldestDueAgeSeconds).toBe(0);
      await store.deliveries.markFailed(push.id, 'w1', retryable('down', later(10_000)));
      expect((await store.deliveries.stats(later(9_999))).oldestDueAgeSeconds).toBe(0);
      expect((await store.deliveries.stats(later(10_000))).oldestDueAgeSeconds).toBe(0);
      expect((await store.deliveries.stats(later(12_000))).oldestDueAgeSeconds).toBe(2);
    });

    test('stats: delivered jobs are counted by channel, however they became delivered, and across a reopen', async () => {
      const s = submission({ authorityId: 'amt-a' });
      const [push, mail, inbox, citizen] = [
        job(s.id, { authorityId: 'amt-a' }), job(s.id, { channel: 'email', authorityId: 'amt-a' }),
        job(s.id, { channel: 'inbox', authorityId: 'amt-a' }), job(s.id, { channel: 'email-citizen', authorityId: 'amt-a' }),
      ];
      await store.submissions.create(s, [push, mail, inbox, citizen]);
      expect(await store.deliveries.claimDue({ now: T0, limit: 10, leaseMs: 1000, owner: 'w1' })).toHaveLength(3);
      await store.deliveries.markDelivered(push.id, later(10));
      await store.deliveries.markDelivered(citizen.id, later(10));
      // Marking it again changes nothing, the count neither.
      await store.deliveries.markDelivered(push.id, later(20));
      // The authority's fetch delivers the inbox job; a second fetch and the acknowledgement keep it so.
      expect((await store.inbox.fetch('amt-a', s.id, later(30)))?.state).toBe('delivered');
      await store.inbox.fetch('amt-a', s.id, later(40));
      expect(await store.inbox.acknowledge('amt-a', s.id, later(50))).toBe(true);
      const expected = [
        { state: 'delivered', channel: 'email-citizen', count: 1 },
        { state: 'delivered', channel: 'http', count: 1 },
        { state: 'delivered', channel: 'inbox', count: 1 },
        { state: 'in_flight', channel: 'email', count: 1 },
      ];
      expect(sortedJobs(await store.deliveries.stats(later(60)))).toEqual(expected);

      const other = submission();
      const more = [job(other.id), job(other.id)];
      await store.submissions.create(other, more);
      await store.deliveries.claimDue({ now: later(100), limit: 10, leaseMs: 1000, owner: 'w2' });
      for (const j of more) await store.deliveries.markDelivered(j.id, later(110));
      await store.close();
      store = await f.open();
      const reopened = await store.deliveries.stats(later(3000));
      expect(sortedJobs(reopened)).toEqual([expected[0], { state: 'delivered', channel: 'http', count: 3 }, expected[2], expected[3]]);
      // Only the e-mail job, whose lease ran out at T0 + 1 s, waits; delivered jobs never do.
      expect(reopened.oldestDueAgeSeconds).toBe(2);
    });
  });
}
