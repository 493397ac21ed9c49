import type Database from 'better-sqlite3';
import { StorageUnavailableError } from '../ports';
import { storageFailure } from './settle';

/**
 * Runs a write as part of the next group commit and settles once that commit is on disk.
 * `work` runs inside the group's transaction (in a savepoint of its own), synchronously.
 */
export type GroupCommit = <T>(work: () => T) => Promise<T>;

export interface GroupCommitter {
  readonly run: GroupCommit;
  /** Writes what is queued now and waits for the disk on the event loop. */
  flushNow(): void;
  /** The error of the fsync that failed, once one has: the store then refuses every call (onFailure). */
  failure(): Error | undefined;
  /**
   * flushNow(), then waits for an fsync still under way; later writes reject. The store calls it
   * before it closes the WAL's descriptor and the database.
   */
  close(): Promise<void>;
}

export interface GroupCommitOptions {
  /**
   * Puts everything SQLite has written to the WAL on disk (an fsync of the WAL file, see
   * wal-sync.ts), off the event loop. Resolves once the disk has it.
   */
  readonly sync: () => Promise<void>;
  /** The same, on the event loop: for flushNow() before the database closes. */
  readonly syncNow: () => void;
  /** Called once, with the error, when an fsync fails: the store stops (see `failedSync`). */
  readonly onFailure?: (failure: Error) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

interface Pending {
  readonly work: () => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (reason: unknown) => void;
}

/**
 * More in one transaction would hold the write lock and the event loop longer than one commit
 * costs: the transaction runs on the event loop, and a group of 256 large writes held it for well
 * over 100 ms (measured), 50 small ones for 20-27 ms.
 */
const MAX_GROUP = 64;

/** What an fsync that failed means to the callers waiting for it. */
function syncFailure(err: unknown): Error {
  const code = (err as { code?: unknown } | null)?.code;
  return new StorageUnavailableError(code === 'ENOSPC' ? 'disk full' : 'I/O error', 'SQLITE_IOERR_FSYNC', { cause: err });
}

/**
 * Group commit for the SQLite adapter (issue 14 points 1 and 2). With `synchronous = FULL` every
 * COMMIT waits for the disk on the event loop (better-sqlite3 is synchronous): one commit per
 * submission, receipt, claim and delivered job made that wait the limit, and the profile showed
 * the loop blocked in fsync for 40 % of its time under load.
 *
 * So the writes that arrive while the event loop is busy are queued and written together at the
 * next turn (setImmediate): one IMMEDIATE transaction, committed with `synchronous = NORMAL`
 * (SQLite writes the WAL frames but does not wait for the disk), and then one fsync of the WAL
 * in libuv's thread pool. Only when that fsync has returned does any caller's promise settle, so
 * "a 201 is durable" holds exactly as with FULL: nobody hears of success (and no delivery starts
 * from a claim) before the WAL frames of its write are on disk. While one fsync runs, the next
 * groups commit; one fsync after it covers them all. A checkpoint still syncs the WAL before it
 * copies pages into the database (SQLite does so in NORMAL mode too), and every other write of
 * the store (outside the group commit) stays FULL: the mode is set back after each group.
 *
 * Each write runs in a savepoint of its own, so one that fails (a reference number already
 * taken) is rolled back alone and only its caller gets the error. When SQLite ended the whole
 * transaction itself (disk full, I/O error), the group stops there and every caller of it gets
 * the error: none of their writes is committed. When the COMMIT or the fsync fails, all of them
 * get its error (StorageUnavailableError).
 */
export function groupCommitter(db: Database.Database, options: GroupCommitOptions): GroupCommitter {
  let queue: Pending[] = [];
  let scheduled = false;
  // better-sqlite3 runs a transaction function called inside another one as a SAVEPOINT.
  const savepoint = db.transaction((work: () => unknown) => work());
  const normal = db.prepare('PRAGMA synchronous = NORMAL');
  const full = db.prepare('PRAGMA synchronous = FULL');

  const group = db.transaction((items: readonly Pending[]): Outcome[] => {
    const outcomes: Outcome[] = [];
    for (const item of items) {
      try {
        outcomes.push({ ok: true, value: savepoint(item.work) });
      } catch (error) {
        // SQLite rolled the whole transaction back: what follows would run outside it.
        if (!db.inTransaction) throw error;
        outcomes.push({ ok: false, error });
      }
    }
    return outcomes;
  });

  /** Groups committed but not yet covered by an fsync that started after their COMMIT. */
  let unsynced: Array<{ items: readonly Pending[]; outcomes: Outcome[] }> = [];
  let syncing: Promise<void> | undefined;
  let closed = false;
  /**
   * Set by the first fsync that failed, for good. Its groups are committed and visible, but Linux
   * may have dropped the pages it could not write and marked them clean, so a later fsync could
   * report success for a WAL that lost frames (and recovery after a power cut stops at the first
   * bad frame, dropping every later group too). So the store stops: every later call rejects
   * with this error (onFailure stops the store's other port calls and its checkpoints), and a
   * restart recovers from the WAL.
   */
  let failedSync: Error | undefined;
  const fail = (err: unknown): Error => {
    if (!failedSync) {
      failedSync = syncFailure(err);
      options.onFailure?.(failedSync);
    }
    return failedSync;
  };

  const settle = (batch: typeof unsynced, failure: Error | undefined): void => {
    for (const { items, outcomes } of batch) {
      outcomes.forEach((outcome, i) => {
        if (!outcome.ok) items[i]!.reject(storageFailure(outcome.error));
        else if (failure) items[i]!.reject(failure);
        else items[i]!.resolve(outcome.value);
      });
    }
  };

  const startSync = (): void => {
    const batch = unsynced;
    unsynced = [];
    syncing = options.sync().then(() => settle(batch, failedSync), (err: unknown) => settle(batch, fail(err))).finally(() => {
      syncing = undefined;
      if (unsynced.length > 0) startSync();
    });
  };

  /** Commits up to MAX_GROUP queued writes; `durable`: with FULL, so they are on disk when it returns. */
  const commitGroup = (durable: boolean): { items: readonly Pending[]; outcomes: Outcome[] } | undefined => {
    const items = queue.slice(0, MAX_GROUP);
    queue = queue.slice(items.length);
    try {
      // A transaction left open by a failed ROLLBACK (see settle.ts) is ended first.
      if (db.open && db.inTransaction) db.exec('ROLLBACK');
      if (!durable) normal.run();
      try {
        return { items, outcomes: group.immediate(items) };
      } finally {
        if (!durable) full.run();
      }
    } catch (err) {
      const failure = storageFailure(err);
      for (const item of items) item.reject(failure);
      return undefined;
    }
  };

  const flush = (): void => {
    scheduled = false;
    if (queue.length === 0) return;
    if (failedSync) {
      const refused = queue;
      queue = [];
      for (const item of refused) item.reject(failedSync);
      return;
    }
    const committed = commitGroup(false);
    if (queue.length > 0) schedule();
    if (!committed) return;
    unsynced.push(committed);
    if (!syncing) startSync();
  };

  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(flush);
  };

  return {
    run: <T>(work: () => T): Promise<T> => new Promise<T>((resolve, reject) => {
      if (failedSync) {
        reject(failedSync);
        return;
      }
      if (closed) {
        reject(new StorageUnavailableError('cannot open', 'SQLITE_MISUSE', { cause: new Error('the store is closed') }));
        return;
      }
      queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      schedule();
    }),
    flushNow,
    failure: () => failedSync,
    async close() {
      closed = true;
      flushNow();
      while (syncing) await syncing;
    },
  };

  function flushNow(): void {
    while (queue.length > 0 && failedSync) queue.shift()!.reject(failedSync);
    while (queue.length > 0) {
      const committed = commitGroup(true);
      if (committed) settle([committed], undefined);
    }
    // Groups still waiting for their fsync: the FULL commits above synced the WAL up to here
    // (or there were none), and one more sync on the loop settles them before the close.
    if (unsynced.length > 0) {
      const batch = unsynced;
      unsynced = [];
      let failure: Error | undefined;
      try {
        options.syncNow();
      } catch (err) {
        failure = fail(err);
      }
      settle(batch, failure);
    }
  }
}
