import { problem } from '../startup-error';
import { describeRollout } from './explain-route';
import { rolloutOf } from './local-parameters';
import type { RoutingMatch, RoutingTable, TenantSource } from './routing-table';

/**
 * What is allowed but most likely a mistake in tenant files that load: `efa-forms check` prints
 * these as warnings (the server starts with them). Each is a `file: pointer: reason` line:
 * - an authority no municipality of its tenant is routed to, for any form (its regions match no
 *   municipality, or longer prefixes of other authorities win everywhere it claims);
 * - a municipality no authority serves for any form (citizens there can apply for nothing);
 * - a `serves` region of 12 digits that is not a municipality of the tenant, or a shorter one that
 *   matches none (a typo, or a key the last directory import changed);
 * - a municipality that has responsible authorities, but none of their routes is `live` (citizens
 *   there can apply for nothing online yet), with each form's rollout state and planned date;
 * - with `now`: a `planned` entry whose `plannedFrom` has passed (citizens are still told "not yet").
 * Pure: the routing table decides, exactly as it does for citizens.
 */
export function tenantWarnings(sources: readonly TenantSource[], routing: Pick<RoutingTable, 'resolve'>, formIds: readonly string[], now?: Date): string[] {
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
      const matches: Array<{ formId: string; match: RoutingMatch }> = [];
      for (const formId of formIds) {
        const match = routing.resolve(formId, m.ars);
        if (match) {
          routedTo.add(match.authority.id);
          matches.push({ formId, match });
        }
      }
      if (matches.length === 0) unserved.push(problem(file, `/municipalities/${i}`, `${m.name} (${m.ars}) is served by no authority for any form`));
      else if (matches.every(({ match }) => match.rollout !== 'live')) {
        const states = matches.map(({ formId, match }) => `${formId} ${describeRollout({ rollout: match.rollout, ...(match.rollout === 'planned' && match.responsibility.plannedFrom !== undefined ? { plannedFrom: match.responsibility.plannedFrom } : {}) })} (${match.authority.id})`);
        unserved.push(problem(file, `/municipalities/${i}`, `${m.name} (${m.ars}) can apply online for no form yet: ${states.join(', ')}`));
      }
    });

    tenant.authorities.forEach((authority, a) => {
      if (!routedTo.has(authority.id)) {
        warnings.push(problem(file, `/authorities/${a}`, `authority "${authority.id}" is responsible for no municipality of the tenant, for any form (its regions match none, or longer prefixes of other authorities win)`));
      }
      const today = now?.toISOString().slice(0, 10);
      authority.serves.forEach((entry, s) => {
        if (today !== undefined && rolloutOf(entry) === 'planned' && entry.plannedFrom !== undefined && entry.plannedFrom < today) {
          warnings.push(problem(file, `/authorities/${a}/serves/${s}/plannedFrom`, `planned from ${entry.plannedFrom}, which has passed; citizens are still told it is not yet online (set rollout to "testing" or "live", or a later date)`));
        }
      });
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
