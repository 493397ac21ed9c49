import type { Store } from '../../src/storage/ports';
import { DAY, job, later, submission, type StoreFactory } from './store-contract-fixtures';

/** The contract of `AuthorityInboxStore`: the pull channel, scoped to the calling authority. */
export function inboxContract(factory: () => StoreFactory): void {
  describe('the authority inbox', () => {
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

    test('inbox jobs are never claimed; the authority lists, fetches and acknowledges only its own', async () => {
      const mine = submission({ authorityId: 'amt-a' });
      const theirs = submission({ authorityId: 'amt-b' });
      await store.submissions.create(mine, [job(mine.id, { channel: 'inbox', authorityId: 'amt-a' })]);
      await store.submissions.create(theirs, [job(theirs.id, { channel: 'inbox', authorityId: 'amt-b' })]);
      expect(await store.deliveries.claimDue({ now: later(DAY), limit: 10, leaseMs: 1000, owner: 'w1' })).toEqual([]);

      expect((await store.inbox.list('amt-a', 100)).map((e) => e.submissionId)).toEqual([mine.id]);
      expect(await store.inbox.fetch('amt-a', theirs.id, later(1))).toBeUndefined();
      expect(await store.inbox.acknowledge('amt-a', theirs.id, later(1))).toBe(false);
      expect((await store.submissions.find(theirs.id))?.status).toBe('accepted');

      const fetched = await store.inbox.fetch('amt-a', mine.id, later(10));
      expect(fetched?.body).toBe('<submission>ä</submission>');
      await store.inbox.fetch('amt-a', mine.id, later(20));
      let found = await store.submissions.find(mine.id);
      expect(found?.status).toBe('delivered');
      expect(found?.events.map((e) => e.type)).toEqual(['accepted', 'fetched', 'delivered']);
      // Fetched but not acknowledged: still listed.
      expect(await store.inbox.list('amt-a', 100)).toEqual([expect.objectContaining({ submissionId: mine.id, fetchedAt: later(10) })]);

      expect(await store.inbox.acknowledge('amt-a', mine.id, later(30))).toBe(true);
      expect(await store.inbox.acknowledge('amt-a', mine.id, later(40))).toBe(true);
      found = await store.submissions.find(mine.id);
      expect(found?.status).toBe('acknowledged');
      expect(found?.events.filter((e) => e.type === 'acknowledged')).toEqual([{ type: 'acknowledged', at: later(30), detail: 'inbox' }]);
      expect(await store.inbox.list('amt-a', 100)).toEqual([]);
      expect((await store.inbox.list('amt-b', 100)).map((e) => e.submissionId)).toEqual([theirs.id]);
    });

    test('acknowledging without a fetch records the fetch too', async () => {
      const s = submission({ authorityId: 'amt-a' });
      await store.submissions.create(s, [job(s.id, { channel: 'inbox', authorityId: 'amt-a' })]);
      expect(await store.inbox.acknowledge('amt-a', s.id, later(5))).toBe(true);
      expect((await store.submissions.find(s.id))?.events.map((e) => e.type)).toEqual(['accepted', 'fetched', 'delivered', 'acknowledged']);
      expect((await store.deliveries.jobsOf(s.id))[0]?.state).toBe('delivered');
    });
  });
}
