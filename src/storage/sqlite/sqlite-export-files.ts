import { statSync } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type Database from 'better-sqlite3';
import { FILE_ID } from '../file-intake';
import type { FileTransfer } from '../table-batch';
import { attachmentFiles } from './sqlite-attachment-files';

/**
 * The files `efa-forms copy-to-postgres` carries besides the rows (sqlite-export.ts): every file
 * an attachment row names, its own bytes and its sealed copy, as the SQLite store keeps them
 * (DATA_DIR/attachments/<id>). Files no row names (left by an interrupted clean-up, `.part`
 * files of an upload cut off) are not copied. Problems name ids only: the file name the
 * applicant gave is personal data.
 */

/** The folder of the attachments' files, as sqlite-store.ts opens it. */
const ATTACHMENTS_FOLDER = 'attachments';

/** At most this many problem lines about files; the last line counts them all. */
const MAX_FILE_PROBLEMS = 50;

/** Rows per page while the files are streamed. */
const PAGE_ROWS = 500;

interface FileRow {
  id: string;
  size: number;
  sha512: string;
  submission_id: string | null;
  sealed_file_id: string | null;
  sealed_size: number | null;
}

interface NamedFile {
  readonly id: string;
  /** What its row records (null: a sealed copy whose row lacks its size). */
  readonly size: number | null;
  readonly sha512?: string;
  readonly label: string;
}

const COLUMNS = 'id, size, sha512, submission_id, sealed_file_id, sealed_size';

/** Every file one attachment row names: its own bytes, and its sealed copy when it has one. */
function namedFiles(row: FileRow): NamedFile[] {
  const owner = row.submission_id === null ? 'not taken by a submission' : `submission ${row.submission_id}`;
  const files: NamedFile[] = [{ id: row.id, size: row.size, sha512: row.sha512, label: `the file of attachment ${row.id}, ${owner}` }];
  if (row.sealed_file_id !== null) {
    files.push({ id: row.sealed_file_id, size: row.sealed_size, label: `the sealed copy of attachment ${row.id}, ${owner}` });
  }
  return files;
}

function codeOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'error';
}

/** Why the file is not there as its row says, or undefined when it is. */
function fileProblem(folder: string, file: NamedFile): string | undefined {
  if (!FILE_ID.test(file.id)) return `the file id ${JSON.stringify(file.id)} is not a UUID`;
  const where = `${ATTACHMENTS_FOLDER}/${file.id}`;
  if (file.size === null) return `${where}: its row records no size`;
  try {
    const stat = statSync(path.join(folder, file.id));
    if (!stat.isFile()) return `${where} is not a file`;
    if (stat.size !== file.size) return `${where} has ${stat.size} bytes, its row says ${file.size}`;
    return undefined;
  } catch (err) {
    const code = codeOf(err);
    return code === 'ENOENT' ? `${where} is missing` : `${where} cannot be read (${code})`;
  }
}

/**
 * One line for every file an attachment row names that is not in DATA_DIR/attachments with the
 * size its row records (missing, not a file, another size, unreadable, an id that is no UUID),
 * at most MAX_FILE_PROBLEMS of them, then one line counting them all; none when every file is
 * there. Checked before anything is written, so a lost file refuses the copy instead of
 * failing it half-way (its SHA-512 is checked while it is copied).
 */
export function attachmentFileProblems(db: Database.Database, dir: string): string[] {
  const folder = path.join(dir, ATTACHMENTS_FOLDER);
  const lines: string[] = [];
  let count = 0;
  for (const row of db.prepare<[], FileRow>(`SELECT ${COLUMNS} FROM attachments ORDER BY id`).iterate()) {
    for (const file of namedFiles(row)) {
      const reason = fileProblem(folder, file);
      if (reason === undefined) continue;
      count += 1;
      if (lines.length < MAX_FILE_PROBLEMS) lines.push(`DATA_DIR ${dir}: ${reason} (${file.label})`);
    }
  }
  if (count === 0) return [];
  const unlisted = count > lines.length ? ` (${count - lines.length} of them not listed)` : '';
  const files = count === 1 ? '1 file the attachments name is' : `${count} files the attachments name are`;
  return [...lines, `DATA_DIR ${dir}: ${files} missing or wrong${unlisted}: put them back (from a backup) before copying; nothing was copied`];
}

/** The file's bytes as the store streams them; a read error becomes one line naming the file (the cause kept). */
async function* streamed(stream: Readable, problem: (code: string) => string): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } catch (err) {
    throw new Error(problem(codeOf(err)), { cause: err });
  } finally {
    stream.destroy();
  }
}

/**
 * The files of the attachments, in the order of their ids, read through the SQLite store's own
 * AttachmentFiles (64 KiB at a time). Rows are read a page at a time, so no statement stays open
 * while the copy awaits PostgreSQL; the caller's read transaction keeps them one snapshot.
 */
export function attachmentFileTransfers(db: Database.Database, dir: string): () => Generator<FileTransfer, void, undefined> {
  const folder = path.join(dir, ATTACHMENTS_FOLDER);
  const store = attachmentFiles(folder);
  const page = db.prepare<[string, number], FileRow>(`SELECT ${COLUMNS} FROM attachments WHERE id > ? ORDER BY id LIMIT ?`);
  return function* files() {
    let rows = page.all('', PAGE_ROWS);
    while (rows.length > 0) {
      for (const row of rows) {
        for (const file of namedFiles(row)) {
          const where = `DATA_DIR ${dir}: ${ATTACHMENTS_FOLDER}/${file.id}`;
          // Checked at open (attachmentFileProblems); a file removed since fails the copy when read.
          const storedAt = statSync(path.join(folder, file.id), { throwIfNoEntry: false })?.mtime ?? new Date();
          yield {
            id: file.id, size: file.size ?? 0, ...(file.sha512 === undefined ? {} : { sha512: file.sha512 }), storedAt,
            label: `${file.label} (${ATTACHMENTS_FOLDER}/${file.id})`,
            open: () => streamed(store.read(file.id), (code) => `${where} cannot be read (${code}, ${file.label})`),
          };
        }
      }
      rows = page.all(rows[rows.length - 1]!.id, PAGE_ROWS);
    }
  };
}
