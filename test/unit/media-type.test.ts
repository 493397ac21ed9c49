import { readFileSync } from 'node:fs';
import PDFDocument from 'pdfkit';
import { sniffMediaType, SNIFF_BYTES } from '../../src/support/media-type';

/** Media types from the file's first bytes, never from its name. */
describe('sniffMediaType', () => {
  const head = (bytes: number[] | string) => (typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : Buffer.from(bytes));

  test('a PDF written by pdfkit is a PDF; a TrueType font is no document, whatever it would be named', async () => {
    const doc = new PDFDocument();
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    const ended = new Promise<void>((resolve) => doc.on('end', () => resolve()));
    doc.text('Fahrzeugschein');
    doc.end();
    await ended;
    expect(sniffMediaType(Buffer.concat(chunks).subarray(0, SNIFF_BYTES))).toBe('application/pdf');
    const font = readFileSync(require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf')).subarray(0, SNIFF_BYTES);
    expect(sniffMediaType(font)).toBeUndefined();
  });

  test.each([
    ['PNG', [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52], 'image/png'],
    ['JPEG (JFIF)', [0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46], 'image/jpeg'],
    ['JPEG (Exif)', [0xff, 0xd8, 0xff, 0xe1, 0x12, 0x34, 0x45, 0x78, 0x69, 0x66], 'image/jpeg'],
    ['TIFF little-endian', [0x49, 0x49, 0x2a, 0x00, 0x08, 0, 0, 0], 'image/tiff'],
    ['TIFF big-endian', [0x4d, 0x4d, 0x00, 0x2a, 0, 0, 0, 8], 'image/tiff'],
    ['WebP', 'RIFF\x24\x00\x00\x00WEBPVP8 ', 'image/webp'],
    ['HEIC', '\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic', 'image/heic'],
    ['HEIF (mif1)', '\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00mif1heic', 'image/heic'],
  ] as const)('%s', (_name, bytes, type) => {
    expect(sniffMediaType(head(bytes as number[] | string))).toBe(type);
  });

  test.each([
    ['empty', ''],
    ['text that names a PDF', 'This is a PDF, honestly'],
    ['a PDF signature not at the start', ' %PDF-1.7'],
    ['a cut-off PNG signature', '\x89PNG\r\n'],
    ['RIFF that is a WAV', 'RIFF\x24\x00\x00\x00WAVEfmt '],
    ['an MP4 video (ISO-BMFF, another brand)', '\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2'],
    ['a ZIP (an Office document)', 'PK\x03\x04\x14\x00\x06\x00'],
    ['an HTML page', '<!DOCTYPE html><html>'],
  ])('%s: undefined', (_name, bytes) => {
    expect(sniffMediaType(head(bytes))).toBeUndefined();
  });
});
