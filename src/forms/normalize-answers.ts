import { hasLongMarkRun, MAX_DEPTH } from './unsafe-input';

/**
 * The one normalisation of answers, the same for the JSON API and the pages: texts are trimmed
 * (Unicode white space and line ends, not the controls VT and FF) and put into Unicode NFC (so "é" typed
 * as e + combining accent and as one character is the same answer, in the XML as everywhere);
 * a property whose text is then empty counts as not answered and is left out, so a required
 * text of only spaces is missing, on the API as on the pages. Items of lists keep their place
 * (an empty item stays "" for the schema to judge) so pointers in error messages stay right.
 */
/**
 * White space trimmed from the ends: JavaScript's trim set without the controls VT (U+000B) and
 * FF (U+000C), which are refused as control characters wherever they stand, so that "Anna\f"
 * is refused on the API and on the pages alike instead of being trimmed silently.
 */
function isTrimmed(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d || code === 0xa0 || code === 0x1680
    || (code >= 0x2000 && code <= 0x200a) || code === 0x2028 || code === 0x2029 || code === 0x202f
    || code === 0x205f || code === 0x3000 || code === 0xfeff;
}

/** Loops, not a regular expression: `\s+$` is quadratic on a long run of spaces. */
function trimText(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isTrimmed(text.charCodeAt(start))) start++;
  while (end > start && isTrimmed(text.charCodeAt(end - 1))) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

export function normalizeText(text: string): string {
  const trimmed = trimText(text);
  // A long run of combining marks would make NFC quadratic; such a text is refused by the
  // unsafe-input check right after, so it is left as it is here.
  return hasLongMarkRun(trimmed) ? trimmed : trimmed.normalize('NFC');
}

/** A normalised copy of the answers (see above); nesting beyond MAX_DEPTH is copied as it is. */
export function normalizeAnswers<T>(data: T): T {
  const visit = (value: unknown, depth: number): unknown => {
    if (typeof value === 'string') return normalizeText(value);
    if (depth > MAX_DEPTH || value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map((item) => visit(item, depth + 1));
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      const normalized = visit(item, depth + 1);
      if (normalized === '') continue;
      // defineProperty for "__proto__", so that it stays an own key for the safety check to refuse.
      if (key === '__proto__') Object.defineProperty(copy, key, { value: normalized, enumerable: true, writable: true, configurable: true });
      else copy[key] = normalized;
    }
    return copy;
  };
  return visit(data, 0) as T;
}
