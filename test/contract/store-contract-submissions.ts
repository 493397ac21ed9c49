import { DuplicateReferenceError, type Store } from '../../src/storage/ports';
import { job, later, submission, T0, type StoreFactory } from './store-contract-fixtures';

/** The contract of `SubmissionRepository` and of the store as a whole: one transaction per submission, the write probe, reopening. */
export function submissionsContract(factory: () => StoreFactory): void {
  describe('submissions and the store', () => {
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

    test('a created submission is found with its accepted event and pending job', async () => {
      const s = submission();
      const j = job(s.id);
      await store.submissions.create(s, [j]);
      const found = await store.submissions.find(s.id);
      expect(found).toEqual({ ...s, status: 'accepted', events: [{ type: 'accepted', at: s.createdAt }] });
      expect(await store.deliveries.jobsOf(s.id)).toEqual([
        { ...j, state: 'pending', attempts: 0, nextAttemptAt: s.createdAt, lastError: null, createdAt: s.createdAt },
      ]);
      expect(await store.submissions.find('NOPE-NOPE-N')).toBeUndefined();
    });

    test('a taken reference number raises DuplicateReferenceError and changes nothing', async () => {
      const s = submission();
      await store.submissions.create(s, [job(s.id)]);
      await expect(store.submissions.create({ ...s, formId: 'other' }, [job(s.id)])).rejects.toBeInstanceOf(DuplicateReferenceError);
      expect((await store.submissions.find(s.id))?.formId).toBe(s.formId);
      expect(await store.deliveries.jobsOf(s.id)).toHaveLength(1);
    });

    test('submission and jobs are one transaction: a failing job insert leaves no submission', async () => {
      const first = submission();
      const taken = job(first.id);
      await store.submissions.create(first, [taken]);
      const second = submission();
      await expect(store.submissions.create(second, [job(second.id, { idempotencyKey: taken.idempotencyKey })])).rejects.toThrow();
      expect(await store.submissions.find(second.id)).toBeUndefined();
      expect(await store.deliveries.jobsOf(second.id)).toEqual([]);
    });

    test('local parameters and the test mark of a submission come back from find, and are absent when not given', async () => {
      const parametersJson = JSON.stringify({ fee: { amountCents: 9600, currency: 'EUR', purpose: { de: 'Hundesteuer je Hund und Jahr' } } });
      const marked = submission({ parametersJson, test: true });
      const plain = submission();
      await store.submissions.create(marked, [job(marked.id, { test: true })]);
      await store.submissions.create(plain, [job(plain.id)]);
      const found = await store.submissions.find(marked.id);
      expect(found).toEqual({ ...marked, status: 'accepted', events: [{ type: 'accepted', at: marked.createdAt }] });
      expect([found?.parametersJson, found?.test]).toEqual([parametersJson, true]);
      const other = await store.submissions.find(plain.id);
      expect(other).not.toHaveProperty('parametersJson');
      expect(other).not.toHaveProperty('test');
      // `test: false` is stored as "not a test", read back as absent.
      const unmarked = submission({ test: false });
      await store.submissions.create(unmarked, [job(unmarked.id)]);
      expect(await store.submissions.find(unmarked.id)).not.toHaveProperty('test');
    });

    test('probeWritable commits on a writable store and changes no data', async () => {
      const s = submission();
      await store.submissions.create(s, [job(s.id)]);
      await expect(store.probeWritable(T0)).resolves.toBeUndefined();
      // Calls while a probe runs share it; later calls probe again.
      await expect(Promise.all([store.probeWritable(later(1)), store.probeWritable(later(2))])).resolves.toEqual([undefined, undefined]);
      await expect(store.probeWritable(later(3))).resolves.toBeUndefined();
      expect(await store.submissions.find(s.id)).toEqual({ ...s, status: 'accepted', events: [{ type: 'accepted', at: s.createdAt }] });
      expect((await store.deliveries.stats(T0)).jobs).toEqual([{ state: 'pending', channel: 'http', count: 1 }]);
    });

    test('probeWritable rejects once the store is closed', async () => {
      await store.probeWritable(T0);
      await store.close();
      await expect(store.probeWritable(later(1))).rejects.toThrow();
      store = await f.open();
      await expect(store.probeWritable(later(2))).resolves.toBeUndefined();
    });

    test('everything survives closing and reopening the store', async () => {
      const s = submission();
      await store.submissions.create(s, [job(s.id)]);
      await store.close();
      store = await f.open();
      expect((await store.submissions.find(s.id))?.dataJson).toBe(s.dataJson);
      expect(await store.deliveries.claimDue({ now: T0, limit: 10, leaseMs: 1000, owner: 'w1' })).toHaveLength(1);
    });
  });
}
