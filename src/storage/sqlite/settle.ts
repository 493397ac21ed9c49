import type Database from 'better-sqlite3';
import { toStorageError } from './storage-errors';

/** Runs one port method's synchronous work and hands its outcome over as a promise. */
export type Settle = <T>(work: () => T) => Promise<T>;

/**
 * Rejections are Errors. better-sqlite3's errors can come from another realm (jest's module
 * registries share its native addon) and then fail `instanceof Error` here: such an error is
 * wrapped with what callers look at, its message and its `code`.
 */
function asError(value: unknown): Error {
  if (value instanceof Error) return value;
  const { message, code } = (typeof value === 'object' && value !== null ? value : {}) as { message?: unknown; code?: unknown };
  const error = new Error(typeof message === 'string' ? message : String(value), { cause: value });
  return typeof code === 'string' ? Object.assign(error, { code }) : error;
}

/** An error thrown by better-sqlite3 (or a port method's own work) as a port call rejects with it. */
export function storageFailure(err: unknown): Error {
  return asError(toStorageError(err));
}

/**
 * The databases whose store stopped after a failed fsync of its WAL (group-commit.ts), with the
 * error every later port call of theirs rejects with. Keyed by the connection, so each store's
 * own port methods (each makes its settler) see it without being handed anything.
 */
const stoppedStores = new WeakMap<Database.Database, Error>();

/**
 * Stops every port call on `db` for good: reads too, since what a read returns may include
 * frames the disk lost. Only a restart (SQLite recovers from the WAL on open) ends it.
 */
export function stopStore(db: Database.Database, failure: Error): void {
  if (!stoppedStores.has(db)) stoppedStores.set(db, failure);
}

/**
 * The one wrapper around every port method of the SQLite adapter. better-sqlite3 throws
 * synchronously; callers of an async port expect a rejected promise, never a throw from the call
 * itself. Availability faults (disk full, read-only, I/O error, busy) become a
 * StorageUnavailableError here, once, instead of in every method.
 *
 * A failed transaction is rolled back by better-sqlite3 (or by SQLite itself, for SQLITE_FULL and
 * most I/O errors), so nothing of it stays. Only when that ROLLBACK fails too (the disk refusing
 * even that) does the connection stay inside the transaction; every later BEGIN would then fail
 * with "cannot start a transaction within a transaction" long after the disk recovered. No
 * transaction spans two port calls, so one still open when a call starts is such a leftover and
 * is rolled back first: the store recovers by itself once the cause is gone.
 */
export function settler(db: Database.Database): Settle {
  return <T>(work: () => T): Promise<T> => {
    const stopped = stoppedStores.get(db);
    if (stopped) return Promise.reject(stopped);
    try {
      if (db.open && db.inTransaction) db.exec('ROLLBACK');
      return Promise.resolve(work());
    } catch (err) {
      return Promise.reject(storageFailure(err));
    }
  };
}
