import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { createPayloadEncrypter } from '../../src/delivery/payload-encryption';
import { base64UrlLength } from '../../src/delivery/streaming-jwe';
import { decryptJwe, TEST_ENCRYPTION_KID, testEncryptionKeys } from '../support/encryption-keys';

/**
 * The streaming JWE of attachments: jose's compactDecrypt (the authority's side) opens it to
 * exactly the bytes, whatever the chunking; the header is the payload's with the file's media
 * type as cty; its length is known in advance; and the source is read at the consumer's pace.
 */

async function collect(chunks: AsyncIterable<Buffer>): Promise<{ text: string; chunks: number }> {
  const parts: Buffer[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return { text: Buffer.concat(parts).toString('ascii'), chunks: parts.length };
}

/** `bytes` cut into pieces of these sizes (in turn), as a file stream might deliver them. */
function pieces(bytes: Buffer, sizes: readonly number[]): Readable {
  const out: Buffer[] = [];
  let at = 0;
  for (let i = 0; at < bytes.length; i++) {
    const size = sizes[i % sizes.length]!;
    out.push(bytes.subarray(at, at + size));
    at += size;
  }
  // Object mode (the default of Readable.from) keeps each piece a chunk of its own.
  return Readable.from(out);
}

describe('streaming JWE (encryptStream)', () => {
  test.each([
    ['empty', 0, [1]],
    ['one byte', 1, [1]],
    ['two bytes', 2, [1]],
    ['odd chunks across 3-byte groups', 1000, [1, 2, 4, 7, 64]],
    ['64 KiB chunks', 300_001, [65_536]],
  ])('%s: compactDecrypt opens it to exactly the bytes, and its size was known in advance', async (_name, size, sizes) => {
    const { publicJwk, privateKey } = testEncryptionKeys();
    const encrypter = await createPayloadEncrypter(publicJwk);
    const bytes = randomBytes(size);
    const { text } = await collect(encrypter.encryptStream(pieces(bytes, sizes), 'application/pdf'));
    expect(text).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$/);
    expect(text.length).toBe(encrypter.sealedSize(size, 'application/pdf'));
    const opened = await decryptJwe(text, privateKey);
    expect(opened.plaintext.equals(bytes)).toBe(true);
    expect(opened.header).toEqual({ alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: TEST_ENCRYPTION_KID, cty: 'application/pdf' });
  });

  test('a fresh content key and IV every time: the same file never gives the same JWE', async () => {
    const encrypter = await createPayloadEncrypter(testEncryptionKeys().publicJwk);
    const bytes = Buffer.from('%PDF-1.7 same bytes');
    const one = await collect(encrypter.encryptStream(pieces(bytes, [5]), 'application/pdf'));
    const two = await collect(encrypter.encryptStream(pieces(bytes, [5]), 'application/pdf'));
    expect(one.text).not.toBe(two.text);
    expect(one.text.split('.')[0]).toBe(two.text.split('.')[0]);
  });

  test('a changed byte in the ciphertext is refused by the authority (GCM tag over header and content)', async () => {
    const { publicJwk, privateKey } = testEncryptionKeys();
    const encrypter = await createPayloadEncrypter(publicJwk);
    const { text } = await collect(encrypter.encryptStream(pieces(randomBytes(100), [100]), 'image/png'));
    const parts = text.split('.');
    const flipped = Buffer.from(parts[3]!, 'base64url');
    flipped[10] = flipped[10]! ^ 1;
    parts[3] = flipped.toString('base64url');
    await expect(decryptJwe(parts.join('.'), privateKey)).rejects.toThrow();
  });

  test('10 MB from a file stream: read chunk by chunk, never whole (the source is only read as the consumer asks)', async () => {
    const { publicJwk, privateKey } = testEncryptionKeys();
    const encrypter = await createPayloadEncrypter(publicJwk);
    const chunk = randomBytes(65_536);
    const count = 160; // 10 MiB
    let produced = 0;
    const source = new Readable({
      highWaterMark: 65_536,
      read() {
        produced += 1;
        this.push(produced <= count ? chunk : null);
      },
    });
    const sealed = encrypter.encryptStream(source, 'application/pdf');
    const first = await sealed.next();
    const second = await sealed.next();
    expect(first.done || second.done).toBe(false);
    // After two chunks out, the source has been asked for only a few chunks in (its buffer), not the whole file.
    expect(produced).toBeLessThan(10);
    const hash = createHash('sha512');
    const parts: Buffer[] = [first.value as Buffer, second.value as Buffer];
    for await (const out of sealed) parts.push(out);
    const text = Buffer.concat(parts).toString('ascii');
    expect(text.length).toBe(encrypter.sealedSize(count * chunk.length, 'application/pdf'));
    const opened = await decryptJwe(text, privateKey);
    for (let i = 0; i < count; i++) hash.update(chunk);
    expect(createHash('sha512').update(opened.plaintext).digest('hex')).toBe(hash.digest('hex'));
  });

  test('base64url lengths without padding', () => {
    for (const n of [0, 1, 2, 3, 4, 5, 6, 512, 65_537]) expect(base64UrlLength(n)).toBe(Buffer.alloc(n).toString('base64url').length);
  });
});
