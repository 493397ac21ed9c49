import type { ErrorObject } from 'ajv';
import type { FieldIndex } from './field-index';
import { escapeToken, joinPointer } from '../support/json-pointer';
import { MAX_DEPTH } from './unsafe-input';

/**
 * Limits checked on answers before ajv runs, so that the work a request causes is bounded by
 * these numbers and not by what fits into BODY_LIMIT. Without them a 990 KB body holding
 * 330,000 empty objects in one list made ajv (allErrors) report a million errors: a 190 MB
 * answer and 25 s of a blocked event loop per request.
 *
 * - At most `maxValues` JSON values in all (objects, arrays, strings, numbers, …).
 * - A list may not be longer than its schema's maxItems, or `defaultMaxItems` without one.
 * - A text may not be longer than its schema's maxLength, or `defaultMaxLength` without one.
 *   Patterns then never run on oversized texts.
 *
 * When a limit is exceeded only these violations are reported (the citizen fixes them first);
 * ajv runs once the answers are within bounds.
 */
export const INPUT_LIMITS = Object.freeze({
  maxValues: 5_000,
  defaultMaxItems: 1_000,
  defaultMaxLength: 10_000,
});

/** At most this many field errors are reported for one request; a note says when there are more. */
export const MAX_FIELD_ERRORS = 100;

/** The keyword of the error for answers with more than INPUT_LIMITS.maxValues values. */
export const TOO_MANY_VALUES = 'efaTooManyValues';

function limitError(keyword: string, instancePath: string, limit: number): ErrorObject {
  return { keyword, instancePath, schemaPath: '#', params: { limit } };
}

/** Length in code points, as JSON Schema counts it; only computed for texts that may be too long. */
function codePointLength(text: string, limit: number): number {
  if (text.length <= limit) return text.length; // code points never outnumber UTF-16 units
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    // A high surrogate followed by a low one is one code point.
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) i++;
    n++;
  }
  return n;
}

/**
 * The limit violations of `data`, as ajv-shaped errors for the usual messages (at most
 * MAX_FIELD_ERRORS + 1 of them, so callers can tell that there are more). Iterative, so deep
 * nesting cannot overflow the stack.
 */
export function findLimitViolations(data: unknown, fields: FieldIndex): ErrorObject[] {
  const errors: ErrorObject[] = [];
  const stack: Array<{ value: unknown; path: string; pattern: string }> = [{ value: data, path: '', pattern: '' }];
  let values = 0;
  while (stack.length > 0 && errors.length <= MAX_FIELD_ERRORS) {
    const { value, path, pattern } = stack.pop()!;
    if (++values > INPUT_LIMITS.maxValues) return [limitError(TOO_MANY_VALUES, '', INPUT_LIMITS.maxValues)];
    if (typeof value === 'string') {
      const limit = fields.get(pattern)?.maxLength ?? INPUT_LIMITS.defaultMaxLength;
      if (codePointLength(value, limit) > limit) errors.push(limitError('maxLength', path, limit));
    } else if (Array.isArray(value)) {
      const limit = fields.get(pattern)?.maxItems ?? INPUT_LIMITS.defaultMaxItems;
      if (value.length > limit) {
        errors.push(limitError('maxItems', path, limit));
        continue;
      }
      if (values + stack.length + value.length > INPUT_LIMITS.maxValues) return [limitError(TOO_MANY_VALUES, '', INPUT_LIMITS.maxValues)];
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], path: joinPointer(path, i), pattern: `${pattern}/*` });
    } else if (value !== null && typeof value === 'object') {
      const entries: Array<[string, unknown]> = Object.entries(value as Record<string, unknown>);
      if (values + stack.length + entries.length > INPUT_LIMITS.maxValues) return [limitError(TOO_MANY_VALUES, '', INPUT_LIMITS.maxValues)];
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, item] = entries[i]!;
        stack.push({ value: item, path: joinPointer(path, key), pattern: `${pattern}/${escapeToken(key)}` });
      }
    }
  }
  return errors;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;

/**
 * Whether raw JSON text holds more than INPUT_LIMITS.maxValues values, judged before it is
 * parsed: parsing 330,000 objects alone blocks the event loop for 35–200 ms. Counts the commas
 * and openings outside strings (an upper bound of the values, less one), in one pass over bytes.
 */
export function exceedsValueBudget(json: Uint8Array): boolean {
  let count = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const byte = json[i];
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if ((byte === COMMA || byte === OPEN_OBJECT || byte === OPEN_ARRAY) && ++count > INPUT_LIMITS.maxValues) {
      return true;
    }
  }
  return false;
}

/**
 * A copy of the answers with every text cut to its limit (its maxLength, or defaultMaxLength),
 * for showing refused answers again: a page that echoes a megabyte back would itself be a way
 * to make the server send far more than it received. Nesting beyond MAX_DEPTH (refused anyway)
 * is copied as it is.
 */
export function clipToLimits<T>(data: T, fields: FieldIndex): T {
  const visit = (value: unknown, pattern: string, depth: number): unknown => {
    if (typeof value === 'string') {
      const limit = fields.get(pattern)?.maxLength ?? INPUT_LIMITS.defaultMaxLength;
      return codePointLength(value, limit) > limit ? [...value].slice(0, limit).join('') : value;
    }
    if (depth > MAX_DEPTH || value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map((item) => visit(item, `${pattern}/*`, depth + 1));
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      if (key !== '__proto__') copy[key] = visit(item, `${pattern}/${escapeToken(key)}`, depth + 1);
    }
    return copy;
  };
  return visit(data, '', 0) as T;
}
