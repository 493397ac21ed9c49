import { problem, StartupError } from '../startup-error';
import { effectiveParameters, rolloutOf } from './local-parameters';
import type { Authority, LocalParameters, Responsibility, RolloutState, Tenant } from './tenant';

export interface RoutingMatch {
  readonly tenant: Tenant;
  readonly authority: Authority;
  /** The ARS prefix of the `serves` entry that won. */
  readonly prefix: string;
  /** The `serves` entry that won. */
  readonly responsibility: Responsibility;
  /** Its rollout state (`live` when the file does not say): only `live` routes citizens. */
  readonly rollout: RolloutState;
  /** The authority's parameters with the entry's own winning field by field. */
  readonly parameters: LocalParameters;
}

/**
 * Resolves an applicant's region and a form to the one responsible authority. Pure, no I/O.
 * The longest prefix decides who is responsible whatever its rollout state: a municipality
 * whose own responsibility is `planned` is not sent to its district's `live` one. Callers that
 * route citizens accept only `rollout === 'live'`.
 */
export interface RoutingTable {
  resolve(formId: string, ars: string): RoutingMatch | undefined;
  authority(id: string): { readonly tenant: Tenant; readonly authority: Authority } | undefined;
  tenants(): readonly Tenant[];
}

export interface TenantSource {
  readonly file: string;
  readonly tenant: Tenant;
}

function overlaps(a: string, b: string): boolean {
  return a.startsWith(b) || b.startsWith(a);
}

/**
 * Builds the routing table from all tenants and checks it as a whole: tenants' regions must not
 * overlap, authority ids are unique, an authority serves only inside its tenant's regions and
 * only forms that exist, and no two authorities claim the same form for the same prefix.
 */
export function buildRoutingTable(sources: readonly TenantSource[], knownFormIds: ReadonlySet<string>): RoutingTable {
  const problems: string[] = [];
  const regionOwners: Array<{ prefix: string; file: string; pointer: string }> = [];
  const authorities = new Map<string, { tenant: Tenant; authority: Authority; file: string; pointer: string }>();
  // key `${formId} ${prefix}` -> where it was declared, to find duplicate claims.
  const claims = new Map<string, RoutingMatch & { file: string; pointer: string }>();

  for (const { file, tenant } of sources) {
    tenant.regions.forEach((prefix, i) => {
      const pointer = `/regions/${i}`;
      const clash = regionOwners.find((r) => overlaps(r.prefix, prefix));
      if (clash) {
        problems.push(problem(file, pointer, `region "${prefix}" overlaps region "${clash.prefix}" at ${clash.file}: ${clash.pointer}`));
      }
      regionOwners.push({ prefix, file, pointer });
    });
    tenant.municipalities.forEach((m, i) => {
      if (!tenant.regions.some((r) => m.ars.startsWith(r))) {
        problems.push(problem(file, `/municipalities/${i}/ars`, `"${m.ars}" lies outside the tenant's regions`));
      }
    });
    tenant.authorities.forEach((authority, a) => {
      const pointer = `/authorities/${a}`;
      const existing = authorities.get(authority.id);
      if (existing) {
        problems.push(problem(file, `${pointer}/id`, `authority id "${authority.id}" is also used at ${existing.file}: ${existing.pointer}/id`));
      } else {
        authorities.set(authority.id, { tenant, authority, file, pointer });
      }
      authority.serves.forEach((entry, s) => {
        const rollout = rolloutOf(entry);
        const parameters = effectiveParameters(authority, entry);
        if (entry.plannedFrom !== undefined && rollout !== 'planned') {
          problems.push(problem(file, `${pointer}/serves/${s}/plannedFrom`, `is only meaningful with rollout "planned" (this entry is "${rollout}")`));
        }
        const duration = parameters.processingDuration;
        if (duration && duration.min > duration.max) {
          const where = entry.parameters?.processingDuration ? `${pointer}/serves/${s}/parameters/processingDuration` : `${pointer}/parameters/processingDuration`;
          problems.push(problem(file, where, `min (${duration.min}) is greater than max (${duration.max})`));
        }
        entry.regions.forEach((prefix, r) => {
          const at = `${pointer}/serves/${s}/regions/${r}`;
          if (!tenant.regions.some((own) => prefix.startsWith(own))) {
            problems.push(problem(file, at, `"${prefix}" lies outside the tenant's regions (${tenant.regions.join(', ')})`));
          }
          for (const formId of entry.forms) {
            const key = `${formId} ${prefix}`;
            const other = claims.get(key);
            if (other) {
              problems.push(problem(file, at, `authority "${authority.id}" and authority "${other.authority.id}" (${other.file}: ${other.pointer}) both serve form "${formId}" for region "${prefix}"`));
            } else {
              claims.set(key, { tenant, authority, prefix, responsibility: entry, rollout, parameters, file, pointer: at });
            }
          }
        });
        entry.forms.forEach((formId, f) => {
          if (!knownFormIds.has(formId)) problems.push(problem(file, `${pointer}/serves/${s}/forms/${f}`, `form "${formId}" is not loaded from FORMS_DIR`));
        });
      });
    });
  }
  if (problems.length > 0) throw new StartupError(problems);

  const tenants = Object.freeze(sources.map((s) => s.tenant));
  return Object.freeze({
    resolve(formId: string, ars: string): RoutingMatch | undefined {
      // Longest prefix wins: walk from the full key down to the shortest prefix.
      for (let length = ars.length; length >= 1; length--) {
        const prefix = ars.slice(0, length);
        const claim = claims.get(`${formId} ${prefix}`);
        if (claim) {
          return { tenant: claim.tenant, authority: claim.authority, prefix, responsibility: claim.responsibility, rollout: claim.rollout, parameters: claim.parameters };
        }
      }
      return undefined;
    },
    authority(id: string) {
      const found = authorities.get(id);
      return found ? { tenant: found.tenant, authority: found.authority } : undefined;
    },
    tenants: () => tenants,
  });
}
