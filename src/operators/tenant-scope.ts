import type { RoutingTable } from '../routing/routing-table';
import type { Actor } from './operator-access';

/**
 * What a caller of the admin API (or console) may see: the installation admin every tenant, a
 * tenant operator its own tenant only. The API answers a tenant operator's question about another
 * tenant's object exactly as it answers one about an object that does not exist (404), so an
 * operator cannot even learn that the other tenant's job or reference exists.
 */

/** The tenant the actor is confined to; undefined for the installation admin (every tenant). */
export function tenantScope(actor: Actor): string | undefined {
  return actor.kind === 'admin' ? undefined : actor.tenantId;
}

/**
 * Whether the actor may see and act on something of this tenant. Something that belongs to no
 * tenant of the running set (an authority removed from the files since) is the admin's only.
 */
export function mayAccessTenant(actor: Actor, tenantId: string | null | undefined): boolean {
  if (actor.kind === 'admin') return true;
  return tenantId !== null && tenantId !== undefined && tenantId === actor.tenantId;
}

/** The ids of a tenant's authorities: the delivery jobs a tenant operator sees are theirs. */
export function authorityIdsOf(routing: Pick<RoutingTable, 'tenants'>, tenantId: string): string[] {
  return routing.tenants().find((t) => t.id === tenantId)?.authorities.map((a) => a.id) ?? [];
}

/** The tenant an authority belongs to in the running set; undefined when no tenant has it (any more). */
export function tenantOfAuthority(routing: Pick<RoutingTable, 'authority'>, authorityId: string): string | undefined {
  return routing.authority(authorityId)?.tenant.id;
}
