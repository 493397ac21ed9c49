import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, statSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { StartupError } from '../../startup-error';

const NEEDS_WRITE = 'efa-forms needs to write its database there';

function codeOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : err instanceof Error ? err.name : 'Error';
}

/** What an operator should read for a failed write into the folder. */
function writeFailure(code: string): string {
  if (code === 'EROFS') return `read-only file system (${code})`;
  if (code === 'EACCES' || code === 'EPERM') return `not writable (${code})`;
  if (code === 'ENOSPC' || code === 'EDQUOT') return `no space left (${code})`;
  return `cannot be written (${code})`;
}

/** Creates the folder and its parents; an existing one (or a file in its place) is left alone. */
function createFolder(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    return;
  } catch (err) {
    if (codeOf(err) === 'EEXIST') return;
  }
  // Node's recursive mkdir reports some failures (EROFS among them) as ENOENT. Creating the first
  // missing folder on its own gives the kernel's real answer.
  let missing = dir;
  for (let parent = path.dirname(missing); parent !== missing && !existsSync(parent); parent = path.dirname(missing)) missing = parent;
  try {
    mkdirSync(missing);
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw dataDirProblem(dir, `does not exist and cannot be created (${codeOf(err)})`);
  }
}

/** One start-up line about DATA_DIR, e.g. `DATA_DIR /srv/efa: read-only file system (EROFS): …`. */
export function dataDirProblem(dir: string, reason: string): StartupError {
  return new StartupError([`DATA_DIR ${dir}: ${reason}`]);
}

/**
 * Makes sure DATA_DIR exists (creating it if needed), is a directory and can really be written,
 * before the database is opened: otherwise SQLite would fail later with a stack trace that does
 * not say why. Permission bits alone do not tell (root ignores them, a read-only mount or a full
 * disk does not show in them), so a small file is written, synced and removed. Throws a
 * StartupError with one line naming the folder and the reason. Returns the absolute path.
 */
export function ensureWritableDataDir(dataDir: string): string {
  const dir = path.resolve(dataDir);
  createFolder(dir);
  let isDirectory: boolean;
  try {
    isDirectory = statSync(dir).isDirectory();
  } catch (err) {
    throw dataDirProblem(dir, `cannot be read (${codeOf(err)})`);
  }
  if (!isDirectory) throw dataDirProblem(dir, 'is not a directory');

  const probe = path.join(dir, `.efa-forms-write-check-${process.pid}-${randomUUID()}`);
  let fd: number;
  try {
    fd = openSync(probe, 'wx');
  } catch (err) {
    throw dataDirProblem(dir, `${writeFailure(codeOf(err))}: ${NEEDS_WRITE}`);
  }
  // Each step runs even when an earlier one failed, so the check file never stays behind; the
  // first failure is the one reported.
  let failure: unknown;
  try {
    // Some file systems report a full disk only when the data reaches it (fsync), not on write.
    writeSync(fd, 'efa-forms');
    fsyncSync(fd);
  } catch (err) {
    failure = err;
  }
  try {
    closeSync(fd);
  } catch (err) {
    failure ??= err;
  }
  try {
    unlinkSync(probe);
  } catch (err) {
    failure ??= err;
  }
  if (failure !== undefined) throw dataDirProblem(dir, `${writeFailure(codeOf(failure))}: ${NEEDS_WRITE}`);
  return dir;
}
