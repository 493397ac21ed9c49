import { deflateSync } from 'node:zlib';

/**
 * How the receipt's document turns what it writes into bytes: the same bytes as pdfkit's own
 * code, with less work per receipt (pdfkit offers no settings for any of it).
 *
 * - Deflated at level 1 instead of zlib's default 6. Deflating was the most expensive single
 *   step of a receipt (font files, page contents, ICC profile, attachment); level 1 takes
 *   about a quarter less time and makes a receipt 0.7 to 1.1 KB (2 to 3 %) larger. The
 *   streams hold the same data, still FlateDecode; zlib's output for the same input and level
 *   is the same, so the PDF stays reproducible. At level 6 the PDF is pdfkit's own byte for
 *   byte.
 * - A stream whose data recur is deflated once per process: the ICC profile (the same buffer
 *   in every document), a font file (receipt-subset.ts gives out the same file for the same
 *   glyphs) and a stream written as one text (the fonts' ToUnicode maps). Keyed by the buffer
 *   itself, or by the text; deflating the same input again would give the same bytes.
 * - Text written to a stream (each operator of a page's content, about a thousand per receipt)
 *   is kept as text and converted to bytes once, when the stream is finished, instead of
 *   line by line; and text the document writes (object headers, dictionaries, the xref) is
 *   converted natively. Both as pdfkit does it: one byte per UTF-16 unit, its low byte
 *   (latin1), each line ended by "\n".
 */
export const DEFLATE_LEVEL = 1;

/** Deflated streams of recurring buffers; they are never written to once handed to pdfkit. */
const deflatedBuffers = new WeakMap<Uint8Array, Buffer>();
/** Deflated streams written as one text (ToUnicode maps: a few hundred bytes to a few KB). */
const deflatedTexts = new Map<string, Buffer>();
const MAX_TEXTS = 512;
const MAX_TEXT_LENGTH = 32 * 1024;

function deflate(data: Uint8Array): Buffer {
  return deflateSync(data, { level: DEFLATE_LEVEL });
}

/** pdfkit's PDFReference, as far as it is used here. */
interface PdfReference {
  compress: boolean;
  buffer: Uint8Array[];
  uncompressedLength: number;
  data: { Length?: number; Filter?: string };
  write(chunk: string | Uint8Array): void;
  finalize(): void;
}

/** pdfkit's PDFDocument, as far as it is used here. */
interface DocumentInternals {
  ref(data?: object): PdfReference;
  push(chunk: Uint8Array | null): boolean;
  _write(data: string | Uint8Array): void;
  _offset: number;
}

function isReference(reference: PdfReference): boolean {
  return typeof reference.finalize === 'function' && typeof reference.write === 'function' && Array.isArray(reference.buffer) &&
    typeof reference.compress === 'boolean' && typeof reference.uncompressedLength === 'number' && typeof reference.data === 'object';
}

/**
 * Makes the document write and deflate the streams of the objects it makes from now on as
 * above: PDFReference.write and finalize, and the document's _write, replaced on the objects.
 * Leaves objects alone that are not as expected (another pdfkit).
 */
export function deflateFaster(doc: PDFKit.PDFDocument): void {
  const internals = doc as unknown as DocumentInternals;
  if (typeof internals._write === 'function' && typeof internals.push === 'function' && typeof internals._offset === 'number') {
    const write = internals._write.bind(doc);
    internals._write = (data) => {
      if (typeof data !== 'string') return write(data);
      const bytes = Buffer.from(`${data}\n`, 'latin1');
      internals.push(bytes);
      internals._offset += bytes.length;
    };
  }
  const ref = internals.ref.bind(doc);
  internals.ref = (data) => {
    const reference = ref(data);
    if (!isReference(reference)) return reference;
    const write = reference.write.bind(reference);
    const finalize = reference.finalize.bind(reference);
    // Lines written since the last bytes; what the stream was written as, for the caches.
    let lines: string[] = [];
    let single: string | Uint8Array | undefined;
    let writes = 0;
    const flush = (): void => {
      if (lines.length === 0) return;
      reference.buffer.push(Buffer.from(`${lines.join('\n')}\n`, 'latin1'));
      lines = [];
    };
    reference.write = (chunk) => {
      single = ++writes === 1 ? chunk : undefined;
      if (typeof chunk !== 'string') {
        flush();
        write(chunk);
        return;
      }
      // What pdfkit's write does with the bytes of `${chunk}\n`.
      const length = chunk.length + 1;
      lines.push(chunk);
      reference.uncompressedLength += length;
      reference.data.Length = (reference.data.Length ?? 0) + length;
      if (reference.compress) reference.data.Filter = 'FlateDecode';
    };
    reference.finalize = () => {
      flush();
      if (reference.compress && reference.buffer.length > 0) {
        reference.buffer = [deflateOnce(reference.buffer, single)];
        reference.compress = false;
      }
      finalize();
    };
    return reference;
  };
}

/**
 * The chunks of a stream deflated; from the caches when the stream was written as one recurring
 * text or buffer (`single`: what it was written as, when it was written at once).
 */
function deflateOnce(chunks: readonly Uint8Array[], single: string | Uint8Array | undefined): Buffer {
  const data = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  if (typeof single === 'string' && single.length <= MAX_TEXT_LENGTH) {
    let deflated = deflatedTexts.get(single);
    if (!deflated) {
      deflated = deflate(data);
      if (deflatedTexts.size >= MAX_TEXTS) deflatedTexts.clear();
      deflatedTexts.set(single, deflated);
    }
    return deflated;
  }
  if (single instanceof Uint8Array) {
    let deflated = deflatedBuffers.get(single);
    if (!deflated) {
      deflated = deflate(data);
      deflatedBuffers.set(single, deflated);
    }
    return deflated;
  }
  return deflate(data);
}
