import { randomBytes } from 'node:crypto';
import { open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';

/** A new file's mode before the umask, as writeFile would create it. */
const NEW_FILE_MODE = 0o666;

/**
 * Replaces a file (or creates it) so that readers (a server starting, git, a browser, a web
 * server publishing a report) see the old or the new content, never half of it, and a failed
 * write leaves the old file as it was: a temporary file in the same folder (same file system,
 * so the rename is atomic; its name starts with "." and ends in ".tmp", so neither a server
 * reading *.json nor a listing of reports picks it up), flushed to disk, renamed over the file,
 * then the folder flushed so the rename survives a power cut. An existing file keeps its
 * permissions (an operator may have made a tenant file 0640); a new one gets the umask's.
 */
export async function writeFileAtomically(file: string, text: string): Promise<void> {
  const folder = path.dirname(file);
  const temp = path.join(folder, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const kept = await stat(file).then((info) => info.mode & 0o777, () => undefined);
  try {
    const handle = await open(temp, 'wx', kept ?? NEW_FILE_MODE);
    try {
      if (kept !== undefined) await handle.chmod(kept); // open's mode passes through the umask
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw err;
  }
  await syncFolder(folder);
}

/** Flushes a folder, so a rename or new file in it survives a power cut (where the platform can). */
export async function syncFolder(folder: string): Promise<void> {
  let handle;
  try {
    handle = await open(folder, 'r');
    await handle.sync();
  } catch {
    // Some platforms (Windows) cannot open or flush a folder; the rename itself has happened.
  } finally {
    await handle?.close();
  }
}
