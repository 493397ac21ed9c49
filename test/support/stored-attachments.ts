import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Container } from '../../src/container';
import type { AttachmentRecord, Store } from '../../src/storage/ports';
import type { DocumentMediaType } from '../../src/support/media-type';
import { submit } from './channel-harness';
import { example } from './test-setup';
import { child, parseXml, textOf } from './xml';

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

export interface Uploaded { readonly id: string; readonly bytes: Buffer; readonly fileName: string; readonly mediaType: DocumentMediaType }

/** The parking permit's file question (vehicle registration), used by the delivery tests. */
export const PARKING_FORM = 'anwohnerparkausweis';
export const PARKING_FILES = '/fahrzeug/zulassungsbescheinigung';

/** Uploads the files (storeUpload) and submits the parking permit's example (valid-1: Erfurt, valid-2: Jena) with them through the API. */
export async function submitWithFiles(
  c: Container,
  files: ReadonlyArray<{ fileName: string; mediaType: DocumentMediaType; size: number }>,
  exampleName = 'valid-1',
): Promise<{ accepted: Awaited<ReturnType<typeof submit>>; uploads: Uploaded[] }> {
  const uploads: Uploaded[] = [];
  for (const f of files) {
    const bytes = documentBytes(f.mediaType, f.size);
    const record = await storeUpload(c.store, { formId: PARKING_FORM, fieldPointer: PARKING_FILES, fileName: f.fileName, mediaType: f.mediaType, bytes });
    uploads.push({ id: record.id, bytes, fileName: f.fileName, mediaType: f.mediaType });
  }
  const data = example(PARKING_FORM, exampleName) as { fahrzeug: Record<string, unknown> };
  const accepted = await submit(c, PARKING_FORM, { ...data, fahrzeug: { ...data.fahrzeug, zulassungsbescheinigung: uploads.map((u) => u.id) } });
  return { accepted, uploads };
}

/** The attachments a payload lists, as a receiver reads them from the XML. */
export function listedAttachments(xml: string): Array<{ id: string; fileName: string; mediaType: string; size: number; sha512: string }> {
  const header = child(parseXml(xml).elements![0]!, 'header');
  return child(header, 'attachments').elements!.map((a) => ({
    id: textOf(child(a, 'id')), fileName: textOf(child(a, 'fileName')), mediaType: textOf(child(a, 'mediaType')),
    size: Number(textOf(child(a, 'size'))), sha512: textOf(child(a, 'sha512')),
  }));
}
