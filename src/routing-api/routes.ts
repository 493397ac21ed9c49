import type { Destination } from './destinations';
import { routeContactPersons, routeFee, routeLocalFields } from './route-parameters';
import type { Route } from './routing-api-types';

/** `origin` of every route: the system the routing information comes from. */
export const ROUTE_ORIGIN = 'efa-forms';

/** FIT-Connect's description allows only https links (`^https://.+`); others are left out. */
function httpsOnly(url: string): string | undefined {
  return /^https:\/\/.+/.test(url) ? url : undefined;
}

/**
 * The route of one destination with what the tenant file knows: the authority's name, the
 * tenant's legal links, and the responsibility's local parameters (legal basis, processing time,
 * documents, further information, address, contact persons, the fee in customParameters); the
 * authority's functional mailbox as contact when the parameters name nobody. Nothing is made
 * up: no short name, logo or opening hours, which efa-forms does not have.
 */
export function routeOf(destination: Destination, destinationSignature: string): Route {
  const { tenant, authority, parameters } = destination;
  const fee = routeFee(parameters);
  const links = {
    imprintUrl: httpsOnly(tenant.links.imprintUrl),
    privacyPolicyUrl: httpsOnly(tenant.links.privacyUrl),
    accessibilityUrl: httpsOnly(tenant.links.accessibilityUrl),
  };
  return {
    destinationId: destination.destinationId,
    destinationSignature,
    destinationName: authority.name,
    contactPersons: routeContactPersons(parameters) ?? [{ name: authority.name, email: authority.email }],
    ...Object.fromEntries(Object.entries(links).filter(([, url]) => url !== undefined)),
    ...routeLocalFields(parameters),
    customParameters: { authorityId: authority.id, tenantId: tenant.id, formIds: destination.formIds, ...(fee ? { fee } : {}) },
    origin: ROUTE_ORIGIN,
  };
}
