import type { FormRegistry } from '../forms/form-registry';
import type { MunicipalitySearch } from '../routing/municipality-search';
import type { RoutingTable } from '../routing/routing-table';
import { createAreaIndex } from './area-index';
import { createDestinationFinder } from './destinations';
import { createDestinationSigner } from './route-signing';
import { routeOf } from './routes';
import type { AreaResult, Page, RouteResult, RoutingApiInfo, RoutingJwks } from './routing-api-types';
import type { RoutingSigningKeySource } from './signing-key';

/** The area of a route query: exactly one of FIT-Connect's three parameters. */
export type AreaQuery = { readonly ars: string } | { readonly ags: string } | { readonly areaId: string };

export interface Paging {
  readonly offset: number;
  readonly limit: number;
}

/** The version of FIT-Connect's Routing API description this API follows. */
export const ROUTING_API_VERSION = { major: 2, minor: 0, patch: 0 } as const;

/** A state portal's questions, answered as FIT-Connect's Routing API answers them (valid input only). */
export interface RoutingApi {
  routes(query: { readonly leikaKey: string; readonly area: AreaQuery } & Paging): Promise<RouteResult>;
  areas(query: { readonly terms: readonly string[] } & Paging): AreaResult;
  info(): RoutingApiInfo;
  jwks(): Promise<RoutingJwks>;
}

export interface RoutingApiDependencies {
  readonly routing: RoutingTable;
  readonly forms: FormRegistry;
  readonly municipalities: MunicipalitySearch;
  readonly signingKey: RoutingSigningKeySource;
  /** PUBLIC_BASE_URL (empty in development). */
  readonly issuer: string;
  readonly now: () => Date;
}

function page<T>(items: readonly T[], { offset, limit }: Paging): { page: Page; items: T[] } {
  const slice = items.slice(offset, offset + limit);
  return { page: { count: slice.length, offset, totalCount: items.length }, items: slice };
}

export function createRoutingApi(deps: RoutingApiDependencies): RoutingApi {
  const destinations = createDestinationFinder(deps.routing, deps.forms);
  const areaIndex = createAreaIndex(deps.routing.tenants(), deps.municipalities);
  const signer = createDestinationSigner({ keys: deps.signingKey, issuer: deps.issuer, now: deps.now });

  /** The ARS key (or prefix) the query names, or undefined when it names no area we know. */
  function areaKey(area: AreaQuery): string | undefined {
    if ('ars' in area) return area.ars;
    if ('areaId' in area) return areaIndex.byId(area.areaId)?.id;
    // An AGS of 2, 3 or 5 digits is the same key as the ARS (Land, Regierungsbezirk, Kreis);
    // one of 8 lacks the Gemeindeverband, so the municipality is looked up.
    return area.ags.length === 8 ? deps.municipalities.byAgs(area.ags)?.municipality.ars : area.ags;
  }

  return {
    async routes({ leikaKey, area, offset, limit }) {
      const key = areaKey(area);
      const found = key === undefined ? [] : destinations.find(leikaKey, key);
      const { page: head, items } = page(found, { offset, limit });
      // Only the routes of this page are signed (or taken from the signer's cache).
      const routes = await Promise.all(items.map(async (d) => routeOf(d, await signer.signature({
        destinationId: d.destinationId, serviceKey: leikaKey, regions: destinations.regionsOf(d.authority.id, leikaKey),
      }))));
      return { ...head, routes };
    },
    areas({ terms, offset, limit }) {
      const { page: head, items } = page(areaIndex.search(terms), { offset, limit });
      return { ...head, areas: items };
    },
    info: () => ({ version: { ...ROUTING_API_VERSION } }),
    jwks: () => signer.jwks(),
  };
}
