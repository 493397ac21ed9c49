import type { Municipality, RegionUnit } from '../routing/tenant';
import type { Gv100adDirectory } from './gv100ad';
import type { PostalCodeList } from './postal-codes';

/** What a tenant takes from the directory: its municipalities, associations and districts. */
export interface DirectoryUnits {
  /** Sorted by ARS. */
  readonly municipalities: readonly Municipality[];
  readonly districts: readonly RegionUnit[];
  readonly associations: readonly RegionUnit[];
  /** The gemeindefreie Gebiete of the regions (see UNINCORPORATED_KINDS). */
  readonly unincorporated: UnincorporatedAreas;
  /** AGS of the postal-code list that name no municipality of the directory (another state, another year). */
  readonly unknownPostalCodeAgs: readonly string[];
}

export interface UnincorporatedAreas {
  /** Inhabited (Textkennzeichen 65): imported, and counted among the municipalities. */
  readonly inhabited: number;
  /** Uninhabited (66): skipped. */
  readonly uninhabited: number;
}

/**
 * Satzart 60 records that are no municipality: gemeindefreie Gebiete (forests, lakes, military
 * areas), 65 inhabited and 66 uninhabited. The inhabited ones are imported like municipalities,
 * since the people living there apply too (to the district, whose prefix matches their ARS).
 * The uninhabited ones are skipped: nobody can apply from there, and as municipalities they
 * would only count as "missing" in every coverage report.
 */
export const UNINCORPORATED_KINDS = Object.freeze({ inhabited: 65, uninhabited: 66 });

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
 * association or district whose key starts with one of them; not the uninhabited
 * gemeindefreie Gebiete (UNINCORPORATED_KINDS). A municipality's postal codes are
 * its seat's plus every one the list gives for its AGS, unique and sorted. Pure: no I/O, so a
 * benchmark can call it.
 */
export function selectForRegions(directory: Gv100adDirectory, regions: readonly string[], postalCodes?: PostalCodeList): DirectoryUnits {
  const inRegions = (ars: string): boolean => regions.some((prefix) => ars.startsWith(prefix));
  const records = directory.municipalities.filter((record) => inRegions(record.ars));
  const municipalities: Municipality[] = records
    .filter((record) => record.kind !== UNINCORPORATED_KINDS.uninhabited)
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
    unincorporated: {
      inhabited: records.filter((record) => record.kind === UNINCORPORATED_KINDS.inhabited).length,
      uninhabited: records.filter((record) => record.kind === UNINCORPORATED_KINDS.uninhabited).length,
    },
    unknownPostalCodeAgs: [...(postalCodes?.byAgs.keys() ?? [])].filter((ags) => !known.has(ags)).sort(),
  };
}

export function byArs(a: { readonly ars: string }, b: { readonly ars: string }): number {
  return a.ars < b.ars ? -1 : a.ars > b.ars ? 1 : 0;
}
