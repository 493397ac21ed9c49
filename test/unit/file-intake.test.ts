import { createHash, randomBytes } from 'node:crypto';
import { takeIn } from '../../src/storage/file-intake';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** A stream's chunks arrive from I/O, one event-loop turn at a time. */
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const PDF_ONLY = { maxBytes: 10 * 1024 * 1024, accept: ['application/pdf' as const] };

/** An endless stream of 64 KiB chunks starting with `first`, counting how many were taken from it. */
function endless(first: Buffer) {
  const counter = { pulled: 0 };
  async function* chunks() {
    for (;;) {
      await tick();
      counter.pulled += 1;
      yield counter.pulled === 1 ? Buffer.concat([first, randomBytes(65_536 - first.length)]) : randomBytes(65_536);
    }
  }
  return { counter, chunks: chunks() };
}

/** The one way an upload enters a store: counted, hashed, typed by its first bytes, refused early. */
describe('takeIn', () => {
  test('a file of a type not accepted is refused as soon as its signature is in: nothing more is read, nothing stored', async () => {
    const { counter, chunks } = endless(PNG);
    const stored: Buffer[] = [];
    const outcome = await takeIn('id', chunks, PDF_ONLY, (chunk) => { stored.push(chunk); return tick(); });
    expect(outcome).toEqual({ ok: false, refusal: 'type not accepted' });
    expect(counter.pulled).toBe(1);
    expect(stored).toEqual([]);
  });

  test('the signature may arrive a byte at a time: the file is taken whole, with its size and SHA-512', async () => {
    const bytes = Buffer.concat([Buffer.from('%PDF-1.7\n', 'latin1'), randomBytes(200)]);
    const stored: Buffer[] = [];
    async function* bytewise() {
      for (const b of bytes) {
        await tick();
        yield Buffer.from([b]);
      }
    }
    const outcome = await takeIn('id', bytewise(), PDF_ONLY, (chunk) => { stored.push(chunk); return tick(); });
    expect(outcome).toEqual({ ok: true, file: { id: 'id', size: bytes.length, mediaType: 'application/pdf', sha512: createHash('sha512').update(bytes).digest('hex') } });
    expect(Buffer.concat(stored).equals(bytes)).toBe(true);
  });

  test('shorter than the signature window: decided at the end; empty and too large as before', async () => {
    async function* one(b: Buffer) {
      await tick();
      yield b;
    }
    expect(await takeIn('id', one(Buffer.from('%PDF-1.4', 'latin1')), PDF_ONLY, tick)).toMatchObject({ ok: true });
    expect(await takeIn('id', one(PNG), PDF_ONLY, tick)).toEqual({ ok: false, refusal: 'type not accepted' });
    expect(await takeIn('id', one(Buffer.alloc(0)), PDF_ONLY, tick)).toEqual({ ok: false, refusal: 'empty' });
    const pdf = endless(Buffer.from('%PDF-1.7\n', 'latin1'));
    expect(await takeIn('id', pdf.chunks, { ...PDF_ONLY, maxBytes: 200_000 }, tick)).toEqual({ ok: false, refusal: 'too large' });
    expect(pdf.counter.pulled).toBe(4);
  });
});
