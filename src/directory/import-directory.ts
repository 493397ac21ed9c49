import type { Municipality, RegionUnit } from '../routing/tenant';
import type { Gv100adDirectory } from './gv100ad';
import type { PostalCodeList } from './postal-codes';

/** What a tenant takes from the directory: its municipalities, associations and districts. */
export interface DirectoryUnits {
  /** Sorted by ARS. */
  readonly municipalities: readonly Municipality[];
  readonly districts: readonly RegionUnit[];
  readonly associations: readonly RegionUnit[];
  /** AGS of the postal-code list that name no municipality of the directory (another state, another year). */
  readonly unknownPostalCodeAgs: readonly string[];
}

/**
 * The name citizens search for and read: the official name without what the directory appends
 * after the first comma (", Stadt", ", Kurort, Stadt", ", Hansestadt", ", Lutherstadt" …), so
 * "Erfurt, Stadt" is "Erfurt". Brackets belong to the name ("Halle (Saale)").
 */
export function searchName(officialName: string): string {
  const comma = officialName.indexOf(',');
  const name = comma < 0 ? officialName : officialName.slice(0, comma).trim();
  return name === '' ? officialName : name;
}

/**
 * The units of the directory that lie in a tenant's regions (ARS prefixes): a municipality,
 * association or district whose key starts with one of them. A municipality's postal codes are
 * its seat's plus every one the list gives for its AGS, unique and sorted. Pure: no I/O, so a
 * benchmark can call it.
 */
export function selectForRegions(directory: Gv100adDirectory, regions: readonly string[], postalCodes?: PostalCodeList): DirectoryUnits {
  const inRegions = (ars: string): boolean => regions.some((prefix) => ars.startsWith(prefix));
  const municipalities: Municipality[] = directory.municipalities
    .filter((record) => inRegions(record.ars))
    .map((record) => {
      const codes = new Set(postalCodes?.byAgs.get(record.ags) ?? []);
      if (record.postalCode !== undefined) codes.add(record.postalCode);
      const name = searchName(record.name);
      return {
        ars: record.ars,
        name,
        ...(name === record.name ? {} : { officialName: record.name }),
        population: record.population,
        postalCodes: [...codes].sort(),
      };
    });
  const unit = (record: { readonly ars: string; readonly name: string; readonly kind: number }): RegionUnit => ({ ars: record.ars, name: record.name, kind: record.kind });
  const known = new Set(directory.municipalities.map((record) => record.ags));
  return {
    municipalities: municipalities.sort(byArs),
    districts: directory.districts.filter((record) => inRegions(record.ars)).map(unit).sort(byArs),
    associations: directory.associations.filter((record) => inRegions(record.ars)).map(unit).sort(byArs),
    unknownPostalCodeAgs: [...(postalCodes?.byAgs.keys() ?? [])].filter((ags) => !known.has(ags)).sort(),
  };
}

export function byArs(a: { readonly ars: string }, b: { readonly ars: string }): number {
  return a.ars < b.ars ? -1 : a.ars > b.ars ? 1 : 0;
}
