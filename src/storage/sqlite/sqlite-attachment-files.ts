import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, opendir, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { AttachmentFiles } from '../attachment-ports';
import { syncFolder } from '../../support/atomic-write';
import { FILE_ID, takeIn } from '../file-intake';
import { toFileStorageError } from './storage-errors';

/**
 * The embedded store's files: one file per upload in a folder of its own (DATA_DIR/attachments),
 * written as `<id>.part`, fsynced and renamed into place, so a file under its id is whole. A
 * refused or failed upload leaves nothing behind.
 */
export function attachmentFiles(folder: string): AttachmentFiles {
  const pathOf = (id: string) => {
    if (!FILE_ID.test(id)) throw new Error('not an attachment id');
    return path.join(folder, id);
  };

  /** A file written whole or not at all; a full or read-only volume is reported as the store being unavailable. */
  async function store<T>(fill: (handle: FileHandle, id: string) => Promise<T | undefined>): Promise<T | undefined> {
    try {
      return await storeFile(fill);
    } catch (err) {
      throw toFileStorageError(err);
    }
  }

  async function storeFile<T>(fill: (handle: FileHandle, id: string) => Promise<T | undefined>): Promise<T | undefined> {
    await mkdir(folder, { recursive: true });
    const id = randomUUID();
    const target = pathOf(id);
    const part = `${target}.part`;
    const handle = await open(part, 'wx');
    try {
      const result = await fill(handle, id);
      if (result === undefined) {
        await handle.close();
        await rm(part, { force: true });
        return undefined;
      }
      await handle.sync();
      await handle.close();
      await rename(part, target);
      // The rename must survive a power cut too: the row that names the file is committed next.
      await syncFolder(folder);
      return result;
    } catch (err) {
      await handle.close().catch(() => undefined);
      await rm(part, { force: true });
      throw err;
    }
  }

  return {
    async write(content, limits) {
      let refusal: Awaited<ReturnType<AttachmentFiles['write']>> | undefined;
      const stored = await store(async (handle, id) => {
        const outcome = await takeIn(id, content, limits, async (chunk) => { await handle.write(chunk); });
        if (outcome.ok) return outcome;
        refusal = outcome;
        return undefined;
      });
      return stored ?? refusal ?? { ok: false, refusal: 'empty' };
    },
    async writeRaw(content) {
      const stored = await store(async (handle, id) => {
        let size = 0;
        for await (const chunk of content) {
          size += chunk.length;
          await handle.write(chunk);
        }
        return { id, size };
      });
      if (!stored) throw new Error('unreachable: a raw write always keeps its file');
      return stored;
    },
    read: (id) => createReadStream(pathOf(id)),
    async remove(id) {
      await rm(pathOf(id), { force: true });
    },
    async *filesBefore(before) {
      for await (const { name, path: at } of entries(folder)) {
        if (FILE_ID.test(name) && (await modifiedBefore(at, before))) yield name;
      }
    },
    async removeUnfinished(before) {
      // A `.part` is only ever a write in progress; one a crash left stays until this.
      let removed = 0;
      for await (const { name, path: at } of entries(folder)) {
        if (!name.endsWith('.part') || !FILE_ID.test(name.slice(0, -'.part'.length)) || !(await modifiedBefore(at, before))) continue;
        await rm(at, { force: true });
        removed += 1;
      }
      return removed;
    },
  };
}

/** The folder's files as they are read (never the whole list at once); none before the first upload. */
async function* entries(folder: string): AsyncGenerator<{ readonly name: string; readonly path: string }> {
  let dir;
  try {
    dir = await opendir(folder);
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ENOENT') return;
    throw err;
  }
  for await (const entry of dir) if (entry.isFile()) yield { name: entry.name, path: path.join(folder, entry.name) };
}

/** Whether the file was last written before `before` (false when it went meanwhile). */
async function modifiedBefore(at: string, before: Date): Promise<boolean> {
  const info = await stat(at).catch(() => undefined);
  return info !== undefined && info.mtimeMs < before.getTime();
}
