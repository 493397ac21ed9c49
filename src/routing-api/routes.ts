import type { Destination } from './destinations';
import type { Route } from './routing-api-types';

/** `origin` of every route: the system the routing information comes from. */
export const ROUTE_ORIGIN = 'efa-forms';

/** FIT-Connect's description allows only https links (`^https://.+`); others are left out. */
function httpsOnly(url: string): string | undefined {
  return /^https:\/\/.+/.test(url) ? url : undefined;
}

/**
 * The route of one destination with what the tenant file knows: the authority's name and
 * functional mailbox, and the tenant's legal links. Nothing is made up: no short name, logo,
 * address or opening hours, which efa-forms does not have.
 */
export function routeOf(destination: Destination, destinationSignature: string): Route {
  const { tenant, authority } = destination;
  const links = {
    imprintUrl: httpsOnly(tenant.links.imprintUrl),
    privacyPolicyUrl: httpsOnly(tenant.links.privacyUrl),
    accessibilityUrl: httpsOnly(tenant.links.accessibilityUrl),
  };
  return {
    destinationId: destination.destinationId,
    destinationSignature,
    destinationName: authority.name,
    contactPersons: [{ name: authority.name, email: authority.email }],
    ...Object.fromEntries(Object.entries(links).filter(([, url]) => url !== undefined)),
    customParameters: { authorityId: authority.id, tenantId: tenant.id, formIds: destination.formIds },
    origin: ROUTE_ORIGIN,
  };
}
