import type { FormRegistry } from '../forms/form-registry';
import { effectiveParameters, rolloutOf } from '../routing/local-parameters';
import type { RoutingTable } from '../routing/routing-table';
import type { Authority, LocalParameters, Tenant } from '../routing/tenant';
import { destinationIdOf } from './destination-id';

/** An authority as a Routing API destination for one service in one area. */
export interface Destination {
  readonly tenant: Tenant;
  readonly authority: Authority;
  readonly destinationId: string;
  /** The forms with the service key that route to this authority in (a part of) the area. */
  readonly formIds: readonly string[];
  /**
   * The local parameters of the responsibility that put the authority in its place: the one for
   * the area as a whole, else the one for the region inside it that sorts first.
   */
  readonly parameters: LocalParameters;
}

/**
 * Who takes a service (Leistungsschlüssel) where, read from the routing table. Pure. Only `live`
 * responsibilities count, as for a citizen: a `planned`, `testing` or `paused` one gives no
 * destination and is not signed for, and since the longest prefix decides whatever the rollout
 * state, it is not replaced by a shorter `live` one either (the area is unserved, as on the
 * region step).
 */
export interface DestinationFinder {
  /**
   * Every authority responsible for the service in the area (an ARS key or prefix) or in a part
   * of it: first the one the routing table finds for the area as a whole (longest prefix), then
   * those that serve regions inside it, by region. Live responsibilities only.
   */
  find(serviceKey: string, areaKey: string): Destination[];
  /** The regions (ARS keys and prefixes) the authority serves the service for live, sorted. */
  regionsOf(authorityId: string, serviceKey: string): readonly string[];
}

interface Claim {
  readonly region: string;
  readonly tenant: Tenant;
  readonly authority: Authority;
  readonly parameters: LocalParameters;
}

export function createDestinationFinder(routing: RoutingTable, forms: FormRegistry): DestinationFinder {
  const formsByKey = new Map<string, string[]>();
  for (const form of forms.list()) {
    const { id, serviceKey } = form.definition;
    formsByKey.set(serviceKey, [...(formsByKey.get(serviceKey) ?? []), id]);
  }
  const serviceKeyOf = new Map(forms.list().map((f) => [f.definition.id, f.definition.serviceKey]));
  const claimsByForm = new Map<string, Claim[]>();
  const regions = new Map<string, Set<string>>();
  for (const tenant of routing.tenants()) {
    for (const authority of tenant.authorities) {
      for (const entry of authority.serves) {
        if (rolloutOf(entry) !== 'live') continue;
        const parameters = effectiveParameters(authority, entry);
        for (const formId of entry.forms) {
          const list = claimsByForm.get(formId) ?? [];
          claimsByForm.set(formId, list);
          const key = `${authority.id} ${serviceKeyOf.get(formId) ?? ''}`;
          const own = regions.get(key) ?? new Set<string>();
          regions.set(key, own);
          for (const region of entry.regions) {
            list.push({ region, tenant, authority, parameters });
            own.add(region);
          }
        }
      }
    }
  }
  for (const list of claimsByForm.values()) list.sort((a, b) => (a.region < b.region ? -1 : a.region > b.region ? 1 : 0));
  const destinationIds = new Map(routing.tenants().flatMap((t) => t.authorities.map((a) => [a.id, destinationIdOf(t.id, a.id)])));

  return {
    find(serviceKey, areaKey) {
      // Per authority: its forms, and its rank (0: the whole area; 1: a region inside it).
      const found = new Map<string, { tenant: Tenant; authority: Authority; formIds: Set<string>; rank: number; region: string; parameters: LocalParameters }>();
      const add = (claim: Claim, formId: string, rank: number) => {
        const { tenant, authority, region, parameters } = claim;
        const seen = found.get(authority.id);
        if (!seen) {
          found.set(authority.id, { tenant, authority, formIds: new Set([formId]), rank, region, parameters });
          return;
        }
        seen.formIds.add(formId);
        if (rank < seen.rank || (rank === seen.rank && region < seen.region)) Object.assign(seen, { rank, region, parameters });
      };
      for (const formId of formsByKey.get(serviceKey) ?? []) {
        const match = routing.resolve(formId, areaKey);
        if (match?.rollout === 'live') add({ tenant: match.tenant, authority: match.authority, region: match.prefix, parameters: match.parameters }, formId, 0);
        for (const claim of claimsByForm.get(formId) ?? []) {
          if (claim.region.length > areaKey.length && claim.region.startsWith(areaKey)) add(claim, formId, 1);
        }
      }
      return [...found.values()]
        .sort((a, b) => a.rank - b.rank || (a.region < b.region ? -1 : a.region > b.region ? 1 : 0) || (a.authority.id < b.authority.id ? -1 : 1))
        .map(({ tenant, authority, formIds, parameters }) => ({ tenant, authority, destinationId: destinationIds.get(authority.id)!, formIds: [...formIds].sort(), parameters }));
    },
    regionsOf(authorityId, serviceKey) {
      return [...(regions.get(`${authorityId} ${serviceKey}`) ?? [])].sort();
    },
  };
}
