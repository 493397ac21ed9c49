import path from 'node:path';
import Database from 'better-sqlite3';
import { StorageUnavailableError } from '../../src/storage/ports';
import { checkpointThread, type CheckpointThread } from '../../src/storage/sqlite/checkpoint-thread';
import { groupCommitter } from '../../src/storage/sqlite/group-commit';
import { settler, stopStore } from '../../src/storage/sqlite/settle';
import { walSync } from '../../src/storage/sqlite/wal-sync';
import { tempDir } from '../support/temp-dir';
import { walCommits } from '../support/wal-commits';

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

  test('no caller settles before an fsync that began after its COMMIT has returned; a group committed during an fsync waits for the next; the connection is FULL again after each group', async () => {
    const real = walSync(file);
    const events: string[] = [];
    // The first fsync is held until the test lets it go, so the second group surely commits while
    // it is under way.
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let syncs = 0;
    const committer = groupCommitter(db, {
      sync: async () => {
        events.push(`sync-start ${(db.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n}`);
        if (syncs++ === 0) await held;
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
    const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
    const first = [write('a'), write('b')];
    await turn(); // the first group commits; its fsync starts and is held
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    const second = [write('c'), write('d')];
    await turn(); // the second group commits while the first fsync is held
    expect(events).toEqual(['work a', 'work b', 'sync-start 2', 'work c', 'work d']);
    release();
    await Promise.all([...first, ...second]);
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    // a and b after the first fsync; c and d only after a second one that began after their COMMIT.
    expect(events).toEqual(['work a', 'work b', 'sync-start 2', 'work c', 'work d', 'sync-end', 'settled a', 'settled b', 'sync-start 4', 'sync-end', 'settled c', 'settled d']);
  });

  test('a failed WAL sync rejects every caller of its groups with StorageUnavailableError (I/O error), and every later write: the store stops', async () => {
    // A sync that fails for real: the WAL of a folder that does not exist cannot be opened for its
    // fsync (an fsync that fails with EIO needs a failing disk, which the test cannot make).
    const broken = walSync(path.join(dir.path, 'missing', 'db.sqlite'));
    const failures: Error[] = [];
    // As the store wires it (sqlite-store.ts): the failure stops every port call on the database.
    const committer = groupCommitter(db, { sync: broken.sync, syncNow: broken.syncNow, onFailure: (failure) => {
      failures.push(failure);
      stopStore(db, failure);
    } });
    const settle = settler(db);
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    const isSyncFailure = (r: unknown) => r instanceof StorageUnavailableError && r.reason === 'I/O error' && r.code === 'SQLITE_IOERR_FSYNC';
    // Outcomes taken at once: the sync fails within the turn, before the test could attach them.
    const first = Promise.allSettled([committer.run(() => insert.run('x')), committer.run(() => insert.run('y'))]);
    await new Promise<void>((resolve) => setImmediate(resolve)); // the first group commits; its sync runs
    const queued = Promise.allSettled([committer.run(() => insert.run('queued before the failure was known'))]);
    const settled = [...await first, ...await queued];
    expect(settled.map((s) => (s.status === 'rejected' ? s.reason as unknown : 'resolved')).filter((r) => !isSyncFailure(r))).toEqual([]);
    expect(failures).toHaveLength(1);
    // Every other port call on the database, reads included, rejects with the same error.
    await expect(settle(() => db.prepare('SELECT COUNT(*) AS n FROM t').get())).rejects.toBe(failures[0]);
    // Committed all the same (the COMMIT came before the sync): what the callers were told is
    // "not known to be on disk", and the store writes nothing more until it is restarted.
    // The queued write may have committed in the second group before the first sync failed, or
    // not at all: never both rejected and missing the first two rows.
    expect((db.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n).toBeGreaterThanOrEqual(2);
    expect(isSyncFailure(committer.failure())).toBe(true);
    const rows = (db.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n;
    const later = await Promise.allSettled([committer.run(() => insert.run('z'))]);
    expect(later[0].status === 'rejected' && isSyncFailure(later[0].reason)).toBe(true);
    expect((db.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n).toBe(rows);
    committer.flushNow();
    expect(failures).toHaveLength(1);
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
      // Asked through SQLite (NOOP copies nothing), not read from the -shm file: closing a
      // descriptor of it would drop SQLite's POSIX locks (see checkpoint-thread.ts).
      const pending = () => {
        const [row] = db.pragma('wal_checkpoint(NOOP)') as Array<{ log: number; checkpointed: number }>;
        return row!.log - row!.checkpointed;
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
