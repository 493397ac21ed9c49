import path from 'node:path';
import Database from 'better-sqlite3';
import { DuplicateReferenceError, StorageUnavailableError, type Draft, type Store } from '../../src/storage/ports';
import { DATABASE_FILE, openSqliteStore } from '../../src/storage/sqlite/sqlite-store';
import { mountSmallFileSystem, type SmallFileSystem } from '../support/small-filesystem';
import { tempDir } from '../support/temp-dir';
import { walCommits } from '../support/wal-commits';
import { job, later, retryable, submission, T0 } from './store-contract-fixtures';

/**
 * The SQLite store's group commit (src/storage/sqlite/group-commit.ts) seen from outside: the real
 * store on a real file, and a second connection of the test's own that sees only what is committed.
 */


const draft = (key: string, overrides: Partial<Draft> = {}): Draft => ({
  key, formId: 'hundesteuer-anmeldung', formVersion: '1.0.0', dataJson: '{"name":"Ørsted"}', csrfToken: `csrf-${key}`,
  resumeTokenHash: null, createdAt: T0, updatedAt: T0, expiresAt: later(1000), ...overrides,
});

/** What the test's own connection sees committed. */
function looker(db: Database.Database) {
  const one = (sql: string, ...args: unknown[]) => db.prepare(sql).get(...args) as Record<string, unknown> | undefined;
  return {
    hasSubmission: (id: string) => one('SELECT 1 AS x FROM submissions WHERE id = ?', id) !== undefined,
    count: (table: string) => one(`SELECT COUNT(*) AS n FROM ${table}`)!.n as number,
    jobsOf: (id: string) => one('SELECT COUNT(*) AS n FROM delivery_jobs WHERE submission_id = ?', id)!.n as number,
    dataOf: (id: string) => one('SELECT data_json FROM submissions WHERE id = ?', id)?.data_json,
    draftData: (key: string) => one('SELECT data_json FROM drafts WHERE key = ?', key)?.data_json,
    jobState: (id: string) => one('SELECT state FROM delivery_jobs WHERE id = ?', id)?.state,
    receiptSha: (id: string) => one('SELECT sha256 FROM receipts WHERE submission_id = ?', id)?.sha256,
  };
}

const outcomeOf = (settled: PromiseSettledResult<unknown>) => (settled.status === 'fulfilled' ? 'resolved' : 'rejected');

