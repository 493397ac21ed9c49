import { createHash } from 'node:crypto';
import { sniffMediaType, SNIFF_BYTES } from '../support/media-type';
import type { FileLimits, FileRefusal, StoredFile } from './attachment-ports';

/**
 * The one way an upload enters a blob store (the folder beside SQLite, PostgreSQL's table): each
 * chunk is counted, hashed (SHA-512) and handed to the store's sink as it comes, never the whole
 * file; reading stops past `maxBytes` (the rest is not read); the media type is decided from the
 * first bytes, and reading stops there too when it is not accepted. The store commits only when this answers a file, and discards otherwise.
 */
export async function takeIn(
  id: string,
  content: AsyncIterable<Buffer>,
  limits: FileLimits,
  sink: (chunk: Buffer) => Promise<void>,
): Promise<{ readonly ok: true; readonly file: StoredFile } | { readonly ok: false; readonly refusal: FileRefusal }> {
  const hash = createHash('sha512');
  let size = 0;
  let head = Buffer.alloc(0);
  const accepted = () => {
    const type = sniffMediaType(head);
    return type !== undefined && limits.accept.includes(type) ? type : undefined;
  };
  for await (const chunk of content) {
    size += chunk.length;
    if (size > limits.maxBytes) return { ok: false, refusal: 'too large' };
    if (head.length < SNIFF_BYTES) {
      head = Buffer.concat([head, chunk.subarray(0, SNIFF_BYTES - head.length)]);
      // Decided as soon as the signature is in: a file of another type is not read (nor stored) to its end.
      if (head.length === SNIFF_BYTES && accepted() === undefined) return { ok: false, refusal: 'type not accepted' };
    }
    hash.update(chunk);
    await sink(chunk);
  }
  if (size === 0) return { ok: false, refusal: 'empty' };
  const mediaType = accepted();
  if (mediaType === undefined) return { ok: false, refusal: 'type not accepted' };
  return { ok: true, file: { id, size, mediaType, sha512: hash.digest('hex') } };
}

/** Ids of stored files are UUIDs: nothing else may reach a path or a query. */
export const FILE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
