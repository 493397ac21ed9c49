import type { FieldIndex } from './field-index';
import { escapeToken } from '../support/json-pointer';

/**
 * Returns the answers with every object's keys in schema order (unknown keys after, by UTF-16
 * code units). The same answers then give the same stored JSON and the same XML, whether they
 * came from the JSON API in any key order or from the citizen pages.
 */
export function canonicalOrder(value: unknown, fields: FieldIndex, pattern = ''): unknown {
  if (Array.isArray(value)) return value.map((item) => canonicalOrder(item, fields, `${pattern}/*`));
  if (value === null || typeof value !== 'object') return value;
  const rank = (key: string): number => fields.rank(`${pattern}/${escapeToken(key)}`);
  const entries = Object.entries(value as Record<string, unknown>).sort(
    ([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0),
  );
  return Object.fromEntries(entries.map(([key, child]) => [key, canonicalOrder(child, fields, `${pattern}/${escapeToken(key)}`)]));
}
