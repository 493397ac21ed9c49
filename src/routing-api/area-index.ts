import { AREA_TYPES } from '../i18n/routing-api-texts';
import { foldName, type MunicipalitySearch } from '../routing/municipality-search';
import type { Municipality, RegionUnit, Tenant } from '../routing/tenant';
import type { Area } from './routing-api-types';
import { foldPlain } from '../routing/name-folding';
import { wordGlobs } from '../routing/word-glob';

/** The areas /api/areas finds and /api/routes?areaId= accepts: their ids are ARS keys. */
export interface AreaIndex {
  /**
   * The areas every term matches, by name: a term of digits (and `*`) is a postal code pattern
   * ("99084", "990*"), any other a name pattern (word-glob.ts).
   */
  search(terms: readonly string[]): readonly Area[];
  byId(id: string): Area | undefined;
}

interface Entry {
  readonly area: Area;
  /** The folded names to match: name and official name, each folded both ways. */
  readonly names: readonly string[];
}

const POSTAL_TERM = /^[0-9*]+$/;
const INDEPENDENT_TOWN_KINDS = new Set([41, 42]);
/** A "verbandsfreie Gemeinde" is one municipality: it is listed as that municipality. */
const SINGLE_MUNICIPALITY_ASSOCIATION = 50;

function foldedNames(...texts: ReadonlyArray<string | undefined>): string[] {
  return [...new Set(texts.filter((t): t is string => t !== undefined).flatMap((t) => [foldName(t), foldPlain(t)]))].filter(Boolean);
}

function municipalityType(m: Municipality, districtKinds: ReadonlyMap<string, number | undefined>): string {
  const kind = districtKinds.get(m.ars.slice(0, 5));
  if (kind !== undefined && INDEPENDENT_TOWN_KINDS.has(kind)) return AREA_TYPES.independentTown;
  // The directory's official names say so: "Arnstadt, Stadt".
  return /,\s*Stadt$/.test(m.officialName ?? '') ? AREA_TYPES.town : AREA_TYPES.municipality;
}

function unitType(unit: RegionUnit, fallback: string): string {
  return (unit.kind !== undefined ? AREA_TYPES.byKind[unit.kind] : undefined) ?? fallback;
}

function entriesOf(tenant: Tenant): Entry[] {
  const districtKinds = new Map((tenant.districts ?? []).map((d) => [d.ars, d.kind]));
  const lands = tenant.regions.filter((r) => r.length === 2).map((id) => ({ area: { id, name: tenant.name.de, type: AREA_TYPES.land }, names: foldedNames(tenant.name.de) }));
  // A kreisfreie Stadt is one municipality: listed once, as the municipality.
  const districts = (tenant.districts ?? []).filter((d) => d.kind === undefined || !INDEPENDENT_TOWN_KINDS.has(d.kind))
    .map((d) => ({ area: { id: d.ars, name: d.name, type: unitType(d, AREA_TYPES.district) }, names: foldedNames(d.name) }));
  const associations = (tenant.associations ?? []).filter((a) => a.kind !== SINGLE_MUNICIPALITY_ASSOCIATION)
    .map((a) => ({ area: { id: a.ars, name: a.name, type: unitType(a, AREA_TYPES.association) }, names: foldedNames(a.name) }));
  const municipalities = tenant.municipalities.map((m) => ({
    area: { id: m.ars, name: m.name, type: municipalityType(m, districtKinds) },
    names: foldedNames(m.name, m.officialName),
  }));
  return [...lands, ...districts, ...associations, ...municipalities];
}

/**
 * Built once from all tenants. A search scans the folded names (a plain substring test rejects
 * almost all of them at once); postal codes come from the region step's index.
 */
export function createAreaIndex(tenants: readonly Tenant[], municipalities: MunicipalitySearch): AreaIndex {
  const entries = tenants.flatMap(entriesOf)
    .sort((a, b) => a.area.name.localeCompare(b.area.name, 'de') || (a.area.id < b.area.id ? -1 : a.area.id > b.area.id ? 1 : 0));
  const byId = new Map(entries.map((e) => [e.area.id, e.area]));

  function predicate(term: string): (entry: Entry) => boolean {
    if (POSTAL_TERM.test(term)) {
      const ids = new Set(municipalities.matchExpression(term, Number.MAX_SAFE_INTEGER).map((m) => m.municipality.ars));
      return (entry) => ids.has(entry.area.id);
    }
    const globs = wordGlobs(term);
    return (entry) => entry.names.some((name) => globs.some((glob) => glob.matches(name)));
  }

  return {
    search(terms) {
      const tests = terms.map(predicate);
      return entries.filter((entry) => tests.every((test) => test(entry))).map((e) => e.area);
    },
    byId: (id) => byId.get(id),
  };
}
