import { formatFileSize } from '../../src/i18n/file-size';
import { maxBytesOfQuestion } from '../../src/attachments/question-limits';
import { acceptAttribute, fileHint, fileLines } from '../../src/forms/kinds/file';

const nb = (s: string) => s.replace(/ /g, '\u00a0');

describe('file sizes and the file question\u2019s hint', () => {
  test.each([
    [0, '0 Bytes', '0 bytes'], [1, '1 Byte', '1 byte'], [1023, '1.023 Bytes', '1,023 bytes'], [1024, '1 KB', '1 KB'],
    [1536, '1,5 KB', '1.5 KB'], [102_400, '100 KB', '100 KB'], [1_048_575, '1 MB', '1 MB'], [10 * 1024 * 1024, '10 MB', '10 MB'],
    [1_500_000, '1,4 MB', '1.4 MB'], [52_428_800, '50 MB', '50 MB'], [3 * 1024 ** 3, '3 GB', '3 GB'],
  ])('%d bytes: %s / %s', (bytes, de, en) => {
    expect(formatFileSize(bytes, 'de')).toBe(nb(de));
    expect(formatFileSize(bytes, 'en')).toBe(nb(en));
  });

  test('the hint names the formats, the size within the installation\u2019s cap, and how many files', () => {
    const question = { accept: ['application/pdf', 'image/jpeg', 'image/heic'] as const, maxFileBytes: 20 * 1024 * 1024, maxFiles: 3 };
    expect(maxBytesOfQuestion(question, 10 * 1024 * 1024)).toBe(10 * 1024 * 1024);
    expect(fileHint(question, 10 * 1024 * 1024, 'de')).toBe('Erlaubte Formate: PDF, JPEG, HEIC. Höchstens 10\u00a0MB je Datei, bis zu 3 Dateien.');
    expect(fileHint({ ...question, maxFiles: 1 }, 30 * 1024 * 1024, 'en')).toBe('Accepted formats: PDF, JPEG, HEIC. At most 20\u00a0MB.');
    expect(acceptAttribute(question)).toBe('application/pdf,.pdf,image/jpeg,.jpg,.jpeg,image/heic,.heic,.heif');
  });

  test('an answer reads as the names and sizes of the files known, others left out', () => {
    const files = { byId: new Map([['a', { fileName: 'scan.pdf', size: 2048 }]]), maxFileBytes: 1 };
    expect(fileLines(['a', 'unknown', 3], { files, language: 'de' })).toEqual(['scan.pdf (2\u00a0KB)']);
    expect(fileLines('a', { files, language: 'de' })).toEqual([]);
  });
});
