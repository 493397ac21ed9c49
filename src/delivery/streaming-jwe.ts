import { constants, createCipheriv, publicEncrypt, randomBytes, type KeyObject } from 'node:crypto';

/*
 * A JWE in compact serialization (RFC 7516) written as a stream, for attachments: a 10 MB file
 * is encrypted chunk by chunk as it is read and never sits whole in memory, which jose's
 * CompactEncrypt (one Uint8Array in, one string out) would need. The algorithms are those of
 * payload-encryption.ts, which FIT-Connect prescribes: the content key wrapped with RSA-OAEP-256
 * (OAEP with SHA-256 and MGF1-SHA-256), the content encrypted with A256GCM under the base64url
 * protected header as additional authenticated data, so `jose.compactDecrypt` opens the result
 * like any JWE.
 */

const KEY_ALGORITHM = 'RSA-OAEP-256';
const CONTENT_ENCRYPTION = 'A256GCM';
const CEK_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Characters base64url without padding needs for `bytes` bytes. */
export function base64UrlLength(bytes: number): number {
  return Math.floor(bytes / 3) * 4 + [0, 2, 3][bytes % 3]!;
}

/**
 * Base64url of a byte stream, chunk by chunk: only whole groups of 3 bytes are encoded at once,
 * so the encoded chunks join to exactly the encoding of the whole (a chunk that ends mid-group
 * keeps its last one or two bytes for the next).
 */
class Base64UrlStream {
  private rest: Buffer = Buffer.alloc(0);

  push(bytes: Buffer): Buffer {
    const all = this.rest.length > 0 ? Buffer.concat([this.rest, bytes]) : bytes;
    const whole = all.length - (all.length % 3);
    this.rest = Buffer.from(all.subarray(whole));
    return Buffer.from(all.subarray(0, whole).toString('base64url'), 'ascii');
  }

  end(): Buffer {
    const last = Buffer.from(this.rest.toString('base64url'), 'ascii');
    this.rest = Buffer.alloc(0);
    return last;
  }
}

/** The protected header every attachment JWE carries, base64url (it is also the GCM AAD). */
function encodedHeader(kid: string, contentType: string): string {
  return Buffer.from(JSON.stringify({ alg: KEY_ALGORITHM, enc: CONTENT_ENCRYPTION, kid, cty: contentType }), 'utf8').toString('base64url');
}

/** The length in bytes of the JWE sealStream writes for `plainSize` bytes: known before anything is encrypted. */
export function sealedLength(plainSize: number, key: KeyObject, kid: string, contentType: string): number {
  const modulusBytes = Math.ceil((key.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
  return encodedHeader(kid, contentType).length + 1 + base64UrlLength(modulusBytes) + 1 + base64UrlLength(IV_BYTES) + 1
    + base64UrlLength(plainSize) + 1 + base64UrlLength(TAG_BYTES);
}

/**
 * Encrypts `source` to `key` as it is read and yields the compact JWE
 * `header.encryptedKey.iv.ciphertext.tag` as ASCII chunks. A fresh content key and IV per call,
 * so the same file never gives the same JWE twice. The consumer's pace drives the reading
 * (an async generator yields one chunk at a time).
 */
export async function* sealStream(source: AsyncIterable<Buffer | Uint8Array>, key: KeyObject, kid: string, contentType: string): AsyncGenerator<Buffer> {
  if (contentType.trim() === '') throw new Error('a sealed stream needs a content type for the cty header');
  const header = encodedHeader(kid, contentType);
  const cek = randomBytes(CEK_BYTES);
  const iv = randomBytes(IV_BYTES);
  try {
    const encryptedKey = publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, cek);
    yield Buffer.from(`${header}.${encryptedKey.toString('base64url')}.${iv.toString('base64url')}.`, 'ascii');
    const cipher = createCipheriv('aes-256-gcm', cek, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(header, 'ascii'));
    const encoder = new Base64UrlStream();
    for await (const chunk of source) {
      const out = encoder.push(cipher.update(chunk));
      if (out.length > 0) yield out;
    }
    const tail = Buffer.concat([encoder.push(cipher.final()), encoder.end()]);
    yield Buffer.concat([tail, Buffer.from(`.${cipher.getAuthTag().toString('base64url')}`, 'ascii')]);
  } finally {
    // The content key opens the file: not left in memory longer than the stream needs it.
    cek.fill(0);
  }
}
