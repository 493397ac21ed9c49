import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AppError, ERROR_CATALOGUE, type ErrorCode } from '../../src/errors';

const codes = Object.keys(ERROR_CATALOGUE) as ErrorCode[];
const doc = readFileSync(path.join(__dirname, '..', '..', 'docs', 'errors.md'), 'utf8');

describe('error catalogue', () => {
  test.each(codes)('%s is documented in docs/errors.md with its status', (code) => {
    const row = doc.split('\n').find((line) => line.startsWith(`| \`${code}\` |`));
    expect(row).toBeDefined();
    expect(row).toContain(`| ${ERROR_CATALOGUE[code].status} |`);
  });

  test.each(codes)('%s has citizen texts in German and English that differ', (code) => {
    const { de, en } = ERROR_CATALOGUE[code].title;
    expect(de.length).toBeGreaterThan(10);
    expect(en.length).toBeGreaterThan(10);
    expect(de).not.toBe(en);
  });

  test('docs/errors.md documents no code that does not exist', () => {
    const documented = [...doc.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual([...codes].sort());
  });

  test('an AppError keeps the log text apart from what citizens see', () => {
    const error = new AppError('VALIDATION_FAILED', 'form x: 2 field error(s)');
    expect(error.status).toBe(400);
    expect(error.logMessage).toBe('form x: 2 field error(s)');
    expect(ERROR_CATALOGUE[error.code].title.de).not.toContain('form x');
  });
});
