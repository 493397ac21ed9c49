import { createHash } from 'node:crypto';
import { contentDisposition } from './content-disposition';
import type { OutboundFile } from './outbound-payload';

/*
 * The body of an http push that carries files (docs/delivery.md#attachments): multipart/mixed
 * (RFC 2046), first the payload exactly as a push without files sends it, then one part per
 * file. Everything in it is fixed by the job (its idempotency key names the boundary) and the
 * stored files, so every attempt, and both readings of one attempt (signature, then sending),
 * give the same bytes. Streamed part by part: no file is ever whole in memory.
 */

const CRLF = '\r\n';

export interface MultipartPayload {
  readonly contentType: string;
  readonly body: Buffer;
}

/**
 * The boundary of a job's body. Round 0 is the idempotency key itself; should its delimiter
 * occur inside the content (the key is drawn at acceptance, after the files were uploaded, so
 * nobody can plant it; this is a guarantee, not a likelihood), the next round's hash is taken,
 * still the same for every attempt of the job.
 */
export function boundaryOf(idempotencyKey: string, round: number): string {
  const tail = round === 0 ? idempotencyKey : createHash('sha256').update(`${idempotencyKey}/${round}`).digest('hex').slice(0, 40);
  // Only characters RFC 2046 allows in a boundary, at most 70 of them.
  return `efa-forms-${tail.replace(/[^A-Za-z0-9-]/g, '')}`.slice(0, 70);
}

function headerBlock(headers: ReadonlyArray<readonly [string, string]>): string {
  return headers.map(([name, value]) => `${name}: ${value}${CRLF}`).join('') + CRLF;
}

/** The part headers of one file: type, name, id, its own media type and the SHA-512 the payload lists. */
function fileHeaders(file: OutboundFile): string {
  return headerBlock([
    ['Content-Type', file.contentType],
    ['Content-Disposition', contentDisposition('attachment', file.fileName)],
    ['Content-ID', `<${file.id}@efa-forms>`],
    ['Efa-Attachment-Id', file.id],
    ['Efa-Attachment-Media-Type', file.mediaType],
    ['Efa-Attachment-Sha512', file.sha512],
  ]);
}

/** The multipart body as chunks; each call reads the files anew. */
export async function* multipartBody(boundary: string, payload: MultipartPayload, files: readonly OutboundFile[]): AsyncGenerator<Buffer> {
  yield Buffer.from(`--${boundary}${CRLF}${headerBlock([
    ['Content-Type', payload.contentType],
    ['Content-Disposition', 'inline; name="payload"'],
    ['Content-ID', '<payload@efa-forms>'],
  ])}`, 'ascii');
  yield payload.body;
  for (const file of files) {
    yield Buffer.from(`${CRLF}--${boundary}${CRLF}${fileHeaders(file)}`, 'ascii');
    let size = 0;
    for await (const chunk of file.open()) {
      size += (chunk as Buffer).length;
      yield chunk as Buffer;
    }
    // The size the store recorded is what the receiver is told (Content-Length): a file that
    // reads otherwise must not go out.
    if (size !== file.size) throw new Error(`attachment file has ${size} bytes, not the ${file.size} stored`);
  }
  yield Buffer.from(`${CRLF}--${boundary}--${CRLF}`, 'ascii');
}

/** How often a byte sequence occurs in a stream of chunks, across chunk borders. */
export class OccurrenceCounter {
  private carry: Buffer = Buffer.alloc(0);
  count = 0;

  constructor(private readonly needle: Buffer) {}

  push(chunk: Buffer): void {
    const haystack = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
    // The carry is shorter than the needle, so no match lies wholly inside it (counted already).
    for (let at = haystack.indexOf(this.needle); at !== -1; at = haystack.indexOf(this.needle, at + 1)) this.count += 1;
    this.carry = Buffer.from(haystack.subarray(Math.max(0, haystack.length - (this.needle.length - 1))));
  }
}

/** How often a body with these files contains its delimiter `CRLF--boundary` when its content does not: once per part but the first, and at the close. */
export function expectedDelimiters(files: readonly OutboundFile[]): number {
  return files.length + 1;
}

/** The delimiter a content must not contain. */
export function delimiterOf(boundary: string): Buffer {
  return Buffer.from(`${CRLF}--${boundary}`, 'ascii');
}
