import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { AttachmentRecord, Store } from '../../src/storage/ports';
import type { DocumentMediaType } from '../../src/support/media-type';

/** The magic numbers the media-type check looks for (support/media-type.ts). */
const MAGIC: Readonly<Partial<Record<DocumentMediaType, Buffer>>> = {
  'application/pdf': Buffer.from('%PDF-1.7\n', 'latin1'),
  'image/png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  'image/jpeg': Buffer.from([0xff, 0xd8, 0xff, 0xe0]),
};

/** A file of that type (its magic number, then random bytes) of exactly `size` bytes. */
export function documentBytes(mediaType: DocumentMediaType, size: number): Buffer {
  const magic = MAGIC[mediaType];
  if (!magic) throw new Error(`no magic number for ${mediaType}`);
  return Buffer.concat([magic, randomBytes(Math.max(0, size - magic.length))]);
}

export const sha512Hex = (bytes: Buffer): string => createHash('sha512').update(bytes).digest('hex');

/**
 * Stores an API upload the way the attachment service does (bytes through the store's intake,
 * then the metadata), for tests that deliver files without going through the upload route.
 */
export async function storeUpload(
  store: Pick<Store, 'attachments' | 'attachmentFiles'>,
  upload: { formId: string; fieldPointer: string; fileName: string; mediaType: DocumentMediaType; bytes: Buffer },
): Promise<AttachmentRecord> {
  // Chunks of 64 KiB, as a request stream delivers them.
  const chunks: Buffer[] = [];
  for (let at = 0; at < upload.bytes.length; at += 65_536) chunks.push(upload.bytes.subarray(at, at + 65_536));
  const outcome = await store.attachmentFiles.write(Readable.from(chunks), { maxBytes: 50 * 1024 * 1024, accept: [upload.mediaType] });
  if (!outcome.ok) throw new Error(`upload refused: ${outcome.refusal}`);
  const { file } = outcome;
  const record = {
    id: file.id, formId: upload.formId, fieldPointer: upload.fieldPointer, fileName: upload.fileName,
    mediaType: file.mediaType, size: file.size, sha512: file.sha512, scanned: true, createdAt: new Date(),
  };
  await store.attachments.add(record);
  return record;
}
