import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { AttachmentFiles } from '../attachment-ports';
import { syncFolder } from '../../support/atomic-write';
import { FILE_ID, takeIn } from '../file-intake';

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

  async function store<T>(fill: (handle: FileHandle, id: string) => Promise<T | undefined>): Promise<T | undefined> {
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
  };
}
