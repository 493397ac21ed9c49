import path from 'node:path';
import Database from 'better-sqlite3';
import { StartupError } from '../../startup-error';
import type { FileTransfer, TableBatch, TableValue } from '../table-batch';
import { dataDirProblem } from './data-dir';
import { SQLITE_MIGRATIONS } from './migrations';
import { attachmentFileProblems, attachmentFileTransfers } from './sqlite-export-files';
import { DATABASE_FILE, sqliteDatabaseExists } from './sqlite-store';

/**
 * Reads a whole SQLite database for `efa-forms copy-to-postgres`: every table, in an order that
 * satisfies the foreign keys (a submission before its events and jobs), each in the order of its
 * primary key, in batches, so a database of any size is never held in memory at once. Times
 * (epoch milliseconds here) become Dates and 0/1 flags booleans; text and BLOBs (the stored
 * receipts) are passed as stored. The files the attachments name (their bytes and sealed copies,
 * DATA_DIR/attachments/<id>) follow, streamed one by one (files()), after every file was found
 * with the size its row records (checked at open, one problem line per file that is not).
 */

interface ExportedTable {
  readonly name: string;
  /** ORDER BY: the primary key. */
  readonly key: string;
  /** Columns holding epoch milliseconds. */
  readonly times: readonly string[];
  /** Columns holding 0/1. */
  readonly flags: readonly string[];
  /** Columns holding BLOBs (passed on byte for byte). */
  readonly blobs?: readonly string[];
}

/** Dependency order: parents first. */
const TABLES: readonly ExportedTable[] = [
  { name: 'submissions', key: 'id', times: ['created_at', 'acknowledged_at', 'purged_at'], flags: ['is_test'] },
  { name: 'submission_events', key: 'submission_id, seq', times: ['at'], flags: [] },
  { name: 'receipts', key: 'submission_id', times: ['created_at'], flags: [], blobs: ['pdf'] },
  {
    name: 'delivery_jobs', key: 'id',
    times: ['next_attempt_at', 'lease_until', 'delivered_at', 'fetched_at', 'give_up_from', 'created_at', 'purged_at'], flags: ['is_test'],
  },
  { name: 'drafts', key: 'key', times: ['created_at', 'updated_at', 'expires_at'], flags: [] },
  // After its submission (submission_id) and beside its draft (draft_key, no foreign key).
  { name: 'attachments', key: 'id', times: ['created_at', 'held_at', 'fetched_at'], flags: ['scanned'] },
  { name: 'operator_audit', key: 'seq', times: ['at'], flags: [] },
  { name: 'operator_sessions', key: 'key', times: ['created_at', 'expires_at'], flags: [] },
  { name: 'test_links', key: 'token_hash', times: ['created_at', 'expires_at'], flags: [] },
  { name: 'configuration_generation', key: 'id', times: ['at'], flags: [] },
  { name: 'write_probe', key: 'id', times: ['probed_at'], flags: [] },
];

/**
 * Tables not copied: delivery_job_counts is derived (the target keeps its own from the jobs,
 * by trigger), sqlite_sequence is SQLite's AUTOINCREMENT bookkeeping.
 */
const DERIVED_TABLES = new Set(['delivery_job_counts', 'sqlite_sequence']);

/** The tables copied, in the order they are read. */
export const EXPORTED_TABLES: readonly string[] = TABLES.map((t) => t.name);

export interface SqliteExportOptions {
  /** At most this many rows per batch (default 500). */
  readonly batchRows?: number;
  /** A batch ends once its text (and binary data) reaches about this many characters or bytes (default 8 million): payloads and receipts may be large. */
  readonly batchChars?: number;
}

export interface SqliteExport {
  /** The database file read. */
  readonly file: string;
  /** Every table's rows in batches, tables in dependency order; one consistent snapshot. */
  batches(): Generator<TableBatch, void, undefined>;
  /**
   * Every file an attachment row names (its bytes, its sealed copy), in the order of the
   * attachments' ids, each with the size (and SHA-512) its row records; read after batches(),
   * in the same snapshot. Each file is opened only when asked for and streamed.
   */
  files(): Generator<FileTransfer, void, undefined>;
  /** Releases the file (and its lock). Safe to call twice. */
  close(): void;
}

function converted(table: ExportedTable, row: Record<string, unknown>): Record<string, TableValue> {
  const out: Record<string, TableValue> = {};
  for (const [column, value] of Object.entries(row)) {
    if (value === null) out[column] = null;
    else if (table.times.includes(column)) {
      if (!Number.isSafeInteger(value)) throw new Error(`${table.name}.${column}: not a time in epoch milliseconds`);
      out[column] = new Date(value as number);
    } else if (table.flags.includes(column)) {
      if (value !== 0 && value !== 1) throw new Error(`${table.name}.${column}: not 0 or 1`);
      out[column] = value === 1;
    } else if (table.blobs?.includes(column)) {
      // ArrayBuffer.isView, not instanceof Buffer: the addon's Buffers may come from another realm (jest).
      if (!ArrayBuffer.isView(value)) throw new Error(`${table.name}.${column}: not binary data`);
      out[column] = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    } else if (typeof value === 'string' || typeof value === 'number') out[column] = value;
    else throw new Error(`${table.name}.${column}: a value of type ${typeof value}`);
  }
  // Rows from before migration 4 may lack the payload; the SQLite adapter reads them as ''.
  if (table.name === 'submissions' && out.payload_xml === null) out.payload_xml = '';
  return out;
}

