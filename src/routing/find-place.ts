import type { MunicipalityMatch, MunicipalitySearch } from './municipality-search';

/** How the input named the place. */
export type PlaceKey = 'ARS' | 'AGS' | 'postal code' | 'name';

export type PlaceLookup =
  | { readonly kind: 'one'; readonly by: PlaceKey; readonly match: MunicipalityMatch }
  /** A well-formed ARS no tenant lists: routing still works by prefix, but no municipality has it. */
  | { readonly kind: 'unlisted'; readonly by: 'ARS'; readonly ars: string }
  | { readonly kind: 'several'; readonly by: PlaceKey; readonly matches: readonly MunicipalityMatch[] }
  | { readonly kind: 'none'; readonly by: PlaceKey | undefined; readonly reason: string };

/** More than any real name or postal code has; enough to list them all. */
const LIST_LIMIT = 1000;

/**
 * What an operator types for a place: a 12-digit ARS, an 8-digit AGS, a 5-digit postal code, or
 * a name (German folding: "Weissensee" finds "Weißensee"; `*` as a wildcard). A name that is
 * some municipality's whole name names that one, even if longer names start with it ("Gera", not
 * "Geratal"); otherwise every municipality whose name starts so is a candidate.
 */
export function findPlace(search: MunicipalitySearch, input: string): PlaceLookup {
  const text = input.trim();
  const digits = text.replace(/\s+/g, '');
  if (/^[0-9]+$/.test(digits)) {
    if (digits.length === 12) {
      const match = search.byArs(digits);
      return match ? { kind: 'one', by: 'ARS', match } : { kind: 'unlisted', by: 'ARS', ars: digits };
    }
    if (digits.length === 8) {
      const match = search.byAgs(digits);
      return match ? { kind: 'one', by: 'AGS', match } : { kind: 'none', by: 'AGS', reason: `no tenant lists a municipality with AGS ${digits}` };
    }
    if (digits.length === 5) return fromList('postal code', search.byPostalCode(digits), `no tenant lists a municipality with postal code ${digits}`);
    return { kind: 'none', by: undefined, reason: `"${text}" is not an ARS (12 digits), AGS (8 digits) or postal code (5 digits)` };
  }
  if (text === '') return { kind: 'none', by: undefined, reason: 'the place is empty' };
  const whole = search.matchExpression(text, LIST_LIMIT);
  // "990*" is a postal code expression (matchExpression reads it so).
  const by = /^[0-9*]+$/.test(text) ? 'postal code' : 'name';
  if (whole.length > 0 || text.includes('*')) return fromList(by, whole, `nothing matches "${text}"`);
  return fromList('name', search.search(text, LIST_LIMIT), `no municipality's name is or starts with "${text}"`);
}

function fromList(by: PlaceKey, matches: readonly MunicipalityMatch[], reason: string): PlaceLookup {
  const [only] = matches;
  if (matches.length === 1 && only) return { kind: 'one', by, match: only };
  if (matches.length > 1) return { kind: 'several', by, matches };
  return { kind: 'none', by, reason };
}
