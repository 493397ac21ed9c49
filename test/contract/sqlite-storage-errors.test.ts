import path from 'node:path';
import Database from 'better-sqlite3';
import { StorageUnavailableError, type Draft } from '../../src/storage/ports';
import { settler } from '../../src/storage/sqlite/settle';
import { openSqliteStore } from '../../src/storage/sqlite/sqlite-store';
import { toStorageError, unavailableReasonOf } from '../../src/storage/sqlite/storage-errors';
import { tempDir } from '../support/temp-dir';

/**
 * How the SQLite adapter reports a database it cannot use. Every error here is produced by
 * SQLite itself on a real file; nothing is mocked. Disk full under the whole app is in
 * test/integration/storage-faults*.test.ts (a real full file system).
 */
describe('SQLite availability faults', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir('efa-sqlite-faults-');
  });
  afterEach(() => dir.remove());

  /** The error `work` throws, as the adapter translates it. */
  function translated(work: () => unknown): unknown {
    try {
      work();
    } catch (err) {
      return toStorageError(err);
    }
    throw new Error('expected an error');
  }

  const reasonOf = (err: unknown) => (err instanceof StorageUnavailableError ? [err.reason, err.code] : err);

  test('SQLite\'s own errors become StorageUnavailableError with reason and code; others stay as they are', () => {
    const file = path.join(dir.path, 'db.sqlite');
    const db = new Database(file);
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');

    // A database SQLite opened read-only.
    const readOnly = new Database(file, { readonly: true });
    expect(reasonOf(translated(() => readOnly.prepare('INSERT INTO t (v) VALUES (1)').run()))).toEqual(['read-only', 'SQLITE_READONLY']);
    readOnly.close();

    // Its limit on the file's size, reached: the same SQLITE_FULL as a full disk.
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
    expect(reasonOf(translated(() => db.prepare('INSERT INTO t (v) VALUES (?)').run('x'.repeat(100_000))))).toEqual(['disk full', 'SQLITE_FULL']);
    db.pragma('max_page_count = 1073741823');

    // The write lock held by another connection, with no time to wait.
    const holder = new Database(file);
    holder.exec('BEGIN IMMEDIATE');
    const waiter = new Database(file, { timeout: 0 });
    expect(reasonOf(translated(() => waiter.prepare('INSERT INTO t (v) VALUES (1)').run()))).toEqual(['busy', 'SQLITE_BUSY']);
    holder.exec('ROLLBACK');
    holder.close();
    waiter.close();

    // A file that must exist and does not.
    expect(reasonOf(translated(() => new Database(path.join(dir.path, 'gone.sqlite'), { fileMustExist: true })))).toEqual(['cannot open', 'SQLITE_CANTOPEN']);

    // A constraint is the caller's business, not an availability fault.
    db.prepare('INSERT INTO t (id, v) VALUES (1, 1)').run();
    const duplicate = translated(() => db.prepare('INSERT INTO t (id, v) VALUES (1, 1)').run());
    expect(duplicate).not.toBeInstanceOf(StorageUnavailableError);
    expect((duplicate as { code: string }).code).toBe('SQLITE_CONSTRAINT_PRIMARYKEY');
    db.close();
  });

  test('extended codes share their primary code\'s reason', () => {
    expect(['SQLITE_IOERR_WRITE', 'SQLITE_IOERR_FSYNC', 'SQLITE_READONLY_DBMOVED', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_LOCKED_SHAREDCACHE', 'SQLITE_CANTOPEN_ISDIR'].map(unavailableReasonOf))
      .toEqual(['I/O error', 'I/O error', 'read-only', 'busy', 'busy', 'cannot open']);
    expect(['SQLITE_ERROR', 'SQLITE_CONSTRAINT', 'SQLITE_FULLX', 'SQLITE_NOTADB'].map(unavailableReasonOf)).toEqual([undefined, undefined, undefined, undefined]);
  });

  test('a transaction an earlier failure left open is rolled back before the next call, which then works', async () => {
    const db = new Database(path.join(dir.path, 'db.sqlite'));
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY)');
    const settle = settler(db);
    // As after a ROLLBACK that failed: the connection is still inside the transaction.
    db.exec('BEGIN IMMEDIATE');
    db.prepare('INSERT INTO t (id) VALUES (1)').run();
    const insert = db.transaction(() => db.prepare('INSERT INTO t (id) VALUES (2)').run());
    await expect(settle(() => insert.immediate())).resolves.toMatchObject({ changes: 1 });
    expect(db.prepare('SELECT id FROM t').all()).toEqual([{ id: 2 }]);
    await expect(settle(() => db.prepare('INSERT INTO t (id) VALUES (2)').run())).rejects.toMatchObject({ code: 'SQLITE_CONSTRAINT_PRIMARYKEY' });
    db.close();
  });

  test('a store whose file another process keeps locked refuses writes as busy after the busy timeout, and works once the lock is gone', async () => {
    const store = openSqliteStore(dir.path);
    const other = new Database(path.join(dir.path, 'efa-forms.sqlite'));
    const t0 = new Date('2026-11-28T10:00:00.000Z');
    const draft: Draft = {
      key: 'k1', formId: 'f', formVersion: '1.0.0', dataJson: '{}', csrfToken: 'c', resumeTokenHash: null,
      createdAt: t0, updatedAt: t0, expiresAt: new Date(t0.getTime() + 1000),
    };
    try {
      other.exec('BEGIN IMMEDIATE');
      // The probe waits less than the 1 s readiness bound, then says why.
      const probeStarted = Date.now();
      await expect(store.probeWritable(t0)).rejects.toMatchObject({ name: 'StorageUnavailableError', reason: 'busy' });
      expect(Date.now() - probeStarted).toBeLessThan(1500);
      // Requests wait the store's busy timeout (5 s) first.
      const started = Date.now();
      await expect(store.drafts.create(draft)).rejects.toMatchObject({ name: 'StorageUnavailableError', reason: 'busy', code: 'SQLITE_BUSY' });
      expect(Date.now() - started).toBeGreaterThanOrEqual(4900);
      // Reading still works meanwhile (WAL).
      expect(await store.drafts.find('k1', t0)).toBeUndefined();
      other.exec('ROLLBACK');
      await store.drafts.create(draft);
      expect((await store.drafts.find('k1', t0))?.key).toBe('k1');
      await expect(store.probeWritable(t0)).resolves.toBeUndefined();
    } finally {
      other.close();
      await store.close();
    }
  }, 15_000);
});
