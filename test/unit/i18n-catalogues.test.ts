import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ERROR_CATALOGUE } from '../../src/errors';
import { LANGUAGES } from '../../src/i18n/language';
import { ERROR_TITLES } from '../../src/i18n/error-texts';
import { format, formatLocalized, loadTranslator } from '../../src/i18n/translator';

/**
 * Every text of src/i18n exists in every language: the page strings in templates/locales/*.json
 * and every text exported by a module of src/i18n/ (the catalogues are the *-texts.ts files;
 * their exports are walked, so a new catalogue is checked without being listed here). Both languages of a text also name the same
 * {placeholders}, or one of them would show a raw "{n}" or leave a value out.
 */

const ROOT = path.resolve(__dirname, '../..');
const LOCALES_DIR = path.join(ROOT, 'templates/locales');
const I18N_DIR = path.join(ROOT, 'src/i18n');

function placeholders(text: string): string[] {
  return [...new Set([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!))].sort();
}

interface Problem {
  readonly at: string;
  readonly problem: string;
}

/** Compares the languages of one text (strings) or of one per-language record (objects of strings). */
function compareLanguages(at: string, perLanguage: Record<string, unknown>, problems: Problem[]): number {
  const languages = Object.keys(perLanguage).sort();
  if (languages.join() !== [...LANGUAGES].sort().join()) {
    problems.push({ at, problem: `has languages ${languages.join(', ')}, expected ${LANGUAGES.join(', ')}` });
    return 0;
  }
  const values = LANGUAGES.map((language) => perLanguage[language]);
  if (values.every((v) => typeof v === 'string')) {
    const texts = values;
    if (texts.some((t) => t.trim() === '')) problems.push({ at, problem: 'is empty in a language' });
    const names = texts.map((t) => placeholders(t).join());
    if (new Set(names).size > 1) problems.push({ at, problem: `placeholders differ: ${LANGUAGES.map((l, i) => `${l} {${names[i]}}`).join(' / ')}` });
    return 1;
  }
  if (values.every((v) => v !== null && typeof v === 'object' && !Array.isArray(v))) {
    const records = values as Record<string, unknown>[];
    const keys = [...new Set(records.flatMap((r) => Object.keys(r)))].sort();
    return keys.reduce((count, key) => count + compareLanguages(`${at}.${key}`, Object.fromEntries(LANGUAGES.map((l, i) => [l, records[i]![key]])), problems), 0);
  }
  problems.push({ at, problem: `mixes strings and other values: ${LANGUAGES.map((l, i) => `${l}: ${typeof values[i]}`).join(', ')}` });
  return 0;
}

/** Finds every per-language text below `value` (an object with a key "de" or "en") and checks it. */
function checkCatalogue(at: string, value: unknown, problems: Problem[]): number {
  if (value === null || typeof value !== 'object') return 0;
  const record = value as Record<string, unknown>;
  if (LANGUAGES.some((language) => language in record)) return compareLanguages(at, record, problems);
  return Object.entries(record).reduce((count, [key, item]) => count + checkCatalogue(`${at}.${key}`, item, problems), 0);
}

describe('templates/locales', () => {
  const locales = Object.fromEntries(LANGUAGES.map((language) => [
    language,
    JSON.parse(readFileSync(path.join(LOCALES_DIR, `${language}.json`), 'utf8')) as Record<string, unknown>,
  ]));

  it('has a file for each language and no other', () => {
    expect(readdirSync(LOCALES_DIR).filter((f) => f.endsWith('.json')).sort()).toEqual(LANGUAGES.map((l) => `${l}.json`).sort());
  });

  it('has every key in every language, as a non-empty string with the same placeholders', () => {
    const keys = [...new Set(LANGUAGES.flatMap((l) => Object.keys(locales[l]!)))].sort();
    const problems: Problem[] = [];
    for (const key of keys) {
      const perLanguage = Object.fromEntries(LANGUAGES.filter((l) => key in locales[l]!).map((l) => [l, locales[l]![key]]));
      compareLanguages(key, perLanguage, problems);
    }
    expect(problems).toEqual([]);
    expect(keys.length).toBeGreaterThan(50);
  });

  it('is refused at start when a key exists in one language only', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'efa-locales-'));
    try {
      writeFileSync(path.join(dir, 'de.json'), JSON.stringify({ yes: 'Ja', onlyGerman: 'Nur Deutsch' }));
      writeFileSync(path.join(dir, 'en.json'), JSON.stringify({ yes: 'Yes' }));
      await expect(loadTranslator(dir)).rejects.toThrow('keys missing in one language: onlyGerman');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('src/i18n', () => {
  const modules = readdirSync(I18N_DIR).filter((f) => f.endsWith('.ts')).sort();

  it('has catalogues', () => {
    expect(modules.filter((f) => f.endsWith('-texts.ts')).length).toBeGreaterThanOrEqual(7);
  });

  it.each(modules)('%s has every text in every language, with the same placeholders', (file) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- each module is found by listing the folder
    const exports = require(path.join(I18N_DIR, file)) as Record<string, unknown>;
    const problems: Problem[] = [];
    const count = Object.entries(exports).reduce((n, [name, value]) => n + checkCatalogue(name, value, problems), 0);
    expect(problems).toEqual([]);
    if (file.endsWith('-texts.ts')) expect(count).toBeGreaterThan(0);
  });

  it('finds a text in one language only (the check itself)', () => {
    const problems: Problem[] = [];
    checkCatalogue('SAMPLE', {
      whole: { de: 'Ja', en: 'Yes' },
      germanOnly: { de: 'Nur Deutsch' },
      placeholders: { de: 'Seite {n} von {total}', en: 'Page {n}' },
      receipt: { de: { title: 'Titel', intro: 'Text' }, en: { title: 'Title' } },
    }, problems);
    expect(problems.map((p) => p.at)).toEqual(['SAMPLE.germanOnly', 'SAMPLE.placeholders', 'SAMPLE.receipt.intro']);
  });

  it('has a title for exactly the codes of the error catalogue', () => {
    expect(Object.keys(ERROR_TITLES).sort()).toEqual(Object.keys(ERROR_CATALOGUE).sort());
  });

  it('fills placeholders in every language', () => {
    expect(formatLocalized({ de: '{list}, Eintrag {n}', en: '{list}, entry {n}' }, { list: 'Hunde {n}', n: 2 })).toEqual({ de: 'Hunde {n}, Eintrag 2', en: 'Hunde {n}, entry 2' });
    expect(format('Seite {n} von {total}', { n: 1 })).toBe('Seite 1 von {total}');
  });
});