describe('SQLite group commit on a real file', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: Store;
  let file: string;
  let other: Database.Database;
  let sees: ReturnType<typeof looker>;

  beforeEach(() => {
    dir = tempDir('efa-group-commit-');
    store = openSqliteStore(dir.path);
    file = path.join(dir.path, DATABASE_FILE);
    other = new Database(file, { readonly: true, fileMustExist: true });
    sees = looker(other);
  });
  afterEach(async () => {
    if (other.open) other.close();
    await store.close();
    dir.remove();
  });

  test('50 creates issued in one tick all resolve, are all committed, in one transaction', async () => {
    const subs = Array.from({ length: 50 }, () => submission());
    const before = walCommits(file);
    await expect(Promise.all(subs.map((s) => store.submissions.create(s, [job(s.id)])))).resolves.toHaveLength(50);
    const after = walCommits(file);
    expect(subs.filter((s) => !sees.hasSubmission(s.id))).toEqual([]);
    expect([sees.count('submissions'), sees.count('delivery_jobs'), sees.count('submission_events')]).toEqual([50, 50, 50]);
    // The WAL was not restarted in between (far from the 1000-page checkpoint), so the difference
    // counts the commits: one for the whole group, not one per submission.
    expect(after.salt).toBe(before.salt);
    expect(after.commits - before.commits).toBe(1);
  });

  test('in one group a taken reference rejects with DuplicateReferenceError alone; the other creates are committed', async () => {
    const taken = submission();
    const takenJob = job(taken.id);
    await store.submissions.create(taken, [takenJob]);
    const fresh = Array.from({ length: 8 }, () => submission());
    const twin = submission();
    // Fails after its submission row is in: its savepoint must take that row back too.
    const clash = submission();
    const before = walCommits(file);
    const settled = await Promise.allSettled([
      ...fresh.slice(0, 4).map((s) => store.submissions.create(s, [job(s.id)])),
      store.submissions.create({ ...taken, dataJson: '{"other":true}' }, [job(taken.id)]),
      store.submissions.create(twin, [job(twin.id)]),
      store.submissions.create(twin, [job(twin.id)]),
      store.submissions.create(clash, [job(clash.id), job(clash.id, { idempotencyKey: takenJob.idempotencyKey })]),
      ...fresh.slice(4).map((s) => store.submissions.create(s, [job(s.id)])),
    ]);
    expect(walCommits(file).commits - before.commits).toBe(1);
    expect(settled.map(outcomeOf)).toEqual([...Array<string>(4).fill('resolved'), 'rejected', 'resolved', 'rejected', 'rejected', ...Array<string>(4).fill('resolved')]);
    const reasons = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
    expect(reasons[0]).toBeInstanceOf(DuplicateReferenceError);
    expect(reasons[1]).toBeInstanceOf(DuplicateReferenceError);
    expect(reasons[2]).toMatchObject({ code: 'SQLITE_CONSTRAINT_UNIQUE' });
    expect(fresh.filter((s) => !sees.hasSubmission(s.id))).toEqual([]);
    expect([sees.dataOf(taken.id), sees.jobsOf(taken.id)]).toEqual([taken.dataJson, 1]);
    expect([sees.hasSubmission(twin.id), sees.jobsOf(twin.id)]).toEqual([true, 1]);
    expect([sees.hasSubmission(clash.id), sees.jobsOf(clash.id)]).toEqual([false, 0]);
    expect(sees.count('submissions')).toBe(1 + 8 + 1);
  });

  test('no caller hears of success before another connection sees its write', async () => {
    const base = submission();
    const pendingJob = job(base.id);
    const leasedJob = job(base.id, { lease: { owner: 'worker-1', until: later(60_000) } });
    await store.submissions.create(base, [pendingJob, leasedJob]);
    await store.drafts.create(draft('d-old'));
    const subs = Array.from({ length: 20 }, () => submission());
    const pdf = Buffer.from('%PDF-1.7 receipt');
    const seenAtResolve: Array<[string, boolean]> = [];
    const check = <T>(name: string, visible: (value: T) => boolean) => (value: T) => {
      seenAtResolve.push([name, visible(value)]);
    };
    const before = walCommits(file);
    await Promise.all([
      ...subs.map((s) => store.submissions.create(s, [job(s.id)]).then(check(s.id, () => sees.hasSubmission(s.id) && sees.jobsOf(s.id) === 1))),
      store.drafts.create(draft('d-new')).then(check('draft created', () => sees.draftData('d-new') === '{"name":"Ørsted"}')),
      store.drafts.update('d-old', { dataJson: '{"step":2}', updatedAt: later(10), expiresAt: later(5000) })
        .then(check('draft updated', () => sees.draftData('d-old') === '{"step":2}')),
      store.deliveries.markDelivered(pendingJob.id, later(20)).then(check('delivered', (ok) => ok && sees.jobState(pendingJob.id) === 'delivered')),
      store.deliveries.markFailed(leasedJob.id, 'worker-1', retryable('HTTP 503', later(60_000)))
        .then(check('failed', (state) => state === 'failed' && sees.jobState(leasedJob.id) === 'failed')),
      store.receipts.putReceiptIfAbsent(base.id, pdf).then(check('receipt', (r) => r !== undefined && sees.receiptSha(base.id) === r.sha256)),
    ]);
    expect(seenAtResolve.filter(([, visible]) => !visible)).toEqual([]);
    expect(seenAtResolve).toHaveLength(25);
    // All of these kinds of write went into the same group.
    expect(walCommits(file).commits - before.commits).toBe(1);
  });

  /**
   * Writes still queued when close() is called: each promise either resolves with its row on disk
   * (looked at after the store closed, with a new connection) or rejects without it; none hangs.
   */
  async function closeWithQueuedWrites(startProbeThread: boolean) {
    // With the probe thread started, close() waits for the thread to end (a real wait, during
    // which the queued group may run on its own); without it, close() reaches flushNow() first.
    if (startProbeThread) await store.probeWritable(T0);
    const before = Array.from({ length: 5 }, () => submission());
    const writes = before.map((s) => store.submissions.create(s, [job(s.id)]));
    const draftWrite = store.drafts.create(draft('d-closing'));
    const closing = store.close();
    const during = submission();
    const duringWrite = store.submissions.create(during, [job(during.id)]);
    await closing;
    const after = submission();
    const afterWrite = store.submissions.create(after, [job(after.id)]);
    const settled = await Promise.allSettled([...writes, draftWrite, duringWrite, afterWrite]);

    // The test's reader closed first, so the store's connection was the last and checkpointed.
    const reopened = new Database(file, { readonly: true, fileMustExist: true });
    try {
      const onDisk = looker(reopened);
      const rows = [...before, during, after].map((s) => onDisk.hasSubmission(s.id));
      rows.splice(before.length, 0, onDisk.draftData('d-closing') !== undefined);
      expect(settled.map(outcomeOf)).toEqual(rows.map((present) => (present ? 'resolved' : 'rejected')));
      // A write after close() has finished cannot be committed: it must reject.
      expect(settled.at(-1)!.status).toBe('rejected');
      return settled.map(outcomeOf);
    } finally {
      reopened.close();
    }
  }

  test('close() with writes queued: each is committed and resolves, or rejects; nothing hangs', async () => {
    other.close();
    await closeWithQueuedWrites(false);
  });

  test('close() with writes queued while the probe thread is ending: committed and resolved, or rejected', async () => {
    other.close();
    await closeWithQueuedWrites(true);
  });
});

