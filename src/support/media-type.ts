/**
 * The media type of an uploaded file, decided from its first bytes, never from its name or the
 * Content-Type the browser sent (issue 15: "wrong type, decided from the file's content"). Only
 * the types a form can accept for documents are known; anything else is undefined, and the
 * upload is refused as a type the question does not accept.
 */
export const DOCUMENT_MEDIA_TYPES = ['application/pdf', 'image/jpeg', 'image/png', 'image/tiff', 'image/webp', 'image/heic'] as const;
export type DocumentMediaType = (typeof DOCUMENT_MEDIA_TYPES)[number];

/**
 * The file name extensions of each type, the usual one first: the name a file is kept under
 * ends in it (attachments/file-name.ts), and the file input's `accept` lists them all.
 */
export const MEDIA_TYPE_EXTENSIONS: Readonly<Record<DocumentMediaType, readonly [string, ...string[]]>> = {
  'application/pdf': ['pdf'], 'image/jpeg': ['jpg', 'jpeg'], 'image/png': ['png'], 'image/tiff': ['tif', 'tiff'],
  'image/webp': ['webp'], 'image/heic': ['heic', 'heif'],
};

/** How many leading bytes sniffMediaType needs at most. */
export const SNIFF_BYTES = 32;

const startsWith = (head: Buffer, bytes: readonly number[], at = 0) => head.length >= at + bytes.length && bytes.every((b, i) => head[at + i] === b);
const ascii = (head: Buffer, text: string, at = 0) => startsWith(head, [...Buffer.from(text, 'latin1')], at);

/**
 * The signatures (magic numbers) of the document types: PDF (`%PDF-`, ISO 32000), JPEG (SOI and
 * the first marker, FF D8 FF), PNG (its 8-byte signature), TIFF (II*\0 or MM\0*), WebP (RIFF
 * ....WEBP) and HEIC (an ISO-BMFF `ftyp` box whose major brand is heic, heix, heim or heis, or mif1
 * with a HEIF image; the brands are those of ISO/IEC 23008-12).
 */
export function sniffMediaType(head: Buffer): DocumentMediaType | undefined {
  if (ascii(head, '%PDF-')) return 'application/pdf';
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(head, [0x49, 0x49, 0x2a, 0x00]) || startsWith(head, [0x4d, 0x4d, 0x00, 0x2a])) return 'image/tiff';
  if (ascii(head, 'RIFF') && ascii(head, 'WEBP', 8)) return 'image/webp';
  if (ascii(head, 'ftyp', 4) && ['heic', 'heix', 'heim', 'heis', 'mif1'].some((brand) => ascii(head, brand, 8))) return 'image/heic';
  return undefined;
}
