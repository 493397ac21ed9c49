import type { Store } from '../../src/storage/ports';
import { DAY, job, later, retryable, submission, T0, type StoreFactory } from './store-contract-fixtures';

/** The contract of `DeliveryQueue`: claims and leases, failures, dead jobs, delivery, and what operators ask of it. */
export function deliveriesContract(factory: () => StoreFactory): void {
  describe('the delivery queue', () => {
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

    test('claiming takes due jobs once, counts the attempt and leases them', async () => {
      const s = submission();
      await store.submissions.create(s, [job(s.id), job(s.id), job(s.id)]);
      const first = await store.deliveries.claimDue({ now: T0, limit: 2, leaseMs: 1000, owner: 'w1' });
      expect(first).toHaveLength(2);
      expect(first.every((j) => j.state === 'in_flight' && j.attempts === 1)).toBe(true);
      const second = await store.deliveries.claimDue({ now: T0, limit: 10, leaseMs: 1000, owner: 'w2' });
      expect(second).toHaveLength(1);
      expect(second[0]!.id).not.toBe(first[0]!.id);
      expect(await store.deliveries.claimDue({ now: later(999), limit: 10, leaseMs: 1000, owner: 'w3' })).toEqual([]);
      // An expired lease (the worker died) makes the jobs claimable again.
      const retaken = await store.deliveries.claimDue({ now: later(1000), limit: 10, leaseMs: 1000, owner: 'w3' });
      expect(retaken).toHaveLength(3);
      expect(retaken.every((j) => j.attempts === 2)).toBe(true);
    });

    test('a job created with a lease is in flight for its owner: no claim takes it before the lease ends, then one does', async () => {
      const s = submission();
      const leased = job(s.id, { test: true, lease: { owner: 'tester', until: later(5000) } });
      await store.submissions.create(s, [leased]);
      const found = await store.deliveries.findJob(leased.id);
      expect(found).toMatchObject({ state: 'in_flight', attempts: 1, test: true });
      expect(await store.deliveries.claimDue({ now: later(4999), limit: 10, leaseMs: 1000, owner: 'w1' })).toEqual([]);
      // Its owner settles it as any claimed job.
      expect(await store.deliveries.markFailed(leased.id, 'w1', { error: 'x', nextAttemptAt: later(1), permanent: true, giveUpAfterMs: 0, at: later(2) })).toBeUndefined();
      // A crashed owner: once the lease has run out a worker takes the job over.
      const taken = await store.deliveries.claimDue({ now: later(5000), limit: 10, leaseMs: 1000, owner: 'w2' });
      expect(taken.map((j) => [j.id, j.attempts])).toEqual([[leased.id, 2]]);
    });

    test('the last deliveries per authority: real and test apart, the applicant\'s e-mail never, and only over the channel given', async () => {
      const real = submission();
      const test = submission();
      const realJob = job(real.id, { channel: 'http' });
      const citizen = job(real.id, { channel: 'email-citizen' });
      const testJob = job(test.id, { channel: 'email', test: true });
      await store.submissions.create(real, [realJob, citizen]);
      await store.submissions.create(test, [testJob]);
      const claimed = await store.deliveries.claimDue({ now: T0, limit: 10, leaseMs: 60_000, owner: 'w' });
      expect(claimed).toHaveLength(3);
      await store.deliveries.markDelivered(realJob.id, later(10));
      await store.deliveries.markDelivered(citizen.id, later(99));
      await store.deliveries.markDelivered(testJob.id, later(20));
      expect(await store.deliveries.lastDeliveries()).toEqual(new Map([['stadt-erfurt', { real: later(10), test: later(20) }]]));
      // The authority delivers by e-mail now: its http delivery says nothing about that channel.
      expect(await store.deliveries.lastDeliveries(new Map([['stadt-erfurt', 'email']]))).toEqual(new Map([['stadt-erfurt', { test: later(20) }]]));
      expect(await store.deliveries.lastDeliveries(new Map([['stadt-erfurt', 'inbox']]))).toEqual(new Map());
    });

    test('parallel claims never hand out the same job twice', async () => {
      const s = submission();
      await store.submissions.create(s, Array.from({ length: 20 }, () => job(s.id)));
      const claims = await Promise.all(
        Array.from({ length: 8 }, (_, i) => store.deliveries.claimDue({ now: T0, limit: 3, leaseMs: 60_000, owner: `w${i}` })),
      );
      const ids = claims.flat().map((j) => j.id);
      expect(ids).toHaveLength(20);
      expect(new Set(ids).size).toBe(20);
    });

    test('two stores on the same data (two processes) claim in parallel without sharing a job, and settle one submission\'s jobs at once', async () => {
      const other = await f.open();
      try {
        const subs = Array.from({ length: 10 }, () => submission());
        for (const s of subs) await store.submissions.create(s, [job(s.id), job(s.id)]);
        const stores = [store, other];
        const claims = await Promise.all(Array.from({ length: 8 }, (_, i) =>
          stores[i % 2]!.deliveries.claimDue({ now: T0, limit: 3, leaseMs: 60_000, owner: `w${i}` })));
        const ids = claims.flat().map((j) => j.id);
        expect(ids).toHaveLength(20);
        expect(new Set(ids).size).toBe(20);
        // Each submission's two jobs are delivered at the same moment, one by each store: whichever
        // commits second must see the first and mark the submission delivered, exactly once.
        await Promise.all(subs.flatMap((s) => {
          const [a, b] = claims.flat().filter((j) => j.submissionId === s.id);
          return [store.deliveries.markDelivered(a!.id, later(10)), other.deliveries.markDelivered(b!.id, later(10))];
        }));
        for (const s of subs) {
          const found = await other.submissions.find(s.id);
          expect([found?.status, found?.events.map((e) => e.type)]).toEqual(['delivered', ['accepted', 'delivered']]);
        }
      } finally {
        await other.close();
      }
    });

    test('a failure reschedules only for the lease owner', async () => {
      const s = submission();
      await store.submissions.create(s, [job(s.id)]);
      const [claimed] = await store.deliveries.claimDue({ now: T0, limit: 1, leaseMs: 1000, owner: 'w1' });
      expect(await store.deliveries.markFailed(claimed!.id, 'someone-else', retryable('x', later(10)))).toBeUndefined();
      expect(await store.deliveries.markFailed(claimed!.id, 'w1', retryable('receiver answered HTTP 503', later(5000)))).toBe('failed');
      const [stored] = await store.deliveries.jobsOf(s.id);
      expect(stored).toMatchObject({ state: 'failed', attempts: 1, lastError: 'receiver answered HTTP 503', nextAttemptAt: later(5000) });
      expect(await store.deliveries.claimDue({ now: later(4999), limit: 1, leaseMs: 1000, owner: 'w1' })).toEqual([]);
      expect(await store.deliveries.claimDue({ now: later(5000), limit: 1, leaseMs: 1000, owner: 'w1' })).toHaveLength(1);
    });

    test('a permanent refusal is dead at once and never claimed again', async () => {
      const s = submission();
      await store.submissions.create(s, [job(s.id)]);
      const [claimed] = await store.deliveries.claimDue({ now: T0, limit: 1, leaseMs: 1000, owner: 'w1' });
      expect(await store.deliveries.markFailed(claimed!.id, 'w1', { ...retryable('receiver answered HTTP 400', later(10)), permanent: true })).toBe('dead');
      expect((await store.deliveries.jobsOf(s.id))[0]).toMatchObject({ state: 'dead', attempts: 1, lastError: 'receiver answered HTTP 400' });
      expect(await store.deliveries.claimDue({ now: later(10 * DAY), limit: 10, leaseMs: 1000, owner: 'w2' })).toEqual([]);
      expect((await store.submissions.find(s.id))?.status).toBe('accepted');
    });

    test('a job still failing when its next attempt would pass the give-up time is dead', async () => {
      const s = submission();
      await store.submissions.create(s, [job(s.id)]);
      const [first] = await store.deliveries.claimDue({ now: T0, limit: 1, leaseMs: 1000, owner: 'w1' });
      expect(await store.deliveries.markFailed(first!.id, 'w1', retryable('down', later(3 * DAY)))).toBe('failed');
      const [second] = await store.deliveries.claimDue({ now: later(3 * DAY), limit: 1, leaseMs: 1000, owner: 'w1' });
      expect(second?.attempts).toBe(2);
      expect(await store.deliveries.markFailed(second!.id, 'w1', retryable('down', later(3 * DAY + 1)))).toBe('dead');
      expect(await store.deliveries.claimDue({ now: later(10 * DAY), limit: 10, leaseMs: 1000, owner: 'w1' })).toEqual([]);
    });

    test('delivery is recorded once; the submission becomes delivered when all its jobs are', async () => {
      const s = submission();
      await store.submissions.create(s, [job(s.id), job(s.id)]);
      const [a, b] = await store.deliveries.claimDue({ now: T0, limit: 2, leaseMs: 1000, owner: 'w1' });
      expect(await store.deliveries.markDelivered(a!.id, later(100))).toBe(true);
      expect((await store.submissions.find(s.id))?.status).toBe('accepted');
      expect(await store.deliveries.markDelivered(b!.id, later(200))).toBe(true);
      expect(await store.deliveries.markDelivered(b!.id, later(300))).toBe(false);
      const found = await store.submissions.find(s.id);
      expect(found?.status).toBe('delivered');
      expect(found?.events).toEqual([{ type: 'accepted', at: T0 }, { type: 'delivered', at: later(200), detail: 'http' }]);
      // A delivered job is never claimed again, however much time passes.
      expect(await store.deliveries.claimDue({ now: later(10 ** 9), limit: 10, leaseMs: 1000, owner: 'w2' })).toEqual([]);
      // And a late failure report from a worker whose lease had expired cannot undo it.
      expect(await store.deliveries.markFailed(a!.id, 'w1', retryable('late', later(1)))).toBeUndefined();
    });

    test('the applicant\'s e-mail job does not decide the submission\'s status', async () => {
      const s = submission();
      await store.submissions.create(s, [job(s.id, { channel: 'email-citizen', body: '' }), job(s.id)]);
      const claimed = await store.deliveries.claimDue({ now: T0, limit: 2, leaseMs: 1000, owner: 'w1' });
      const mail = claimed.find((j) => j.channel === 'email-citizen')!;
      const push = claimed.find((j) => j.channel === 'http')!;
      expect(await store.deliveries.markDelivered(mail.id, later(10))).toBe(true);
      expect((await store.submissions.find(s.id))?.status).toBe('accepted');
      expect(await store.deliveries.markDelivered(push.id, later(20))).toBe(true);
      const found = await store.submissions.find(s.id);
      expect(found?.status).toBe('delivered');
      expect(found?.events.map((e) => e.type)).toEqual(['accepted', 'delivered']);
    });

    test('a delivered submission stays delivered while the e-mail still retries', async () => {
      const s = submission();
      await store.submissions.create(s, [job(s.id), job(s.id, { channel: 'email-citizen', body: '' })]);
      const claimed = await store.deliveries.claimDue({ now: T0, limit: 2, leaseMs: 1000, owner: 'w1' });
      await store.deliveries.markDelivered(claimed.find((j) => j.channel === 'http')!.id, later(10));
      await store.deliveries.markFailed(claimed.find((j) => j.channel === 'email-citizen')!.id, 'w1', retryable('smtp down', later(100)));
      expect((await store.submissions.find(s.id))?.status).toBe('delivered');
    });

    test('releasing leases makes an owner\'s jobs pending again', async () => {
      const s = submission();
      await store.submissions.create(s, [job(s.id), job(s.id)]);
      await store.deliveries.claimDue({ now: T0, limit: 1, leaseMs: 60_000, owner: 'w1' });
      await store.deliveries.claimDue({ now: T0, limit: 1, leaseMs: 60_000, owner: 'w2' });
      expect(await store.deliveries.releaseLeases('w1', later(10))).toBe(1);
      const again = await store.deliveries.claimDue({ now: later(10), limit: 10, leaseMs: 60_000, owner: 'w3' });
      expect(again).toHaveLength(1);
    });

    test('releasing leases keeps those of the jobs named as still being sent', async () => {
      const s = submission();
      await store.submissions.create(s, [job(s.id), job(s.id), job(s.id)]);
      const claimed = await store.deliveries.claimDue({ now: T0, limit: 3, leaseMs: 60_000, owner: 'w1' });
      expect(claimed).toHaveLength(3);
      const [sending, done, other] = claimed.map((j) => j.id) as [string, string, string];
      expect(await store.deliveries.releaseLeases('w1', later(10), [sending, 'no-such-job'])).toBe(2);
      const again = await store.deliveries.claimDue({ now: later(10), limit: 10, leaseMs: 60_000, owner: 'w2' });
      expect(again.map((j) => j.id).sort()).toEqual([done, other].sort());
      const kept = (await store.deliveries.jobsOf(s.id)).find((j) => j.id === sending);
      expect(kept?.state).toBe('in_flight');
    });

    test('renewing a lease keeps the job from other claims past the lease it was claimed with; only its owner renews, never shortening it', async () => {
      const s = submission();
      await store.submissions.create(s, [job(s.id)]);
      const [claimed] = await store.deliveries.claimDue({ now: T0, limit: 1, leaseMs: 1000, owner: 'w1' });
      expect(await store.deliveries.renewLease(claimed!.id, 'w1', later(5000))).toBe(true);
      expect(await store.deliveries.claimDue({ now: later(4999), limit: 10, leaseMs: 1000, owner: 'w2' })).toEqual([]);
      // Another owner cannot renew it, and an earlier end does not shorten it.
      expect(await store.deliveries.renewLease(claimed!.id, 'w2', later(9000))).toBe(false);
      expect(await store.deliveries.renewLease(claimed!.id, 'w1', later(2000))).toBe(true);
      expect(await store.deliveries.claimDue({ now: later(4999), limit: 10, leaseMs: 1000, owner: 'w2' })).toEqual([]);
      // Once it has run out another worker takes the job, and the first owner's renewal is refused.
      const [taken] = await store.deliveries.claimDue({ now: later(5000), limit: 10, leaseMs: 1000, owner: 'w2' });
      expect(taken?.id).toBe(claimed!.id);
      expect(await store.deliveries.renewLease(claimed!.id, 'w1', later(20_000))).toBe(false);
      expect(await store.deliveries.claimDue({ now: later(6000), limit: 10, leaseMs: 1000, owner: 'w3' })).toHaveLength(1);
    });

    test('a settled job has no lease to renew', async () => {
      const s = submission();
      await store.submissions.create(s, [job(s.id), job(s.id)]);
      const [one, two] = await store.deliveries.claimDue({ now: T0, limit: 2, leaseMs: 1000, owner: 'w1' });
      await store.deliveries.markDelivered(one!.id, later(10));
      await store.deliveries.markFailed(two!.id, 'w1', retryable('receiver answered HTTP 503', later(100)));
      expect(await store.deliveries.renewLease(one!.id, 'w1', later(60_000))).toBe(false);
      expect(await store.deliveries.renewLease(two!.id, 'w1', later(60_000))).toBe(false);
      expect(await store.deliveries.renewLease('no-such-job', 'w1', later(60_000))).toBe(false);
      // The failed one is due at its next attempt, not held by a lease.
      expect((await store.deliveries.claimDue({ now: later(100), limit: 10, leaseMs: 1000, owner: 'w2' })).map((j) => j.id)).toEqual([two!.id]);
    });

    test('failed attempts and give-ups are in the audit trail, with channel, attempt and error', async () => {
      const s = submission();
      await store.submissions.create(s, [job(s.id)]);
      const [first] = await store.deliveries.claimDue({ now: T0, limit: 1, leaseMs: 1000, owner: 'w1' });
      await store.deliveries.markFailed(first!.id, 'w1', { ...retryable('receiver answered HTTP 503', later(10)), at: later(5) });
      const [second] = await store.deliveries.claimDue({ now: later(10), limit: 1, leaseMs: 1000, owner: 'w1' });
      await store.deliveries.markFailed(second!.id, 'w1', { ...retryable('receiver answered HTTP 400', later(20)), permanent: true, at: later(15) });
      expect((await store.submissions.find(s.id))?.events).toEqual([
        { type: 'accepted', at: T0 },
        { type: 'delivery_failed', at: later(5), detail: 'http, attempt 1: receiver answered HTTP 503' },
        { type: 'dead', at: later(15), detail: 'http, attempt 2: receiver answered HTTP 400' },
      ]);
    });

    test('operators list jobs by state and retry a dead one with a fresh give-up period', async () => {
      const s = submission();
      await store.submissions.create(s, [job(s.id)]);
      const [claimed] = await store.deliveries.claimDue({ now: T0, limit: 1, leaseMs: 1000, owner: 'w1' });
      // Not retryable while pending or in flight.
      expect(await store.deliveries.retry(claimed!.id, later(1))).toBeUndefined();
      await store.deliveries.markFailed(claimed!.id, 'w1', { ...retryable('receiver answered HTTP 400', later(10)), permanent: true });
      expect((await store.deliveries.jobsInState('dead', 10)).map((j) => j.id)).toEqual([claimed!.id]);
      expect(await store.deliveries.findJob(claimed!.id)).toMatchObject({ state: 'dead', lastError: 'receiver answered HTTP 400' });

      const retried = await store.deliveries.retry(claimed!.id, later(4 * DAY));
      expect(retried).toMatchObject({ id: claimed!.id, state: 'pending', nextAttemptAt: later(4 * DAY) });
      expect(await store.deliveries.jobsInState('dead', 10)).toEqual([]);
      expect((await store.submissions.find(s.id))?.events.at(-1)).toEqual({ type: 'retry_requested', at: later(4 * DAY), detail: 'http' });
      // The give-up time now counts from the retry: a failure a day later is retried again.
      const [again] = await store.deliveries.claimDue({ now: later(4 * DAY), limit: 1, leaseMs: 1000, owner: 'w1' });
      expect(await store.deliveries.markFailed(again!.id, 'w1', retryable('down', later(5 * DAY)))).toBe('failed');
      expect(await store.deliveries.findJob('no-such-job')).toBeUndefined();
    });

    test('an id holding a NUL (a raw id from a URL) is an unknown one, never an error', async () => {
      const s = submission();
      await store.submissions.create(s, [job(s.id)]);
      const nul = 'a\0b';
      expect(await store.deliveries.findJob(nul)).toBeUndefined();
      expect(await store.deliveries.retry(nul, later(1))).toBeUndefined();
      expect(await store.deliveries.jobsOf(nul)).toEqual([]);
      expect(await store.deliveries.reseal(nul, { body: 'x', contentType: 'application/jose', idempotencyKey: 'k' })).toBeUndefined();
      expect(await store.submissions.find(nul)).toBeUndefined();
      expect(await store.submissions.find(`${s.id}\0`)).toBeUndefined();
      expect(await store.inbox.find('stadt-erfurt', nul)).toBeUndefined();
      expect(await store.inbox.fetch('stadt-erfurt', nul, later(1))).toBeUndefined();
      expect(await store.inbox.acknowledge('stadt-erfurt', nul, later(1))).toBe(false);
      expect(await store.drafts.find(nul, T0)).toBeUndefined();
      expect(await store.drafts.findByResumeToken(nul, T0)).toBeUndefined();
      expect(await store.drafts.rekey(nul, 'other')).toBe(false);
      // The store still works for the real ones.
      expect((await store.deliveries.jobsOf(s.id))).toHaveLength(1);
    });

    test('jobs in a state are listed oldest first, with authorityIds only those authorities\' (a tenant operator\'s view)', async () => {
      const first = submission({ authorityId: 'amt-a', createdAt: T0 });
      const second = submission({ authorityId: 'amt-b', createdAt: later(10) });
      const third = submission({ authorityId: 'amt-c', createdAt: later(20) });
      const a = job(first.id, { authorityId: 'amt-a' });
      const b = job(second.id, { authorityId: 'amt-b' });
      const c = job(third.id, { authorityId: 'amt-c' });
      await store.submissions.create(first, [a]);
      await store.submissions.create(second, [b]);
      await store.submissions.create(third, [c]);
      const ids = async (limit: number, authorityIds?: readonly string[]) => (await store.deliveries.jobsInState('pending', limit, authorityIds)).map((j) => j.id);
      expect(await ids(10)).toEqual([a.id, b.id, c.id]);
      expect(await ids(2)).toEqual([a.id, b.id]);
      expect(await ids(10, ['amt-c', 'amt-a'])).toEqual([a.id, c.id]);
      expect(await ids(1, ['amt-c', 'amt-a'])).toEqual([a.id]);
      expect(await ids(10, ['amt-b'])).toEqual([b.id]);
      // An operator whose tenant has no authorities sees nothing, not everything.
      expect(await ids(10, [])).toEqual([]);
      expect(await ids(10, ['amt-x'])).toEqual([]);
      expect(await store.deliveries.jobsInState('dead', 10, ['amt-a'])).toEqual([]);
    });

    test('open job counts: per authority, the jobs not delivered and not dead', async () => {
      expect(await store.deliveries.openJobCounts()).toEqual(new Map());
      const s = submission({ authorityId: 'amt-a' });
      const [pending, inFlight, failing, dying, delivered] = Array.from({ length: 5 }, () => job(s.id, { authorityId: 'amt-a' }));
      const t = submission({ authorityId: 'amt-b' });
      const ofB = job(t.id, { authorityId: 'amt-b', channel: 'inbox' });
      await store.submissions.create(s, [inFlight!, failing!, dying!, delivered!]);
      await store.submissions.create(t, [ofB]);
      const claimed = await store.deliveries.claimDue({ now: T0, limit: 10, leaseMs: 60_000, owner: 'w1' });
      expect(claimed).toHaveLength(4);
      expect(await store.deliveries.markFailed(failing!.id, 'w1', retryable('receiver answered HTTP 503', later(1000)))).toBe('failed');
      expect(await store.deliveries.markFailed(dying!.id, 'w1', { ...retryable('receiver answered HTTP 400', later(1000)), permanent: true })).toBe('dead');
      expect(await store.deliveries.markDelivered(delivered!.id, later(5))).toBe(true);
      const late = submission({ authorityId: 'amt-a' });
      await store.submissions.create(late, [{ ...pending!, submissionId: late.id }]);
      // amt-a: one pending, one in flight, one failed; amt-b: its inbox job waits to be fetched.
      expect(await store.deliveries.openJobCounts()).toEqual(new Map([['amt-a', 3], ['amt-b', 1]]));
      await store.inbox.fetch('amt-b', t.id, later(10));
      expect(await store.deliveries.openJobCounts()).toEqual(new Map([['amt-a', 3]]));
    });
  });
}