function textSize(row: Readonly<Record<string, TableValue>>): number {
  let size = 0;
  for (const value of Object.values(row)) size += typeof value === 'string' ? value.length : Buffer.isBuffer(value) ? value.byteLength : 8;
  return size;
}

/** The one line for an error SQLite raised while the file was opened and locked. */
function openProblem(dir: string, err: unknown): Error {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    return dataDirProblem(dir, `the database ${DATABASE_FILE} is in use by another process (an efa-forms server or worker, or a command): stop every process using it, then copy`);
  }
  if (typeof code === 'string' && code.startsWith('SQLITE_')) {
    return dataDirProblem(dir, `the database ${DATABASE_FILE} cannot be read (${code}: ${(err as Error).message})`);
  }
  return err instanceof Error ? err : new Error(String(err));
}

/**
 * Opens DATA_DIR/efa-forms.sqlite for copying: only an existing database (none is created), of
 * exactly this code's schema version, and only while no other process has it open. The file is
 * held in exclusive locking mode until close(), so a server cannot start on it (and write rows
 * the copy would miss) while it is read. Problems are StartupErrors with one line naming DATA_DIR.
 */
export function openSqliteExport(dataDir: string, options: SqliteExportOptions = {}): SqliteExport {
  const dir = path.resolve(dataDir);
  if (!sqliteDatabaseExists(dir)) throw dataDirProblem(dir, `no database ${DATABASE_FILE} there (nothing to copy)`);
  const file = path.join(dir, DATABASE_FILE);
  const batchRows = options.batchRows ?? 500;
  const batchChars = options.batchChars ?? 8_000_000;
  let db: Database.Database | undefined;
  try {
    // Read-write only so that SQLite may take the exclusive lock: nothing is written.
    db = new Database(file, { fileMustExist: true, timeout: 0 });
    // Without shared memory a WAL database needs the file's exclusive lock, which fails at once
    // (SQLITE_BUSY) while any other connection, even an idle one, has it open.
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN');
    db.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (err) {
    if (db?.open) db.close();
    throw openProblem(dir, err);
  }
  const open = db;
  const close = () => {
    if (!open.open) return;
    if (open.inTransaction) open.exec('COMMIT');
    open.close();
  };
  try {
    const version = open.pragma('user_version', { simple: true }) as number;
    if (version !== SQLITE_MIGRATIONS.length) {
      throw dataDirProblem(dir, version < SQLITE_MIGRATIONS.length
        ? `the database ${DATABASE_FILE} has schema version ${version}, older than this efa-forms (${SQLITE_MIGRATIONS.length}): start this version's server on it once (it migrates at start), stop it, then copy`
        : `the database ${DATABASE_FILE} has schema version ${version}, newer than this efa-forms (${SQLITE_MIGRATIONS.length}): copy with the efa-forms that wrote it`);
    }
    const present = open.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").all().map((r) => r.name);
    const unknown = present.filter((name) => !EXPORTED_TABLES.includes(name) && !DERIVED_TABLES.has(name));
    // A table this code does not copy would be lost silently: refuse instead.
    if (unknown.length > 0) throw dataDirProblem(dir, `the database ${DATABASE_FILE} has tables this copy does not know: ${unknown.join(', ')}`);
    // A file missing now would fail the copy half-way: refuse before anything is written.
    const problems = attachmentFileProblems(open, dir);
    if (problems.length > 0) throw new StartupError(problems);
  } catch (err) {
    close();
    throw err;
  }

  function* batches(): Generator<TableBatch, void, undefined> {
    for (const table of TABLES) {
      // Table names and keys are this module's constants, never input.
      const rows = open.prepare<[], Record<string, unknown>>(`SELECT * FROM ${table.name} ORDER BY ${table.key}`).iterate();
      let batch: Record<string, TableValue>[] = [];
      let chars = 0;
      for (const row of rows) {
        const value = converted(table, row);
        batch.push(value);
        chars += textSize(value);
        if (batch.length >= batchRows || chars >= batchChars) {
          yield { table: table.name, rows: batch };
          batch = [];
          chars = 0;
        }
      }
      // An empty table still yields one (empty) batch, so the reader reports it with 0 rows.
      yield { table: table.name, rows: batch };
    }
  }

  return { file, batches, files: attachmentFileTransfers(open, dir), close };
}
