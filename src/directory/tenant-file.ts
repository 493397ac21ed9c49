import type { Tenant } from '../routing/tenant';
import type { DirectoryUnits } from './import-directory';

/** The lists an import writes one entry per line, so a quarterly update diffs line by line. */
const LINE_LISTS = new Set(['municipalities', 'districts', 'associations']);

/**
 * The tenant with the directory's municipalities, districts and associations, every other
 * member (authorities included) the very value it was, in the order it was. New lists go right
 * after `municipalities`.
 */
export function withUnits(tenant: Tenant, units: DirectoryUnits): Tenant {
  const replaced: Record<string, unknown> = {};
  const lists = { municipalities: units.municipalities, districts: units.districts, associations: units.associations };
  for (const [key, value] of Object.entries(tenant)) {
    if (key === 'municipalities') {
      replaced.municipalities = lists.municipalities;
      if (!('districts' in tenant)) replaced.districts = lists.districts;
      if (!('associations' in tenant)) replaced.associations = lists.associations;
    } else if (key === 'districts' || key === 'associations') {
      replaced[key] = lists[key];
    } else {
      replaced[key] = value;
    }
  }
  return replaced as unknown as Tenant;
}

/**
 * The text of a tenant file: JSON with a 2-space indent, as the hand-written samples are,
 * except that each municipality, district and association is one line. A 633-municipality
 * tenant is then 633 lines that git diffs one municipality at a time, instead of ~9,000.
 */
export function formatTenantFile(tenant: Tenant): string {
  const members = Object.entries(tenant).map(([key, value]) => {
    const name = JSON.stringify(key);
    if (LINE_LISTS.has(key) && Array.isArray(value)) {
      if (value.length === 0) return `  ${name}: []`;
      return `  ${name}: [\n${value.map((item) => `    ${compact(item)}`).join(',\n')}\n  ]`;
    }
    return `  ${name}: ${JSON.stringify(value, null, 2).replace(/\n/g, '\n  ')}`;
  });
  return `{\n${members.join(',\n')}\n}\n`;
}

/** One line of JSON with a blank after `:` and `,`, easier to read than JSON.stringify's. */
function compact(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(compact).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const members = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{ ${members.map(([k, v]) => `${JSON.stringify(k)}: ${compact(v)}`).join(', ')} }`;
  }
  return JSON.stringify(value);
}
