import type { AreaQuery, Paging } from './create-routing-api';

/**
 * The query parameters of FIT-Connect's Routing API v2, checked as its description says
 * (patterns, ranges, defaults). A bad value yields the parameter's name, for a 400 that says
 * which one; a parameter given twice is bad too, except the repeatable areaSearchexpression.
 */

export type Query = Readonly<Record<string, unknown>>;
export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly parameter: string };

const LEIKA_KEY = /^99[0-9]{12}$/;
const ARS = /^([0-9]{2}|[0-9]{3}|[0-9]{5}|[0-9]{9}|[0-9]{12})$/;
const AGS = /^([0-9]{2}|[0-9]{3}|[0-9]{5}|[0-9]{8})$/;
const AREA_ID = /^[0-9]{1,12}$/;
export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 500;
/** FIT-Connect's int32 offsets. */
const MAX_OFFSET = 2_147_483_647;
export const MAX_SEARCH_TERMS = 10;
/** Not in FIT-Connect's description: bounds the work one term can cause. */
export const MAX_SEARCH_TERM_LENGTH = 100;

const bad = (parameter: string): Checked<never> => ({ ok: false, parameter });

/** A single string, or undefined when absent; an array (given twice) is not one. */
function one(query: Query, name: string): string | undefined | null {
  const value = query[name];
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : null;
}

function wholeNumber(query: Query, name: string, fallback: number, min: number, max: number): number | undefined {
  const raw = one(query, name);
  if (raw === undefined) return fallback;
  if (raw === null || !/^[0-9]{1,10}$/.test(raw)) return undefined;
  const value = Number(raw);
  return value >= min && value <= max ? value : undefined;
}

export function checkPaging(query: Query): Checked<Paging> {
  const offset = wholeNumber(query, 'offset', 0, 0, MAX_OFFSET);
  if (offset === undefined) return bad('offset');
  const limit = wholeNumber(query, 'limit', DEFAULT_LIMIT, 1, MAX_LIMIT);
  if (limit === undefined) return bad('limit');
  return { ok: true, value: { offset, limit } };
}

/**
 * FIT-Connect's term pattern `^(\*?([^\*]{2,})\*?)*$`, checked without running it (nested
 * quantifiers backtrack exponentially on a failing input): runs of two or more non-stars, at most
 * one star before the first and after the last, at most two between runs.
 */
export function isSearchTerm(term: string): boolean {
  if (term.length === 0 || term.length > MAX_SEARCH_TERM_LENGTH) return false;
  const segments = term.split('*');
  if (segments.every((s) => s === '')) return false;
  if (segments.some((s) => s.length === 1)) return false;
  const first = segments.findIndex((s) => s !== '');
  const last = segments.length - 1 - [...segments].reverse().findIndex((s) => s !== '');
  if (first > 1 || segments.length - 1 - last > 1) return false;
  // Between two runs, two empty segments in a row would be three stars.
  return !segments.slice(first, last + 1).some((s, i, inner) => s === '' && inner[i + 1] === '');
}

export function checkRoutesQuery(query: Query): Checked<{ leikaKey: string; area: AreaQuery } & Paging> {
  const leikaKey = one(query, 'leikaKey');
  if (typeof leikaKey !== 'string' || !LEIKA_KEY.test(leikaKey)) return bad('leikaKey');
  const given = (['ars', 'ags', 'areaId'] as const).filter((name) => query[name] !== undefined);
  if (given.length !== 1) return bad('ars|ags|areaId');
  const name = given[0]!;
  const value = one(query, name);
  const pattern = { ars: ARS, ags: AGS, areaId: AREA_ID }[name];
  if (typeof value !== 'string' || !pattern.test(value)) return bad(name);
  const paging = checkPaging(query);
  if (!paging.ok) return paging;
  const area = (name === 'ars' ? { ars: value } : name === 'ags' ? { ags: value } : { areaId: value }) satisfies AreaQuery;
  return { ok: true, value: { leikaKey, area, ...paging.value } };
}

export function checkAreasQuery(query: Query): Checked<{ terms: readonly string[] } & Paging> {
  const raw = query.areaSearchexpression;
  const terms = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw : undefined;
  if (!terms || terms.length === 0 || terms.length > MAX_SEARCH_TERMS || !terms.every((t): t is string => typeof t === 'string' && isSearchTerm(t))) {
    return bad('areaSearchexpression');
  }
  const paging = checkPaging(query);
  if (!paging.ok) return paging;
  return { ok: true, value: { terms, ...paging.value } };
}
