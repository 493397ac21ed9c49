import type { RoutingTable } from './routing-table';
import type { DeliveryTarget } from './tenant';

/**
 * Each authority's channel as the tenant files say now: a delivery over the channel it had before
 * (say http, before it moved to e-mail) tells nothing about the channel it has today.
 */
export function currentChannels(routing: Pick<RoutingTable, 'tenants'>): ReadonlyMap<string, DeliveryTarget['type']> {
  return new Map(routing.tenants().flatMap((t) => t.authorities.map((a) => [a.id, a.delivery.type] as const)));
}
