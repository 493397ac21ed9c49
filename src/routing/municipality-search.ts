import { foldName, foldPlain } from './name-folding';
import type { Municipality, Tenant } from './tenant';
import { globMatches } from './word-glob';

export { foldName } from './name-folding';

export interface MunicipalityMatch {
  readonly municipality: Municipality;
  readonly tenant: Tenant;
}

/**
 * What the directory appends to official names: ", Stadt", ", Hansestadt", ", Lutherstadt" …
 * (GV100AD). Citizens do not type it; it is not a word of the name to search for.
 */
const NAME_SUFFIX = /,.*$/;

/** The municipalities of all tenants, for the region step's search, route lookups and names. */
export interface MunicipalitySearch {
  /**
   * At most `limit` municipalities whose postal code (exact, or a prefix of 3 or 4 digits) or
   * name matches (every word of the query starts a word of the name, folded), by name.
   */
  search(query: string, limit?: number): MunicipalityMatch[];
  byArs(ars: string): MunicipalityMatch | undefined;
  /** By Amtlicher Gemeindeschlüssel (8 digits: Land, RB, Kreis, Gemeinde). */
  byAgs(ags: string): MunicipalityMatch | undefined;
  /** Every municipality with this postal code (one postal code can cover several), by name. */
  byPostalCode(postalCode: string): MunicipalityMatch[];
  /**
   * Municipalities whose whole folded name (or official name) matches an expression where `*`
   * stands for any characters ("Erf*", "*bach"); a 5-digit expression (with `*` allowed) matches
   * postal codes. By name, at most `limit`.
   */
  matchExpression(expression: string, limit?: number): MunicipalityMatch[];
  /** How many municipalities there are. */
  readonly size: number;
}

interface Entry extends MunicipalityMatch {
  /** Folded names to match whole: name, official name, and their plain variants. */
  readonly names: readonly string[];
}

/** The AGS of an ARS: Land, RB, Kreis (5 digits) and Gemeinde (the last 3). */
export function agsOfArs(ars: string): string {
  return `${ars.slice(0, 5)}${ars.slice(9, 12)}`;
}

/**
 * Built once from all tenants: a map by ARS, AGS and postal code, and a sorted list of name
 * words for prefix search (binary search for the first word, then the rest checked), so a search
 * costs far less than a scan of 11,000 municipalities.
 */
export function createMunicipalitySearch(tenants: readonly Tenant[]): MunicipalitySearch {
  const entries: Entry[] = tenants.flatMap((tenant) => tenant.municipalities.map((municipality) => {
    const texts = [municipality.name, ...(municipality.officialName ? [municipality.officialName] : [])];
    const names = [...new Set(texts.flatMap((t) => [foldName(t), foldPlain(t), foldName(t.replace(NAME_SUFFIX, '')), foldPlain(t.replace(NAME_SUFFIX, ''))]))].filter(Boolean);
    return { municipality, tenant, names };
  }));
  entries.sort((a, b) => a.municipality.name.localeCompare(b.municipality.name, 'de') || (a.municipality.ars < b.municipality.ars ? -1 : 1));
  const order = new Map(entries.map((e, i) => [e, i]));
  const byArs = new Map(entries.map((e) => [e.municipality.ars, e]));
  const byAgs = new Map(entries.map((e) => [agsOfArs(e.municipality.ars), e]));
  const byPostal = new Map<string, Entry[]>();
  for (const e of entries) {
    for (const code of e.municipality.postalCodes) {
      const list = byPostal.get(code) ?? [];
      if (!list.includes(e)) list.push(e);
      byPostal.set(code, list);
    }
  }
  const postalCodes = [...byPostal.keys()].sort();
  // Every word of every name variant, with the entries that have it; sorted for prefix search.
  const wordMap = new Map<string, Set<Entry>>();
  for (const e of entries) for (const name of e.names) for (const w of name.split(' ')) {
    const set = wordMap.get(w) ?? new Set<Entry>();
    set.add(e);
    wordMap.set(w, set);
  }
  const words = [...wordMap.keys()].sort();
  const wordsOf = new Map(entries.map((e) => [e, new Set(e.names.flatMap((n) => n.split(' ')))]));

  const byName = (list: Iterable<Entry>, limit: number): MunicipalityMatch[] =>
    [...list].sort((a, b) => order.get(a)! - order.get(b)!).slice(0, limit).map(({ municipality, tenant }) => ({ municipality, tenant }));

  /** Entries with a word starting with `prefix`. */
  function withWordPrefix(prefix: string): Set<Entry> {
    const found = new Set<Entry>();
    let lo = 0;
    let hi = words.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (words[mid]! < prefix) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < words.length && words[i]!.startsWith(prefix); i++) for (const e of wordMap.get(words[i]!)!) found.add(e);
    return found;
  }

  function postalPrefix(prefix: string): Entry[] {
    const found = new Set<Entry>();
    for (const code of postalCodes) if (code.startsWith(prefix)) for (const e of byPostal.get(code)!) found.add(e);
    return [...found];
  }

  return {
    size: entries.length,
    search(query: string, limit = 20): MunicipalityMatch[] {
      const q = query.trim();
      if (/^[0-9]{5}$/.test(q)) return byName(byPostal.get(q) ?? [], limit);
      if (/^[0-9]{3,4}$/.test(q)) return byName(postalPrefix(q), limit);
      const queryWords = [...new Set([...foldName(q).split(' '), ...foldPlain(q).split(' ')])].filter(Boolean);
      const folded = foldName(q).split(' ').filter(Boolean);
      const plain = foldPlain(q).split(' ').filter(Boolean);
      if (queryWords.length === 0) return [];
      // Candidates by the first word, then every word of one spelling must start a word.
      const candidates = new Set([...withWordPrefix(folded[0] ?? ''), ...withWordPrefix(plain[0] ?? '')]);
      const matches = [...candidates].filter((e) => {
        const own = wordsOf.get(e)!;
        const fits = (list: string[]) => list.every((w) => [...own].some((n) => n.startsWith(w)));
        return fits(folded) || fits(plain);
      });
      return byName(matches, limit);
    },
    byArs: (ars) => byArs.get(ars),
    byAgs: (ags) => byAgs.get(ags),
    byPostalCode: (code) => byName(byPostal.get(code) ?? [], Number.MAX_SAFE_INTEGER),
    matchExpression(expression: string, limit = 100): MunicipalityMatch[] {
      const e = expression.trim();
      if (e === '') return [];
      // The parts between the stars, matched by plain string search (never a regular expression
      // built from the client's text); the whole name or postal code must match.
      if (/^[0-9*]+$/.test(e) && e.replace(/\*/g, '').length > 0) {
        const parts = e.split('*');
        const found = new Set<Entry>();
        for (const code of postalCodes) if (globMatches(code, parts)) for (const m of byPostal.get(code)!) found.add(m);
        return byName(found, limit);
      }
      const variants = [foldName, foldPlain].map((fold) => e.split('*').map((part) => fold(part)));
      return byName(entries.filter((m) => m.names.some((n) => variants.some((parts) => globMatches(n, parts)))), limit);
    },
  };
}
