/**
 * The answers of the Routing API, in the shape of FIT-Connect's Routing API v2 (schemas
 * `route`, `route-result`, `area`, `area-result`, `info` of its OpenAPI description). Only the
 * members efa-forms can fill are declared; the description makes all but a few optional.
 */

export interface RouteContactPerson {
  readonly name?: string;
  readonly email?: string;
}

export interface Route {
  /** Stable per authority (destination-id.ts). */
  readonly destinationId: string;
  /** Compact JWS (PS512) over the addressing information (route-signing.ts). */
  readonly destinationSignature: string;
  readonly destinationName: string;
  readonly contactPersons?: readonly RouteContactPerson[];
  readonly imprintUrl?: string;
  readonly privacyPolicyUrl?: string;
  readonly accessibilityUrl?: string;
  /** What a portal needs to submit through efa-forms: the authority and the forms that route to it. */
  readonly customParameters: { readonly authorityId: string; readonly tenantId: string; readonly formIds: readonly string[] };
  readonly origin: string;
}

/** One page of results, as both result schemas page them. */
export interface Page {
  readonly count: number;
  readonly offset: number;
  readonly totalCount: number;
}

export interface RouteResult extends Page {
  readonly routes: readonly Route[];
}

export interface Area {
  /** The Amtlicher Regionalschlüssel (ARS) of the area: 2, 5, 9 or 12 digits. */
  readonly id: string;
  readonly name: string;
  /** "Gemeinde", "Stadt", "Landkreis", "Verwaltungsgemeinschaft" … (German, as FIT-Connect answers). */
  readonly type: string;
}

export interface AreaResult extends Page {
  readonly areas: readonly Area[];
}

export interface RoutingApiInfo {
  readonly version: { readonly major: number; readonly minor: number; readonly patch: number };
}

/** The public routing signing key, as /.well-known/jwks.json serves it. */
export interface RoutingJwk {
  readonly kty: 'RSA';
  readonly n: string;
  readonly e: string;
  readonly kid: string;
  readonly alg: 'PS512';
  readonly use: 'sig';
  readonly key_ops: readonly ['verify'];
}

export interface RoutingJwks {
  readonly keys: readonly RoutingJwk[];
}
