import type { FieldError } from '../errors';
import { joinPointer } from '../support/json-pointer';
import type { Language } from '../i18n/language';
import { UNSAFE_INPUT_TEXTS as TEXTS } from '../i18n/unsafe-input-texts';

/**
 * Checks submitted data for what must never reach storage or the authority's XML, whatever
 * the form's schema allows: keys that poison prototypes, keys that are no XML element name,
 * characters XML 1.0 cannot carry (C0/C1 controls except tab, LF, CR; lone surrogates;
 * U+FFFE/U+FFFF) and absurd nesting depth.
 */

export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
// XML NCName (letters of any script, digits, _ . -), and not starting with "xml" (reserved).
const XML_NAME = /^[\p{L}_][\p{L}\p{N}_.\-\u00B7]*$/u;
// eslint-disable-next-line no-control-regex -- matching control characters is the point here
const UNSAFE_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
export const MAX_DEPTH = 32;
/**
 * More than 30 combining marks in a row (UAX #15 "stream-safe" text allows 30 non-starters):
 * no language needs them, and Unicode normalisation sorts such a run in quadratic time (64,000
 * marks held the event loop for 2.8 s). Refused before any normalisation runs.
 */
const MAX_MARK_RUN = 30;

export function hasLongMarkRun(text: string): boolean {
  // Each run is matched once (a pattern like \p{M}{31} would retry at every mark: 0.5 s per MB).
  const runs = /\p{M}+/gu;
  for (let run = runs.exec(text); run !== null; run = runs.exec(text)) {
    if (run[0].length > MAX_MARK_RUN && [...run[0]].length > MAX_MARK_RUN) return true;
  }
  return false;
}

export function isXmlElementName(name: string): boolean {
  return XML_NAME.test(name) && !/^xml/i.test(name);
}

export function hasUnsafeCharacters(text: string): boolean {
  return UNSAFE_CHARS.test(text);
}

export function findUnsafeInput(data: unknown, language: Language): FieldError[] {
  const errors: FieldError[] = [];
  const visit = (value: unknown, pointer: string, depth: number): void => {
    if (depth > MAX_DEPTH) {
      errors.push({ pointer, message: TEXTS.depth[language] });
      return;
    }
    if (typeof value === 'string') {
      if (hasUnsafeCharacters(value)) errors.push({ pointer, message: TEXTS.chars[language] });
      else if (hasLongMarkRun(value)) errors.push({ pointer, message: TEXTS.marks[language] });
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => visit(item, joinPointer(pointer, i), depth + 1));
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        const at = joinPointer(pointer, key);
        if (FORBIDDEN_KEYS.has(key) || !isXmlElementName(key)) errors.push({ pointer: at, message: TEXTS.key[language] });
        else visit(item, at, depth + 1);
      }
    }
  };
  visit(data, '', 0);
  return errors;
}
