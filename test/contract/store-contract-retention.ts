import type { NewDeliveryJob, NewSubmission, PurgeRequest, Store } from '../../src/storage/ports';
import { DAY, job, later, submission, T0, type StoreFactory } from './store-contract-fixtures';

/**
 * The contract of `SubmissionRepository.purgeDue` (retention, docs/retention.md): what is due
 * when, what is blanked and what stays, idempotence, batches and two processes at once.
 */
export function retentionContract(factory: () => StoreFactory): void {
  describe('retention: purging due submissions', () => {
    let f: StoreFactory;
    let store: Store;
    const others: Store[] = [];

    beforeEach(async () => {
      f = factory();
      store = await f.open();
    });
    afterEach(async () => {
      await Promise.all(others.splice(0).map((s) => s.close()));
      await store.close();
      await f.destroy();
    });

    const request = (now: Date, overrides: Partial<PurgeRequest> = {}): PurgeRequest => ({
      now, defaultDays: 30, daysByForm: new Map(), limit: 100, ...overrides,
    });
    const DELIVERED_AT = later(3600_000);

    /** Creates a submission with its jobs and delivers each job listed in `deliver` at `at`. */
    async function created(s: NewSubmission, jobs: readonly NewDeliveryJob[], deliver: readonly NewDeliveryJob[] = jobs, at = DELIVERED_AT): Promise<void> {
      await store.submissions.create(s, jobs);
      const claimed = await store.deliveries.claimDue({ now: at, limit: 100, leaseMs: 1000, owner: 'w' });
      for (const j of claimed) {
        if (deliver.some((d) => d.id === j.id)) await store.deliveries.markDelivered(j.id, at);
      }
      await store.deliveries.releaseLeases('w', at);
    }
    async function delivered(overrides: Partial<NewSubmission> = {}, at = DELIVERED_AT): Promise<NewSubmission> {
      const s = submission(overrides);
      const j = job(s.id);
      await created(s, [j], [j], at);
      return s;
    }

    test('a delivered submission is due its days after the delivery: blanked with its jobs, reference, form, authority and events with times kept', async () => {
      const s = submission();
      const push = job(s.id, { channel: 'http' });
      const citizen = job(s.id, { channel: 'email-citizen' });
      await created(s, [push, citizen], [push, citizen]);
      expect(await store.submissions.purgeDue(request(new Date(DELIVERED_AT.getTime() + 30 * DAY - 1)))).toEqual({ purged: 0, removedFiles: [] });
      expect((await store.submissions.find(s.id))?.dataJson).toBe(s.dataJson);

      const at = new Date(DELIVERED_AT.getTime() + 30 * DAY);
      expect(await store.submissions.purgeDue(request(at))).toEqual({ purged: 1, removedFiles: [] });
      const found = await store.submissions.find(s.id);
      expect(found).toMatchObject({
        id: s.id, formId: s.formId, formVersion: s.formVersion, tenantId: s.tenantId, authorityId: s.authorityId,
        regionArs: s.regionArs, tokenHash: s.tokenHash, createdAt: s.createdAt, status: 'delivered',
        dataJson: '', payloadXml: '', purgedAt: at,
      });
      expect(found?.events).toEqual([
        { type: 'accepted', at: T0 },
        { type: 'delivered', at: DELIVERED_AT, detail: 'http' },
        { type: 'purged', at, detail: 'retention 30 days' },
      ]);
      const jobs = await store.deliveries.jobsOf(s.id);
      expect(jobs.map((j) => ({ body: j.body, state: j.state, purgedAt: j.purgedAt }))).toEqual([
        { body: '', state: 'delivered', purgedAt: at }, { body: '', state: 'delivered', purgedAt: at },
      ].slice(0, jobs.length));
      expect(jobs).toHaveLength(2);
      // Nothing of the answers is left in what the store hands out.
      expect(JSON.stringify({ found, jobs })).not.toMatch(/Łukasz|<submission>/);
    });

    test('days per form override the default, and 0 days purge at the first run after the delivery', async () => {
      const short = await delivered({ formId: 'kurz' });
      const none = await delivered({ formId: 'sofort' });
      const plain = await delivered({ formId: 'standard' });
      const daysByForm = new Map([['kurz', 5], ['sofort', 0]]);
      expect(await store.submissions.purgeDue(request(DELIVERED_AT, { daysByForm }))).toEqual({ purged: 1, removedFiles: [] });
      expect((await store.submissions.find(none.id))?.purgedAt).toEqual(DELIVERED_AT);
      expect(await store.submissions.purgeDue(request(new Date(DELIVERED_AT.getTime() + 5 * DAY), { daysByForm }))).toEqual({ purged: 1, removedFiles: [] });
      expect((await store.submissions.find(short.id))?.events.at(-1)).toMatchObject({ type: 'purged', detail: 'retention 5 days' });
      expect((await store.submissions.find(plain.id))?.purgedAt).toBeUndefined();
      expect(await store.submissions.purgeDue(request(new Date(DELIVERED_AT.getTime() + 30 * DAY), { daysByForm }))).toEqual({ purged: 1, removedFiles: [] });
      expect((await store.submissions.find(plain.id))?.purgedAt).toBeDefined();
    });

    test('open, failed and dead jobs keep the data; a dead applicant\'s e-mail does not once the authority has it', async () => {
      const pending = submission();
      await store.submissions.create(pending, [job(pending.id)]);
      const failed = submission();
      const failedJob = job(failed.id);
      await store.submissions.create(failed, [failedJob]);
      const dead = submission();
      const deadJob = job(dead.id);
      await store.submissions.create(dead, [deadJob]);
      const citizenOpen = submission();
      const push = job(citizenOpen.id);
      const citizenPending = job(citizenOpen.id, { channel: 'email-citizen' });
      await store.submissions.create(citizenOpen, [push, citizenPending]);
      const citizenDead = submission();
      const push2 = job(citizenDead.id);
      const citizenGivenUp = job(citizenDead.id, { channel: 'email-citizen' });
      await store.submissions.create(citizenDead, [push2, citizenGivenUp]);

      const claimed = await store.deliveries.claimDue({ now: T0, limit: 100, leaseMs: 1000, owner: 'w' });
      expect(claimed).toHaveLength(7);
      await store.deliveries.markFailed(failedJob.id, 'w', { error: 'HTTP 503', nextAttemptAt: later(DAY), permanent: false, giveUpAfterMs: 3 * DAY, at: T0 });
      await store.deliveries.markFailed(deadJob.id, 'w', { error: 'HTTP 400', nextAttemptAt: T0, permanent: true, giveUpAfterMs: 0, at: T0 });
      await store.deliveries.markDelivered(push.id, DELIVERED_AT);
      await store.deliveries.markDelivered(push2.id, DELIVERED_AT);
      await store.deliveries.markFailed(citizenGivenUp.id, 'w', { error: 'SMTP 550', nextAttemptAt: T0, permanent: true, giveUpAfterMs: 0, at: T0 });
      await store.deliveries.releaseLeases('w', T0); // the first and the pending e-mail: pending again

      expect(await store.submissions.purgeDue(request(later(1000 * DAY)))).toEqual({ purged: 1, removedFiles: [] });
      for (const kept of [pending, failed, dead, citizenOpen]) {
        const found = await store.submissions.find(kept.id);
        expect({ id: kept.id, data: found?.dataJson, purged: found?.purgedAt }).toEqual({ id: kept.id, data: kept.dataJson, purged: undefined });
      }
      expect((await store.submissions.find(citizenDead.id))?.purgedAt).toEqual(later(1000 * DAY));
      // The dead e-mail is not retried any more: the address went with the answers.
      expect(await store.deliveries.retry(citizenGivenUp.id, later(1001 * DAY))).toBeUndefined();
      expect(await store.deliveries.findJob(citizenGivenUp.id)).toMatchObject({ state: 'dead', body: '', purgedAt: later(1000 * DAY) });
      // The dead authority job still can be: its data is all there.
      expect(await store.deliveries.retry(deadJob.id, later(1001 * DAY))).toMatchObject({ state: 'pending' });
    });

    test('an inbox submission\'s clock starts at the acknowledgement, not the fetch; a purged one is never listed', async () => {
      const s = submission({ authorityId: 'amt-a' });
      await store.submissions.create(s, [job(s.id, { channel: 'inbox', authorityId: 'amt-a' })]);
      await store.inbox.fetch('amt-a', s.id, later(DAY));
      expect(await store.submissions.purgeDue(request(later(1000 * DAY)))).toEqual({ purged: 0, removedFiles: [] });
      expect((await store.inbox.list('amt-a', 10)).map((e) => e.submissionId)).toEqual([s.id]);

      await store.inbox.acknowledge('amt-a', s.id, later(50 * DAY));
      expect(await store.submissions.purgeDue(request(new Date(later(80 * DAY).getTime() - 1)))).toEqual({ purged: 0, removedFiles: [] });
      expect(await store.submissions.purgeDue(request(later(80 * DAY)))).toEqual({ purged: 1, removedFiles: [] });
      expect(await store.inbox.list('amt-a', 10)).toEqual([]);
      expect(await store.inbox.find('amt-a', s.id)).toMatchObject({ body: '', purgedAt: later(80 * DAY) });
      expect((await store.submissions.find(s.id))?.events.map((e) => e.type)).toEqual(['accepted', 'fetched', 'delivered', 'acknowledged', 'purged']);
    });

    test('a purged job is never resealed: a sealer that read the plain XML before the purge writes nothing', async () => {
      const s = await delivered();
      const [before] = await store.deliveries.jobsOf(s.id);
      const at = later(40 * DAY);
      expect(await store.submissions.purgeDue(request(at))).toEqual({ purged: 1, removedFiles: [] });
      const sealed = { body: 'eyJhbGciOiJSU0EtT0FFUC0yNTYifQ.sealed-answers', contentType: 'application/jose', idempotencyKey: 'after-the-purge' };
      expect(await store.deliveries.reseal(before!.id, sealed)).toBeUndefined();
      expect(await store.deliveries.findJob(before!.id)).toMatchObject({
        body: '', contentType: before!.contentType, idempotencyKey: before!.idempotencyKey, purgedAt: at,
      });
      // An unpurged job still takes its seal.
      const open = submission();
      const openJob = job(open.id);
      await store.submissions.create(open, [openJob]);
      expect(await store.deliveries.reseal(openJob.id, sealed)).toMatchObject({ id: openJob.id, ...sealed });
    });

    test('a second run purges nothing again: one purged event each', async () => {
      const a = await delivered();
      const b = await delivered();
      const at = later(40 * DAY);
      expect(await store.submissions.purgeDue(request(at))).toEqual({ purged: 2, removedFiles: [] });
      expect(await store.submissions.purgeDue(request(later(41 * DAY)))).toEqual({ purged: 0, removedFiles: [] });
      for (const s of [a, b]) {
        expect((await store.submissions.find(s.id))?.events.filter((e) => e.type === 'purged')).toEqual([{ type: 'purged', at, detail: 'retention 30 days' }]);
      }
    });

    test('at most `limit` per call, oldest first', async () => {
      const made: NewSubmission[] = [];
      for (let i = 0; i < 5; i++) made.push(await delivered({ createdAt: later(i * 1000) }));
      const at = later(40 * DAY);
      const sizes: number[] = [];
      const order: string[] = [];
      for (;;) {
        const { purged } = await store.submissions.purgeDue(request(at, { limit: 2 }));
        sizes.push(purged);
        for (const s of made) {
          if (!order.includes(s.id) && (await store.submissions.find(s.id))?.purgedAt) order.push(s.id);
        }
        if (purged < 2) break;
      }
      expect(sizes).toEqual([2, 2, 1]);
      expect(order).toEqual(made.map((s) => s.id));
    });

    test('two stores on the same data (two processes) purging at once purge each submission once', async () => {
      const made: NewSubmission[] = [];
      for (let i = 0; i < 12; i++) made.push(await delivered());
      const other = await f.open();
      others.push(other);
      const at = later(40 * DAY);
      const drain = async (s: Store): Promise<number> => {
        let total = 0;
        for (;;) {
          const { purged } = await s.submissions.purgeDue(request(at, { limit: 3 }));
          total += purged;
          if (purged < 3) return total;
        }
      };
      const [x, y] = await Promise.all([drain(store), drain(other)]);
      // What one skipped because the other held it, a later run takes.
      const rest = await drain(store);
      expect(x + y + rest).toBe(12);
      for (const s of made) {
        const found = await other.submissions.find(s.id);
        expect({ id: s.id, purged: found?.events.filter((e) => e.type === 'purged').length, data: found?.dataJson }).toEqual({ id: s.id, purged: 1, data: '' });
      }
    });
  });
}
