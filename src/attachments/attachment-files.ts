import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, type ReadStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { sniffMediaType, SNIFF_BYTES, type DocumentMediaType } from './media-type';

/** A file as stored: its id, size, media type (from its content) and SHA-512 (hex), as FIT-Connect describes attachments. */
export interface StoredFile {
  readonly id: string;
  readonly size: number;
  readonly mediaType: DocumentMediaType;
  readonly sha512: string;
}

/** Why an upload was not stored: stable codes a page or the API turns into the field's error. */
export type FileRefusal = 'empty' | 'too large' | 'type not accepted';

export type WriteOutcome = { readonly ok: true; readonly file: StoredFile } | { readonly ok: false; readonly refusal: FileRefusal };

export interface FileLimits {
  readonly maxBytes: number;
  /** The media types the question accepts, decided from the content. */
  readonly accept: readonly DocumentMediaType[];
}

/** The files of uploads, in a folder of their own (DATA_DIR/attachments for the embedded store). */
export interface AttachmentFiles {
  /**
   * Streams `content` to disk, hashing as it goes, never holding it whole; stops reading past
   * `maxBytes` (the rest is not read: the caller ends the request). Durable (fsync, then a rename
   * into place) before it resolves ok; a refused or failed upload leaves nothing behind.
   */
  write(content: AsyncIterable<Buffer>, limits: FileLimits): Promise<WriteOutcome>;
  /** The stored bytes. */
  read(id: string): ReadStream;
  /** Removes a file; one already gone is not an error. */
  remove(id: string): Promise<void>;
}

/** Ids are UUIDs: nothing else may reach a path. */
const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function attachmentFiles(folder: string): AttachmentFiles {
  const pathOf = (id: string) => {
    if (!ID.test(id)) throw new Error('not an attachment id');
    return path.join(folder, id);
  };
  return {
    async write(content, limits) {
      await mkdir(folder, { recursive: true });
      const id = randomUUID();
      const target = pathOf(id);
      const part = `${target}.part`;
      const handle = await open(part, 'wx');
      const hash = createHash('sha512');
      let size = 0;
      let head = Buffer.alloc(0);
      let refusal: FileRefusal | undefined;
      try {
        for await (const chunk of content) {
          size += chunk.length;
          if (size > limits.maxBytes) {
            refusal = 'too large';
            break;
          }
          if (head.length < SNIFF_BYTES) head = Buffer.concat([head, chunk.subarray(0, SNIFF_BYTES - head.length)]);
          hash.update(chunk);
          await handle.write(chunk);
        }
        const mediaType = sniffMediaType(head);
        if (!refusal && size === 0) refusal = 'empty';
        if (!refusal && (mediaType === undefined || !limits.accept.includes(mediaType))) refusal = 'type not accepted';
        if (refusal || mediaType === undefined) {
          await handle.close();
          await rm(part, { force: true });
          return { ok: false, refusal: refusal ?? 'type not accepted' };
        }
        await handle.sync();
        await handle.close();
        await rename(part, target);
        return { ok: true, file: { id, size, mediaType, sha512: hash.digest('hex') } };
      } catch (err) {
        await handle.close().catch(() => undefined);
        await rm(part, { force: true });
        throw err;
      }
    },
    read: (id) => createReadStream(pathOf(id)),
    async remove(id) {
      await rm(pathOf(id), { force: true });
    },
  };
}
