/**
 * The answers of the Routing API, in the shape of FIT-Connect's Routing API v2 (schemas
 * `route`, `route-result`, `area`, `area-result`, `info` of its OpenAPI description). Only the
 * members efa-forms can fill are declared; the description makes all but a few optional.
 */

export interface RouteContactPerson {
  readonly name?: string;
  readonly tel?: string;
  readonly fax?: string;
  readonly email?: string;
}

/** FIT-Connect's text members: HTML per language code (de always, en when translated). */
export interface RouteDescription {
  readonly description: { readonly de: string; readonly en?: string };
}

export interface RouteAddress {
  readonly street: string;
  readonly houseNumber?: string;
  readonly additional?: string;
  readonly zip: string;
  readonly city: string;
}

/** The members filled from the responsibility's local parameters, each only when set. */
export interface RouteLocalFields {
  readonly legalBasis?: RouteDescription;
  readonly processingDuration?: { readonly minDuration: number; readonly maxDuration: number; readonly unit: string };
  readonly requiredDocuments?: RouteDescription;
  readonly furtherInformation?: RouteDescription;
  readonly address?: RouteAddress;
}

/** The fee in customParameters: FIT-Connect has no member for it. Plain text, not HTML. */
export interface RouteFee {
  readonly amountCents: number;
  readonly currency: 'EUR';
  readonly purpose: { readonly de: string; readonly en?: string };
}

export interface RouteCustomParameters {
  readonly authorityId: string;
  readonly tenantId: string;
  readonly formIds: readonly string[];
  readonly fee?: RouteFee;
}

export interface Route extends RouteLocalFields {
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
  readonly customParameters: RouteCustomParameters;
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
