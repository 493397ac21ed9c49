import { createHash, randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { attachmentFiles } from '../../src/storage/sqlite/sqlite-attachment-files';
import { tempDir } from '../support/temp-dir';

/** The upload files on a real folder: streamed, hashed, limited, durable or gone. */
const pdf = (size: number) => Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(size - 9)]);

async function* pieces(bytes: Buffer, size = 16 * 1024): AsyncIterable<Buffer> {
  for (let at = 0; at < bytes.length; at += size) yield await Promise.resolve(bytes.subarray(at, at + size));
}

describe('attachment files', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir('efa-attachments-');
  });
  afterEach(() => dir.remove());

  test('a PDF streamed in pieces is stored byte for byte, with its size, media type and SHA-512; read back and removed', async () => {
    const files = attachmentFiles(path.join(dir.path, 'attachments'));
    const bytes = pdf(300_000);
    const outcome = await files.write(pieces(bytes), { maxBytes: 1_000_000, accept: ['application/pdf'] });
    expect(outcome).toEqual({ ok: true, file: { id: expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown, size: 300_000, mediaType: 'application/pdf', sha512: createHash('sha512').update(bytes).digest('hex') } });
    if (!outcome.ok) return;
    const back: Buffer[] = [];
    for await (const chunk of files.read(outcome.file.id)) back.push(chunk as Buffer);
    expect(Buffer.concat(back).equals(bytes)).toBe(true);
    expect(readdirSync(path.join(dir.path, 'attachments'))).toEqual([outcome.file.id]);
    await files.remove(outcome.file.id);
    await files.remove(outcome.file.id);
    expect(readdirSync(path.join(dir.path, 'attachments'))).toEqual([]);
  });

  test.each([
    ['one byte past the limit', pdf(100_001), 'too large'],
    ['empty', Buffer.alloc(0), 'empty'],
    ['a PNG where only PDFs are accepted', Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(500)]), 'type not accepted'],
    ['text named like a PDF', Buffer.from('Fahrzeugschein.pdf, honestly'), 'type not accepted'],
  ])('%s: refused (%s) and nothing is left behind', async (_name, bytes, refusal) => {
    const files = attachmentFiles(path.join(dir.path, 'attachments'));
    await expect(files.write(pieces(bytes), { maxBytes: 100_000, accept: ['application/pdf'] })).resolves.toEqual({ ok: false, refusal });
    expect(readdirSync(path.join(dir.path, 'attachments'))).toEqual([]);
  });

  test('past the limit the rest of the stream is not read', async () => {
    const files = attachmentFiles(path.join(dir.path, 'attachments'));
    let read = 0;
    async function* endless(): AsyncIterable<Buffer> {
      const piece = pdf(64 * 1024);
      for (;;) {
        read += piece.length;
        yield await Promise.resolve(piece);
      }
    }
    await expect(files.write(endless(), { maxBytes: 1_000_000, accept: ['application/pdf'] })).resolves.toEqual({ ok: false, refusal: 'too large' });
    expect(read).toBeLessThanOrEqual(1_000_000 + 64 * 1024);
  });

  test('a stream that fails mid-way: the error is thrown and no part file stays', async () => {
    const files = attachmentFiles(path.join(dir.path, 'attachments'));
    async function* failing(): AsyncIterable<Buffer> {
      yield await Promise.resolve(pdf(1000));
      throw new Error('the client went away');
    }
    await expect(files.write(failing(), { maxBytes: 100_000, accept: ['application/pdf'] })).rejects.toThrow('the client went away');
    expect(readdirSync(path.join(dir.path, 'attachments'))).toEqual([]);
  });

  test("ids other than the store's own never reach a path", async () => {
    const files = attachmentFiles(path.join(dir.path, 'attachments'));
    expect(() => files.read('../efa-forms.sqlite')).toThrow('not an attachment id');
    await expect(files.remove('../../etc/passwd')).rejects.toThrow('not an attachment id');
  });
});