/**
 * A disk that fills up for real under a group (a tmpfs of its own, see small-filesystem.ts; needs
 * root with CAP_SYS_ADMIN, as CI has). A read-only fault cannot be made during a group this way:
 * Linux refuses to remount a file system read-only (EBUSY) while the store holds its file open for
 * writing.
 */
describe('SQLite group commit on a disk that fills up', () => {
  let dir: ReturnType<typeof tempDir>;
  let disk: SmallFileSystem;
  let store: Store;
  let other: Database.Database;
  let sees: ReturnType<typeof looker>;

  beforeEach(() => {
    dir = tempDir('efa-group-commit-full-');
    disk = mountSmallFileSystem(path.join(dir.path, 'data'), 8 * 1024 * 1024);
    store = openSqliteStore(disk.path);
    other = new Database(path.join(disk.path, DATABASE_FILE), { readonly: true, fileMustExist: true });
    sees = looker(other);
  });
  afterEach(async () => {
    other.close();
    await store.close();
    disk.remove();
    dir.remove();
  });

  // Small rows reach the disk only at COMMIT. 60 rows of 320 kB (19 MB, more than better-sqlite3's
  // 16 MB page cache; 63 writes, one group of at most 64) spill to the WAL in the middle of the
  // group: SQLite fails one statement and ends the whole transaction itself. 1 MB is left free
  // there, and stays in the WAL file after that rollback: a write the group ran after the
  // failure, outside its transaction, would fit and be committed on its own.
  test.each([
    ['at the COMMIT', 12, 100, 0],
    ['in the middle of the group', 60, 320_000, 1024 * 1024],
  ])('disk full %s: every caller of the group gets StorageUnavailableError, none of its rows is committed, the next group succeeds', async (_when, count, size, leaveBytes) => {
    const base = submission();
    const baseJob = job(base.id);
    await store.submissions.create(base, [baseJob]);

    disk.fill(leaveBytes);
    const subs = Array.from({ length: count }, () => submission({ dataJson: JSON.stringify({ text: 'ä'.repeat(size / 2) }) }));
    const settled = await Promise.allSettled([
      ...subs.map((s) => store.submissions.create(s, [job(s.id)])),
      store.drafts.create(draft('d-full')),
      store.deliveries.markDelivered(baseJob.id, later(10)),
      store.receipts.putReceiptIfAbsent(base.id, Buffer.from('%PDF-1.7 receipt')),
    ]);
    const reasons = settled.map((s) => (s.status === 'rejected' ? s.reason as unknown : 'resolved'));
    expect(reasons.filter((r) => !(r instanceof StorageUnavailableError && r.reason === 'disk full'))).toEqual([]);
    expect(reasons).toHaveLength(count + 3);
    expect([sees.count('submissions'), sees.count('delivery_jobs'), sees.count('drafts'), sees.count('receipts')]).toEqual([1, 1, 0, 0]);
    expect(sees.jobState(baseJob.id)).toBe('pending');

    disk.free();
    const next = Array.from({ length: 5 }, () => submission());
    await Promise.all([
      ...next.map((s) => store.submissions.create(s, [job(s.id)])),
      store.drafts.create(draft('d-full')),
      store.deliveries.markDelivered(baseJob.id, later(20)),
    ]);
    expect(next.filter((s) => !sees.hasSubmission(s.id))).toEqual([]);
    expect([sees.draftData('d-full'), sees.jobState(baseJob.id)]).toEqual(['{"name":"Ørsted"}', 'delivered']);
  });
});
