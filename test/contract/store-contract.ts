import { randomUUID } from 'node:crypto';
import { DuplicateReferenceError, type DeliveryStats, type Draft, type NewDeliveryJob, type NewSubmission, type Store } from '../../src/storage/ports';

/**
 * One behavioural contract for every storage adapter. Each adapter's test file calls this with
 * a factory; `reopen` must return a store on the same underlying data (a restart).
 */
export interface StoreFactory {
  open(): Promise<Store>;
  /** Removes everything, after the suite. */
  destroy(): Promise<void>;
}

let counter = 0;
function submission(overrides: Partial<NewSubmission> = {}): NewSubmission {
  counter += 1;
  return {
    id: `TEST-${String(counter).padStart(4, '0')}-${randomUUID().slice(0, 4)}`,
    tokenHash: 'a'.repeat(64),
    formId: 'hundesteuer-anmeldung',
    formVersion: '1.0.0',
    tenantId: 'thueringen',
    authorityId: 'stadt-erfurt',
    regionArs: '160510000000',
    language: 'de',
    dataJson: JSON.stringify({ name: 'Łukasz Żółć', betrag: 1.5 }),
    payloadXml: '<submission>Łukasz</submission>',
    createdAt: new Date('2026-11-28T10:00:00.000Z'),
    ...overrides,
  };
}

function job(submissionId: string, overrides: Partial<NewDeliveryJob> = {}): NewDeliveryJob {
  return {
    id: randomUUID(),
    submissionId,
    authorityId: 'stadt-erfurt',
    channel: 'http',
    idempotencyKey: randomUUID(),
    contentType: 'application/xml; charset=utf-8',
    body: '<submission>ä</submission>',
    ...overrides,
  };
}

const T0 = new Date('2026-11-28T10:00:00.000Z');
const DAY = 24 * 3600 * 1000;
/** A retryable failure with the default give-up time of 72 hours. */
const retryable = (error: string, nextAttemptAt: Date) => ({ error, nextAttemptAt, permanent: false, giveUpAfterMs: 3 * DAY, at: T0 });
const later = (ms: number) => new Date(T0.getTime() + ms);

export function storeContract(name: string, factory: () => StoreFactory): void {
  describe(`storage contract: ${name}`, () => {
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

    test('the operator audit trail: newest first, at most limit, by tenant, detail only when given', async () => {
      const entry = (n: number, tenantId: string | null, detail?: string) => ({
        at: later(n * 1000), actor: tenantId === null ? 'admin' : `${tenantId}/it`, tenantId, action: 'delivery.retry', target: `job-${n}`,
        outcome: n % 2 === 0 ? 'ok' as const : 'refused' as const, ...(detail === undefined ? {} : { detail }),
      });
      expect(await store.operatorAudit.list({ limit: 10 })).toEqual([]);
      await store.operatorAudit.record(entry(1, 'land-a', 'DELIVERY_NOT_FOUND'));
      await store.operatorAudit.record(entry(2, 'land-b'));
      await store.operatorAudit.record(entry(3, null, '2 problem(s)'));
      await store.operatorAudit.record(entry(4, 'land-a'));
      // Recorded with the same time as an earlier one: still listed after it (newest recorded first).
      await store.operatorAudit.record({ ...entry(5, 'land-a'), at: later(4000) });
      expect(await store.operatorAudit.list({ limit: 10 })).toEqual([
        { ...entry(5, 'land-a'), at: later(4000) }, entry(4, 'land-a'), entry(3, null, '2 problem(s)'), entry(2, 'land-b'), entry(1, 'land-a', 'DELIVERY_NOT_FOUND'),
      ]);
      expect((await store.operatorAudit.list({ limit: 2 })).map((e) => e.target)).toEqual(['job-5', 'job-4']);
      expect((await store.operatorAudit.list({ tenantId: 'land-a', limit: 10 })).map((e) => e.target)).toEqual(['job-5', 'job-4', 'job-1']);
      expect((await store.operatorAudit.list({ tenantId: 'land-a', limit: 1 })).map((e) => e.target)).toEqual(['job-5']);
      expect(await store.operatorAudit.list({ tenantId: 'land-b', limit: 10 })).toEqual([entry(2, 'land-b')]);
      expect(await store.operatorAudit.list({ tenantId: 'land-c', limit: 10 })).toEqual([]);
      const [withoutDetail] = await store.operatorAudit.list({ tenantId: 'land-b', limit: 1 });
      expect(withoutDetail).not.toHaveProperty('detail');
      // The trail outlives a restart.
      await store.close();
      store = await f.open();
      expect(await store.operatorAudit.list({ limit: 10 })).toHaveLength(5);
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

    const draft = (key: string, overrides: Partial<Draft> = {}): Draft => ({
      key, formId: 'hundesteuer-anmeldung', formVersion: '1.0.0', dataJson: '{"name":"Ørsted"}', csrfToken: `csrf-${key}`,
      resumeTokenHash: null, createdAt: T0, updatedAt: T0, expiresAt: later(1000), ...overrides,
    });

    test('drafts are created, found, updated and deleted', async () => {
      await store.drafts.create(draft('k1'));
      expect(await store.drafts.find('k1', T0)).toEqual(draft('k1'));
      expect(await store.drafts.find('k2', T0)).toBeUndefined();
      await store.drafts.update('k1', { dataJson: '{"name":"Ελένη"}', updatedAt: later(10), expiresAt: later(5000) });
      expect(await store.drafts.find('k1', later(20))).toEqual(draft('k1', { dataJson: '{"name":"Ελένη"}', updatedAt: later(10), expiresAt: later(5000) }));
      await store.drafts.update('k1', { resumeTokenHash: 'r1', updatedAt: later(30), expiresAt: later(5000) });
      expect((await store.drafts.find('k1', later(40)))?.dataJson).toBe('{"name":"Ελένη"}');
      expect((await store.drafts.findByResumeToken('r1', later(40)))?.key).toBe('k1');
      expect(await store.drafts.findByResumeToken('r2', later(40))).toBeUndefined();
      expect(await store.drafts.rekey('k1', 'k1-new')).toBe(true);
      expect(await store.drafts.find('k1', later(40))).toBeUndefined();
      expect((await store.drafts.find('k1-new', later(40)))?.dataJson).toBe('{"name":"Ελένη"}');
      expect(await store.drafts.rekey('k1', 'k1-other')).toBe(false);
      await store.drafts.delete('k1-new');
      expect(await store.drafts.find('k1-new', later(40))).toBeUndefined();
    });

    test('expired drafts are invisible at once and deleted by deleteExpired', async () => {
      await store.drafts.create(draft('old', { expiresAt: later(100), resumeTokenHash: 'r-old' }));
      await store.drafts.create(draft('new', { expiresAt: later(10_000) }));
      expect(await store.drafts.find('old', later(100))).toBeUndefined();
      expect(await store.drafts.findByResumeToken('r-old', later(100))).toBeUndefined();
      expect(await store.drafts.deleteExpired(later(100))).toBe(1);
      expect(await store.drafts.deleteExpired(later(100))).toBe(0);
      expect(await store.drafts.find('new', later(100))).toBeDefined();
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
