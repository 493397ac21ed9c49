import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { attachmentFiles } from '../../src/storage/sqlite/sqlite-attachment-files';
import { clamdScanner } from '../../src/attachments/clamd-scanner';
import { createUploadCheck } from '../../src/attachments/upload-check';
import { startClamd, type OwnClamd } from '../support/clamd';
import { tempDir } from '../support/temp-dir';

/** An upload stored, scanned by a real clamd and kept only when it passes. */
const infected = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(40_000)]);
const clean = () => Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(40_000)]);
const limits = { maxBytes: 1_000_000, accept: ['application/pdf'] as const };

async function* upload(bytes: Buffer): AsyncIterable<Buffer> {
  for (let at = 0; at < bytes.length; at += 8192) yield await Promise.resolve(bytes.subarray(at, at + 8192));
}

describe('upload check', () => {
  let clamd: OwnClamd;
  let dir: ReturnType<typeof tempDir>;
  const folder = () => path.join(dir.path, 'attachments');
  beforeAll(async () => {
    clamd = await startClamd({ malware: [{ name: 'Efa.Test.Malware', bytes: infected }] });
  }, 90_000);
  afterAll(async () => {
    await clamd.stop();
  });
  beforeEach(() => {
    dir = tempDir('efa-upload-check-');
  });
  afterEach(() => dir.remove());

  test('a clean PDF is kept, scanned; the malware file is refused and removed', async () => {
    const check = createUploadCheck({ files: attachmentFiles(folder()), scanner: clamdScanner({ url: clamd.url, timeoutMs: 30_000, maxBytes: 25 * 1024 * 1024 }), scanRequired: true });
    const kept = await check.take(upload(clean()), limits);
    expect(kept).toMatchObject({ ok: true, scanned: true, file: { size: 40_009, mediaType: 'application/pdf' } });
    await expect(check.take(upload(infected), limits)).resolves.toEqual({ ok: false, refusal: 'malware' });
    expect(readdirSync(folder())).toEqual([kept.ok ? kept.file.id : '']);
  });

  test('the file\u2019s own problems come first and are never scanned: too large, wrong type', async () => {
    const check = createUploadCheck({ files: attachmentFiles(folder()), scanner: clamdScanner({ url: clamd.url, timeoutMs: 30_000, maxBytes: 25 * 1024 * 1024 }), scanRequired: true });
    await expect(check.take(upload(clean()), { ...limits, maxBytes: 10_000 })).resolves.toEqual({ ok: false, refusal: 'too large' });
    await expect(check.take(upload(Buffer.from('GIF89a not a document')), limits)).resolves.toEqual({ ok: false, refusal: 'type not accepted' });
  });

  test('scanning required and the scanner down: refused (scan unavailable), nothing kept; not required: kept, marked unscanned', async () => {
    const down = await startClamd({ malware: [] });
    const url = down.url;
    await down.stop();
    const files = attachmentFiles(folder());
    const required = createUploadCheck({ files, scanner: clamdScanner({ url, timeoutMs: 5_000, maxBytes: 25 * 1024 * 1024 }), scanRequired: true });
    await expect(required.take(upload(clean()), limits)).resolves.toEqual({ ok: false, refusal: 'scan unavailable' });
    expect(readdirSync(folder())).toEqual([]);
    const optional = createUploadCheck({ files, scanner: clamdScanner({ url, timeoutMs: 5_000, maxBytes: 25 * 1024 * 1024 }), scanRequired: false });
    await expect(optional.take(upload(clean()), limits)).resolves.toMatchObject({ ok: true, scanned: false });
  }, 90_000);

  test('no scanner: kept unscanned when scanning is not required; required without a scanner is refused at creation', async () => {
    const files = attachmentFiles(folder());
    await expect(createUploadCheck({ files, scanner: undefined, scanRequired: false }).take(upload(clean()), limits)).resolves.toMatchObject({ ok: true, scanned: false });
    expect(() => createUploadCheck({ files, scanner: undefined, scanRequired: true })).toThrow('no scanner is configured');
  });
});
