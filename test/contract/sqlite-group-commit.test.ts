import { readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { DuplicateReferenceError, StorageUnavailableError, type Draft, type Store } from '../../src/storage/ports';
import { checkpointThread, type CheckpointThread } from '../../src/storage/sqlite/checkpoint-thread';
import { groupCommitter } from '../../src/storage/sqlite/group-commit';
import { DATABASE_FILE, openSqliteStore } from '../../src/storage/sqlite/sqlite-store';
import { walSync } from '../../src/storage/sqlite/wal-sync';
import { mountSmallFileSystem, type SmallFileSystem } from '../support/small-filesystem';
import { tempDir } from '../support/temp-dir';
import { job, later, retryable, submission, T0 } from './store-contract-fixtures';

/**
 * The SQLite store's group commit (src/storage/sqlite/group-commit.ts) seen from outside: the real
 * store on a real file, and a second connection of the test's own that sees only what is committed.
 */

/**
 * How many transactions the WAL holds since it was last restarted. Every COMMIT in WAL mode ends
 * with exactly one frame whose "database size after commit" field is not 0; frames count only while
 * they carry the header's salts and their cumulative checksum is right (as SQLite itself reads the
 * WAL). `PRAGMA data_version` cannot count commits: it changes once per read that finds any change,
 * however many commits came in between, so 1 and 50 commits look the same to it. (WAL padding, which
 * would repeat a commit frame, happens only without powersafe overwrite, which Linux builds have.)
 */
function walCommits(dbFile: string): { salt: string; commits: number } {
  const wal = readFileSync(`${dbFile}-wal`);
  const bigEndian = (wal.readUInt32BE(0) & 1) === 1;
  const word = (i: number) => (bigEndian ? wal.readUInt32BE(i) : wal.readUInt32LE(i));
  let s0 = 0;
  let s1 = 0;
  const add = (from: number, to: number) => {
    for (let i = from; i < to; i += 8) {
      s0 = (s0 + word(i) + s1) >>> 0;
      s1 = (s1 + word(i + 4) + s0) >>> 0;
    }
  };
  const checksumAt = (i: number) => s0 === wal.readUInt32BE(i) && s1 === wal.readUInt32BE(i + 4);
  add(0, 24);
  if (!checksumAt(24)) throw new Error('the WAL header is not valid');
  const pageSize = wal.readUInt32BE(8);
  const salt = wal.subarray(16, 24);
  let commits = 0;
  for (let at = 32; at + 24 + pageSize <= wal.length; at += 24 + pageSize) {
    if (!wal.subarray(at + 8, at + 16).equals(salt)) break;
    add(at, at + 8);
    add(at + 24, at + 24 + pageSize);
    if (!checksumAt(at + 16)) break;
    if (wal.readUInt32BE(at + 4) !== 0) commits += 1;
  }
  return { salt: salt.toString('hex'), commits };
}

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

/**
 * The group commit's wait for the disk (group-commit.ts, wal-sync.ts): the COMMIT runs with
 * `synchronous = NORMAL` and an fsync of the WAL in the thread pool follows; callers settle only
 * after that fsync. The committer here is the real one on a real file, with the real walSync;
 * the test only watches the order in which things happen.
 */
describe('SQLite group commit waits for the WAL on disk', () => {
  let dir: ReturnType<typeof tempDir>;
  let db: Database.Database;
  let file: string;

  beforeEach(() => {
    dir = tempDir('efa-group-commit-sync-');
    file = path.join(dir.path, 'db.sqlite');
    db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
  });
  afterEach(() => {
    if (db.open) db.close();
    dir.remove();
  });

  test('no caller settles before an fsync that began after its COMMIT has returned; the connection is FULL again after each group', async () => {
    const real = walSync(file);
    const events: string[] = [];
    const committer = groupCommitter(db, {
      sync: async () => {
        events.push(`sync-start ${(db.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n}`);
        await real.sync();
        events.push('sync-end');
      },
      syncNow: real.syncNow,
    });
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    const write = (v: string) => committer.run(() => {
      events.push(`work ${v}`);
      return insert.run(v).lastInsertRowid;
    }).then((id) => {
      events.push(`settled ${v}`);
      return id;
    });
    const first = [write('a'), write('b')];
    // Committed at the next turn; the fsync of the first group is under way when these arrive.
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    const second = [write('c'), write('d')];
    await Promise.all([...first, ...second]);
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    // Each caller settles after a sync-end that followed a sync-start which saw its row committed.
    for (const [v, rows] of [['a', 2], ['b', 2], ['c', 4], ['d', 4]] as const) {
      const settledAt = events.indexOf(`settled ${v}`);
      const syncStart = events.findIndex((e, i) => i < settledAt && e.startsWith('sync-start') && Number(e.split(' ')[1]) >= rows);
      expect(syncStart).toBeGreaterThan(events.indexOf(`work ${v}`));
      expect(events.slice(syncStart, settledAt)).toContain('sync-end');
    }
  });

  test('a failed fsync rejects every caller of its groups with StorageUnavailableError (I/O error); the next group settles again', async () => {
    let failing = true;
    const real = walSync(file);
    // A real failing fsync: the WAL and database of a directory that does not exist.
    const broken = walSync(path.join(dir.path, 'missing', 'db.sqlite'));
    const committer = groupCommitter(db, { sync: () => (failing ? broken.sync() : real.sync()), syncNow: real.syncNow });
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    const settled = await Promise.allSettled([committer.run(() => insert.run('x')), committer.run(() => insert.run('y'))]);
    expect(settled.map((s) => (s.status === 'rejected' ? s.reason as unknown : 'resolved'))
      .filter((r) => !(r instanceof StorageUnavailableError && r.reason === 'I/O error' && r.code === 'SQLITE_IOERR_FSYNC'))).toEqual([]);
    failing = false;
    await expect(committer.run(() => insert.run('z').changes)).resolves.toBe(1);
  });
});

/**
 * The checkpoint thread (checkpoint-thread.ts) copies the WAL into the database once it holds
 * 1,000 pages not yet copied. Here on a database whose own connection never checkpoints
 * (wal_autocheckpoint = 0): nothing else copies the WAL.
 */
describe('SQLite checkpoints on a thread of their own', () => {
  test('past 1,000 WAL pages not yet copied, the thread copies them all; the next write restarts the WAL', async () => {
    const dir = tempDir('efa-checkpoint-thread-');
    const file = path.join(dir.path, 'db.sqlite');
    const db = new Database(file);
    let thread: CheckpointThread | undefined;
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('wal_autocheckpoint = 0');
      db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
      const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
      // About 1,300 pages of 4 kB, in 20 transactions.
      for (let i = 0; i < 20; i++) db.transaction(() => [0, 1, 2].forEach(() => insert.run('x'.repeat(88_000))))();
      const pending = () => {
        const shm = readFileSync(`${file}-shm`);
        return shm.readUInt32LE(16) - shm.readUInt32LE(96);
      };
      expect(pending()).toBeGreaterThan(1000);
      const before = walCommits(file);
      thread = checkpointThread(file);
      const deadline = Date.now() + 10_000;
      while (pending() > 0 && Date.now() < deadline) await new Promise<void>((resolve) => setTimeout(resolve, 20));
      expect(pending()).toBe(0);
      insert.run('y');
      expect(walCommits(file)).toMatchObject({ commits: 1 });
      expect(walCommits(file).salt).not.toBe(before.salt);
      expect((db.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n).toBe(61);
    } finally {
      await thread?.close();
      db.close();
      dir.remove();
    }
  });
});
