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
