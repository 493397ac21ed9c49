import { StorageUnavailableError, type StorageUnavailableReason } from '../ports';

/**
 * SQLite's result codes for a database that cannot be used just now, by prefix: extended codes
 * (SQLITE_IOERR_WRITE, SQLITE_IOERR_FSYNC, SQLITE_READONLY_DBMOVED, SQLITE_BUSY_SNAPSHOT, …)
 * share their primary code's reason. A runtime EROFS reaches SQLite through write() or fsync()
 * and so arrives as SQLITE_IOERR_*; SQLITE_READONLY means SQLite itself opened the file
 * read-only. SQLITE_BUSY and SQLITE_LOCKED arrive only after the busy timeout has run out.
 */
const UNAVAILABLE: ReadonlyArray<readonly [prefix: string, reason: StorageUnavailableReason]> = [
  ['SQLITE_FULL', 'disk full'],
  ['SQLITE_READONLY', 'read-only'],
  ['SQLITE_IOERR', 'I/O error'],
  ['SQLITE_CANTOPEN', 'cannot open'],
  ['SQLITE_BUSY', 'busy'],
  ['SQLITE_LOCKED', 'busy'],
];

/** The reason for an SQLite result code, or undefined when the code is not an availability fault. */
export function unavailableReasonOf(code: string): StorageUnavailableReason | undefined {
  return UNAVAILABLE.find(([prefix]) => code === prefix || code.startsWith(`${prefix}_`))?.[1];
}

/**
 * better-sqlite3's error as the port reports it: a StorageUnavailableError for availability
 * faults (the original error as its cause), anything else unchanged.
 */
export function toStorageError(err: unknown): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return err;
  const reason = unavailableReasonOf(code);
  return reason === undefined ? err : new StorageUnavailableError(reason, code, { cause: err });
}

/** The operating system's codes for a file store that cannot be written just now. */
const FILE_UNAVAILABLE: Readonly<Record<string, StorageUnavailableReason>> = {
  ENOSPC: 'disk full',
  EDQUOT: 'disk full',
  EROFS: 'read-only',
  EIO: 'I/O error',
};

/**
 * An error of the folder of files (DATA_DIR/attachments) as the port reports it: a full,
 * read-only or failing volume is a StorageUnavailableError (503, try again) like the database's,
 * anything else (a file that is not there, the request's own failure) unchanged.
 */
export function toFileStorageError(err: unknown): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  const reason = typeof code === 'string' ? FILE_UNAVAILABLE[code] : undefined;
  return reason === undefined ? err : new StorageUnavailableError(reason, code as string, { cause: err });
}
