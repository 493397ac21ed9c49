import type { LocalText } from '../i18n/language';

export interface HttpDelivery {
  readonly type: 'http';
  readonly url: string;
  /** Name of the environment variable with the shared HMAC secret (never the secret itself). */
  readonly secretEnv: string;
  /** Mutual TLS: names of the environment variables holding the PEM files' paths. */
  readonly clientCertificate?: { readonly certFileEnv: string; readonly keyFileEnv: string; readonly caFileEnv?: string };
}

/** XML and PDF receipt by e-mail to the authority's functional mailbox. */
export interface EmailDelivery {
  readonly type: 'email';
  /** Defaults to the authority's `email`. */
  readonly to?: string;
}

/** The authority fetches from /api/authority/inbox with a bearer API key. */
export interface InboxDelivery {
  readonly type: 'inbox';
  /** Name of the environment variable holding the SHA-256 (hex) of the API key. */
  readonly apiKeyHashEnv: string;
}

export type DeliveryTarget = HttpDelivery | EmailDelivery | InboxDelivery;

export interface Authority {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly delivery: DeliveryTarget;
  /** Public RSA JWK: payloads leave the platform only encrypted to it (see payload-encryption.ts). */
  readonly encryptionKey?: Readonly<Record<string, unknown>>;
  readonly serves: ReadonlyArray<{ readonly forms: readonly string[]; readonly regions: readonly string[] }>;
}

export interface Municipality {
  /** Amtlicher Regionalschlüssel, 12 digits (Land, RB, Kreis, Gemeindeverband, Gemeinde). */
  readonly ars: string;
  /** The name citizens search for and read ("Erfurt"). */
  readonly name: string;
  /** The official name of the directory when it differs ("Erfurt, Stadt"). */
  readonly officialName?: string;
  /** Inhabitants, from the municipality directory (for coverage). */
  readonly population?: number;
  readonly postalCodes: readonly string[];
}

/** A district (Kreis, 5-digit key) or municipal association (Gemeindeverband, 9-digit key). */
export interface RegionUnit {
  readonly ars: string;
  readonly name: string;
  /** GV100AD Textkennzeichen: 41–45 for districts, 50–58 for associations (e.g. 54 Verwaltungsgemeinschaft). */
  readonly kind?: number;
}

/** The content of TENANTS_DIR/<id>.json (described by tenant.schema.json). */
export interface Tenant {
  readonly id: string;
  readonly name: LocalText;
  readonly regions: readonly string[];
  /** Footer links of every public page: Impressum, Datenschutz, Barrierefreiheitserklärung. */
  readonly links: { readonly imprintUrl: string; readonly privacyUrl: string; readonly accessibilityUrl: string };
  readonly municipalities: readonly Municipality[];
  /** Districts (Kreise) of the tenant, from the directory: responsibilities can be given per district. */
  readonly districts?: readonly RegionUnit[];
  /** Municipal associations (Gemeindeverbände): responsibilities at association level (9 digits). */
  readonly associations?: readonly RegionUnit[];
  readonly authorities: readonly Authority[];
}
