import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { LANGUAGES, type Language, type LocalizedText } from './language';

/** The page texts of one language, by key (templates/locales/<language>.json). */
export type UiStrings = Readonly<Record<string, string>>;

/** The UI strings of every language, read and checked once at start. */
export interface Translator {
  strings(language: Language): UiStrings;
}

/**
 * Loads templates/locales/*.json. A key that exists in one language only is a start-up error,
 * so no citizen ever sees a blank where a text should be.
 */
export async function loadTranslator(localesDir: string): Promise<Translator> {
  const locales = {} as Record<Language, UiStrings>;
  for (const language of LANGUAGES) {
    locales[language] = Object.freeze(JSON.parse(await readFile(path.join(localesDir, `${language}.json`), 'utf8')) as Record<string, string>);
  }
  const missing = Object.keys(locales.de).filter((k) => !(k in locales.en)).concat(Object.keys(locales.en).filter((k) => !(k in locales.de)));
  if (missing.length > 0) throw new Error(`templates/locales: keys missing in one language: ${missing.join(', ')}`);
  return { strings: (language) => locales[language] };
}

/** Replaces {name} placeholders in a UI string. */
export function format(text: string, values: Readonly<Record<string, string | number>>): string {
  return text.replace(/\{(\w+)\}/g, (whole, key: string) => (key in values ? String(values[key]) : whole));
}

/** A catalogue text with its {name} placeholders filled, in every language. */
export function formatLocalized(text: LocalizedText, values: Readonly<Record<string, string | number>>): LocalizedText {
  return { de: format(text.de, values), en: format(text.en, values) };
}
