import { problem } from '../startup-error';
import type { RoutingTable, TenantSource } from './routing-table';

/**
 * What is allowed but most likely a mistake in tenant files that load: `efa-forms check` prints
 * these as warnings (the server starts with them). Each is a `file: pointer: reason` line:
 * - an authority no municipality of its tenant is routed to, for any form (its regions match no
 *   municipality, or longer prefixes of other authorities win everywhere it claims);
 * - a municipality no authority serves for any form (citizens there can apply for nothing);
 * - a `serves` region of 12 digits that is not a municipality of the tenant, or a shorter one that
 *   matches none (a typo, or a key the last directory import changed).
 * Pure: the routing table decides, exactly as it does for citizens.
 */
export function tenantWarnings(sources: readonly TenantSource[], routing: Pick<RoutingTable, 'resolve'>, formIds: readonly string[]): string[] {
  const warnings: string[] = [];
  for (const { file, tenant } of sources) {
    if (tenant.municipalities.length === 0) {
      warnings.push(problem(file, '/municipalities', 'the tenant lists no municipalities, so citizens cannot choose one (efa-forms import-municipalities sets them)'));
      continue;
    }
    const arsKeys = new Set(tenant.municipalities.map((m) => m.ars));
    const prefixes = new Set(tenant.municipalities.flatMap((m) => Array.from({ length: m.ars.length }, (_, n) => m.ars.slice(0, n + 1))));
    const routedTo = new Set<string>();
    const unserved: string[] = [];
    tenant.municipalities.forEach((m, i) => {
      let served = false;
      for (const formId of formIds) {
        const match = routing.resolve(formId, m.ars);
        if (match) {
          routedTo.add(match.authority.id);
          served = true;
        }
      }
      if (!served) unserved.push(problem(file, `/municipalities/${i}`, `${m.name} (${m.ars}) is served by no authority for any form`));
    });

    tenant.authorities.forEach((authority, a) => {
      if (!routedTo.has(authority.id)) {
        warnings.push(problem(file, `/authorities/${a}`, `authority "${authority.id}" is responsible for no municipality of the tenant, for any form (its regions match none, or longer prefixes of other authorities win)`));
      }
      authority.serves.forEach((entry, s) => entry.regions.forEach((prefix, r) => {
        const at = `/authorities/${a}/serves/${s}/regions/${r}`;
        if (prefix.length === 12 && !arsKeys.has(prefix)) warnings.push(problem(file, at, `"${prefix}" has 12 digits but is not a municipality of the tenant`));
        else if (prefix.length < 12 && !prefixes.has(prefix)) warnings.push(problem(file, at, `"${prefix}" matches no municipality of the tenant`));
      }));
    });
    warnings.push(...unserved);
  }
  return warnings;
}
