import type { Tenant } from '../routing/tenant';
import { byArs, type DirectoryUnits } from './import-directory';

/**
 * What an import changes in a tenant, against the tenant as it was. The point is the last list:
 * a new quarterly directory changes keys when municipalities merge, and every responsibility
 * given for an old key silently stops routing; the operator sees that before loading it.
 */
export interface ChangeReport {
  readonly municipalities: MunicipalityChanges;
  readonly districts: UnitChanges;
  readonly associations: UnitChanges;
  /** `serves` regions of the tenant's authorities that match no municipality after the import. */
  readonly unmatchedRegions: readonly UnmatchedRegion[];
}

export interface NamedKey {
  readonly ars: string;
  readonly name: string;
}

export interface Rename {
  readonly ars: string;
  readonly from: string;
  readonly to: string;
}

export interface UnitChanges {
  readonly before: number;
  readonly after: number;
  readonly added: readonly NamedKey[];
  readonly removed: readonly NamedKey[];
  readonly renamed: readonly Rename[];
}

export interface PostalCodeChange {
  readonly ars: string;
  readonly name: string;
  readonly added: readonly string[];
  readonly removed: readonly string[];
}

export interface MunicipalityChanges extends UnitChanges {
  /** Municipalities kept whose postal codes differ (the first import of a hand-written tenant, a new list). */
  readonly postalCodesChanged: readonly PostalCodeChange[];
}

export interface UnmatchedRegion {
  readonly authority: string;
  /** JSON pointer into the tenant file: /authorities/<a>/serves/<s>/regions/<r>. */
  readonly pointer: string;
  readonly region: string;
  readonly forms: readonly string[];
  /** How many of the tenant's municipalities the region matched before: 0 means it was broken already. */
  readonly matchedBefore: number;
}

/** Compares a tenant with what the directory gives it. Pure. */
export function compareTenant(before: Tenant, after: DirectoryUnits): ChangeReport {
  const municipalities = compareUnits(before.municipalities, after.municipalities);
  const old = new Map(before.municipalities.map((m) => [m.ars, m]));
  const postalCodesChanged: PostalCodeChange[] = [];
  for (const now of after.municipalities) {
    const was = old.get(now.ars);
    if (was === undefined) continue;
    const wasCodes = new Set(was.postalCodes);
    const nowCodes = new Set(now.postalCodes);
    const added = now.postalCodes.filter((code) => !wasCodes.has(code));
    const removed = was.postalCodes.filter((code) => !nowCodes.has(code));
    if (added.length > 0 || removed.length > 0) postalCodesChanged.push({ ars: now.ars, name: now.name, added, removed: [...removed].sort() });
  }

  const beforeKeys = before.municipalities.map((m) => m.ars).sort();
  const afterKeys = after.municipalities.map((m) => m.ars); // sorted by selectForRegions
  const unmatchedRegions: UnmatchedRegion[] = [];
  before.authorities.forEach((authority, a) => {
    authority.serves.forEach((entry, s) => {
      entry.regions.forEach((region, r) => {
        if (countWithPrefix(afterKeys, region) > 0) return;
        unmatchedRegions.push({
          authority: authority.id,
          pointer: `/authorities/${a}/serves/${s}/regions/${r}`,
          region,
          forms: entry.forms,
          matchedBefore: countWithPrefix(beforeKeys, region),
        });
      });
    });
  });

  return {
    municipalities: { ...municipalities, postalCodesChanged },
    districts: compareUnits(before.districts ?? [], after.districts),
    associations: compareUnits(before.associations ?? [], after.associations),
    unmatchedRegions,
  };
}

function compareUnits(before: readonly NamedKey[], after: readonly NamedKey[]): UnitChanges {
  const old = new Map(before.map((unit) => [unit.ars, unit.name]));
  const now = new Set(after.map((unit) => unit.ars));
  const named = (unit: NamedKey): NamedKey => ({ ars: unit.ars, name: unit.name });
  const renamed: Rename[] = [];
  for (const unit of after) {
    const from = old.get(unit.ars);
    if (from !== undefined && from !== unit.name) renamed.push({ ars: unit.ars, from, to: unit.name });
  }
  return {
    before: before.length,
    after: after.length,
    added: after.filter((unit) => !old.has(unit.ars)).map(named).sort(byArs),
    removed: before.filter((unit) => !now.has(unit.ars)).map(named).sort(byArs),
    renamed: renamed.sort(byArs),
  };
}

/** How many keys of a sorted list start with a prefix (binary search for the first one). */
export function countWithPrefix(sortedKeys: readonly string[], prefix: string): number {
  let low = 0;
  let high = sortedKeys.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((sortedKeys[middle] ?? '') < prefix) low = middle + 1;
    else high = middle;
  }
  let count = 0;
  while (low + count < sortedKeys.length && (sortedKeys[low + count] ?? '').startsWith(prefix)) count++;
  return count;
}
