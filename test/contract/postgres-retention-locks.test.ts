import type { NewSubmission, PurgeRequest, Store } from '../../src/storage/ports';
import { openPostgresStore } from '../../src/storage/postgres/postgres-store';
import { waitUntil } from '../support/channel-harness';
import { createTestDatabase, type TestDatabase } from '../support/postgres-database';
import { DAY, job, later, submission } from './store-contract-fixtures';

/**
 * The PostgreSQL purge against rows someone else holds (pg-retention.ts steps 2 and 3): it never
 * waits for a job another transaction has locked (a worker settling it, an operator's retry
 * under way), leaves that submission whole for the next call, and checks it once more under its
 * locks, so that a retry committed meanwhile keeps the data. SQLite has one writer at a time, so
 * this is PostgreSQL only. Each test has a fresh database of its own.
 */
describe('PostgreSQL retention with jobs locked by another transaction', () => {
  let db: TestDatabase;
  let store: Store;
  // Raw connections of the test's own; db.drop() ends them.
  const connect = () => db.connect();

  beforeEach(async () => {
    db = await createTestDatabase();
    // A purge that waited for a lock instead of skipping it fails here (57014), not at Jest's limit.
    store = await openPostgresStore({ url: db.url, poolSize: 4, statementTimeoutMs: 5_000 });
  });
  afterEach(async () => {
    await store.close();
    await db.drop();
  });

  const DELIVERED_AT = later(3600_000);
  const DUE = new Date(DELIVERED_AT.getTime() + 30 * DAY);
  const request: PurgeRequest = { now: DUE, defaultDays: 30, daysByForm: new Map(), limit: 100 };

  /**
   * A submission due at DUE: its authority job delivered, the applicant's e-mail given up (dead,
   * so retryable by an operator, which would make it pending again). Returns the dead job's id.
   */
  async function dueWithDeadMail(): Promise<{ s: NewSubmission; deadJobId: string }> {
    const s = submission();
    const push = job(s.id, { channel: 'http' });
    const mail = job(s.id, { channel: 'email-citizen' });
    await store.submissions.create(s, [push, mail]);
    expect(await store.deliveries.claimDue({ now: DELIVERED_AT, limit: 10, leaseMs: 60_000, owner: 'w' })).toHaveLength(2);
    await store.deliveries.markDelivered(push.id, DELIVERED_AT);
    await store.deliveries.markFailed(mail.id, 'w', { error: 'SMTP 550', nextAttemptAt: DELIVERED_AT, permanent: true, giveUpAfterMs: 0, at: DELIVERED_AT });
    return { s, deadJobId: mail.id };
  }

  /** The answers are still there: in the submission and in both job bodies. */
  async function expectIntact(s: NewSubmission): Promise<void> {
    const found = await store.submissions.find(s.id);
    expect({ data: found?.dataJson, payload: found?.payloadXml, purgedAt: found?.purgedAt }).toEqual({ data: s.dataJson, payload: s.payloadXml, purgedAt: undefined });
    const jobs = await store.deliveries.jobsOf(s.id);
    expect(jobs.map((j) => ({ body: j.body, purgedAt: j.purgedAt }))).toEqual([
      { body: job(s.id).body, purgedAt: undefined }, { body: job(s.id).body, purgedAt: undefined },
    ]);
  }

  /** What an operator's retry writes first (SET_RETRY), before it takes the submission's row. */
  const RETRY_STATEMENT = "UPDATE delivery_jobs SET state = 'pending', next_attempt_at = $2, give_up_from = $2 WHERE id = $1 AND state = 'dead'";

  test('a job row held by another transaction: nothing is purged and the purge does not wait; after its ROLLBACK the next purge takes it', async () => {
    const { s, deadJobId } = await dueWithDeadMail();
    const other = await connect();
    await other.query('BEGIN');
    expect((await other.query('SELECT id FROM delivery_jobs WHERE id = $1 FOR UPDATE', [deadJobId])).rows).toHaveLength(1);

    // Resolves while the lock is still held (waiting for it would end in the statement timeout).
    expect(await store.submissions.purgeDue(request)).toEqual({ purged: 0, removedFiles: [] });
    await expectIntact(s);

    await other.query('ROLLBACK');
    expect(await store.submissions.purgeDue(request)).toEqual({ purged: 1, removedFiles: [] });
    expect((await store.submissions.find(s.id))?.dataJson).toBe('');
  });

  test("the submission's row held (as a retry or a worker holds it to write an event): skipped without waiting, taken once released", async () => {
    const { s } = await dueWithDeadMail();
    const other = await connect();
    await other.query('BEGIN');
    expect((await other.query('SELECT id FROM submissions WHERE id = $1 FOR UPDATE', [s.id])).rows).toHaveLength(1);

    expect(await store.submissions.purgeDue(request)).toEqual({ purged: 0, removedFiles: [] });
    await expectIntact(s);

    await other.query('COMMIT');
    expect(await store.submissions.purgeDue(request)).toEqual({ purged: 1, removedFiles: [] });
  });

  test('a retry under way (its job updated, not committed): nothing is purged; once it commits the data stays', async () => {
    const { s, deadJobId } = await dueWithDeadMail();
    const other = await connect();
    await other.query('BEGIN');
    expect((await other.query(RETRY_STATEMENT, [deadJobId, DUE])).rowCount).toBe(1);

    expect(await store.submissions.purgeDue(request)).toEqual({ purged: 0, removedFiles: [] });
    await expectIntact(s);

    await other.query('COMMIT');
    expect(await store.submissions.purgeDue(request)).toEqual({ purged: 0, removedFiles: [] });
    await expectIntact(s);
    expect(await store.deliveries.findJob(deadJobId)).toMatchObject({ state: 'pending' });
  });

  test('a retry committed after the purge took the submission but before it held the jobs: the check under the locks keeps the data', async () => {
    const { s, deadJobId } = await dueWithDeadMail();
    // The whole jobs table held against row locks (EXCLUSIVE lets plain reads through): the purge
    // takes the due submission (step 1 only reads the jobs), then waits to lock its jobs (step 2).
    const other = await connect();
    const watcher = await connect();
    await other.query('BEGIN');
    await other.query('LOCK TABLE delivery_jobs IN EXCLUSIVE MODE');
    let settled = false;
    const purging = store.submissions.purgeDue(request).finally(() => {
      settled = true;
    });
    await waitUntil(async () => {
      if (settled) return true;
      const { rows } = await watcher.query<{ n: string }>(
        "SELECT COUNT(*) AS n FROM pg_locks WHERE locktype = 'relation' AND relation = 'delivery_jobs'::regclass AND NOT granted");
      return Number(rows[0]?.n) > 0;
    });
    expect(settled).toBe(false);

    // Between step 1 and step 2: the job is made pending again and committed.
    expect((await other.query(RETRY_STATEMENT, [deadJobId, DUE])).rowCount).toBe(1);
    await other.query('COMMIT');

    expect(await purging).toEqual({ purged: 0, removedFiles: [] });
    await expectIntact(s);
    expect(await store.deliveries.findJob(deadJobId)).toMatchObject({ state: 'pending' });
  });
});
