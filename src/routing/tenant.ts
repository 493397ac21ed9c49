import type { LocalText } from '../forms/form-definition';

export interface HttpDelivery {
  readonly type: 'http';
  readonly url: string;
  /** Name of the environment variable with the shared HMAC secret (never the secret itself). */
  readonly secretEnv: string;
}

export type DeliveryTarget = HttpDelivery;

export interface Authority {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly delivery: DeliveryTarget;
  readonly serves: ReadonlyArray<{ readonly forms: readonly string[]; readonly regions: readonly string[] }>;
}

export interface Municipality {
  readonly ars: string;
  readonly name: string;
  readonly postalCodes: readonly string[];
}

/** The content of TENANTS_DIR/<id>.json (described by tenant.schema.json). */
export interface Tenant {
  readonly id: string;
  readonly name: LocalText;
  readonly regions: readonly string[];
  /** Footer links of every public page: Impressum, Datenschutz, Barrierefreiheitserklärung. */
  readonly links: { readonly imprintUrl: string; readonly privacyUrl: string; readonly accessibilityUrl: string };
  readonly municipalities: readonly Municipality[];
  readonly authorities: readonly Authority[];
}
