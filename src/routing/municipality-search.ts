import type { Municipality, Tenant } from './tenant';

export interface MunicipalityMatch {
  readonly municipality: Municipality;
  readonly tenant: Tenant;
}

/** Lower case without diacritics and with ß as ss, so "Gößnitz", "gossnitz" and "Goessnitz" meet. */
function fold(text: string): string {
  return text
    .toLowerCase()
    .replace(/ä/g, 'ae').replace(/ö/g, 'oe').replace(/ü/g, 'ue').replace(/ß/g, 'ss')
    .normalize('NFD').replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** The municipalities of all tenants, for the region step's search and for showing names. */
export interface MunicipalitySearch {
  /** At most `limit` municipalities whose postal code or name matches the query, by name. */
  search(query: string, limit?: number): MunicipalityMatch[];
  byArs(ars: string): MunicipalityMatch | undefined;
}

/**
 * Finds municipalities by postal code (exact, or a prefix of at least 3 digits) or by name
 * (every word of the query starts a word of the name). Several municipalities can share a
 * postal code, so the citizen chooses. Built once; each search is a scan of a short list.
 */
export function createMunicipalitySearch(tenants: readonly Tenant[]): MunicipalitySearch {
  const entries = tenants.flatMap((tenant) =>
    tenant.municipalities.map((municipality) => ({ municipality, tenant, words: fold(municipality.name).split(' ') })),
  );
  entries.sort((a, b) => a.municipality.name.localeCompare(b.municipality.name, 'de'));
  const byArs = new Map(entries.map((e) => [e.municipality.ars, e]));

  return {
    search(query: string, limit = 20): MunicipalityMatch[] {
      const q = query.trim();
      if (/^[0-9]{3,5}$/.test(q)) {
        return entries.filter((e) => e.municipality.postalCodes.some((p) => p.startsWith(q))).slice(0, limit);
      }
      const words = fold(q).split(' ').filter(Boolean);
      if (words.length === 0) return [];
      return entries
        .filter((e) => words.every((w) => e.words.some((n) => n.startsWith(w))))
        .slice(0, limit);
    },
    byArs(ars: string): MunicipalityMatch | undefined {
      return byArs.get(ars);
    },
  };
}

