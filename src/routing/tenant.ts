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
  /** Optional: the variable holding the SHA-256 of an API key with which it fetches files too large for the e-mail (inbox API). */
  readonly apiKeyHashEnv?: string;
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
  /** What differs locally for every responsibility of this authority (a `serves` entry's own parameters win, field by field). */
  readonly parameters?: LocalParameters;
  readonly serves: readonly Responsibility[];
}

/**
 * Where a responsibility stands in its rollout: citizens are routed only to `live` (the default,
 * so files written before rollout states existed keep working). `planned` and `testing` answer
 * "not yet online here" (with the planned date when there is one), `paused` "temporarily not
 * available online, please contact the authority".
 */
export type RolloutState = 'planned' | 'testing' | 'live' | 'paused';

export const ROLLOUT_STATES: readonly RolloutState[] = Object.freeze(['planned', 'testing', 'live', 'paused']);

/** Units of a processing time, as the Routing API's `processingDuration.unit`. */
export type DurationUnit = 'year' | 'month' | 'week' | 'day' | 'workday' | 'hour';

/** A postal or street address, in the Routing API's field names. */
export interface PostalAddress {
  readonly street: string;
  readonly houseNumber?: string;
  readonly additional?: string;
  readonly zip: string;
  readonly city: string;
}

export interface ContactPerson {
  readonly name: string;
  /** What the person does ("Sachbearbeitung Hundesteuer"). */
  readonly role?: LocalText;
  readonly tel?: string;
  readonly fax?: string;
  readonly email?: string;
}

/**
 * What differs from town to town for one service (a dog tax is set by each municipality's
 * statute). Every text has German and may have English. Shown to citizens once their
 * municipality is known, printed on the receipt (fee, legal basis), carried in the payload header
 * and returned by /api/routes.
 */
export interface LocalParameters {
  /** The fee: amount in cents (EUR only) and what it is for ("Hundesteuer je Hund und Jahr"). */
  readonly fee?: { readonly amountCents: number; readonly currency: 'EUR'; readonly purpose: LocalText };
  readonly legalBasis?: LocalText;
  readonly processingDuration?: { readonly min: number; readonly max: number; readonly unit: DurationUnit };
  readonly requiredDocuments?: readonly LocalText[];
  readonly furtherInformation?: LocalText;
  readonly contactPersons?: readonly ContactPerson[];
  readonly address?: PostalAddress;
}

/** One `serves` entry: which forms an authority is responsible for, where, in which rollout state. */
export interface Responsibility {
  readonly forms: readonly string[];
  readonly regions: readonly string[];
  /** Default `live`. */
  readonly rollout?: RolloutState;
  /** With `planned` only: the day it is meant to go live (YYYY-MM-DD). */
  readonly plannedFrom?: string;
  readonly parameters?: LocalParameters;
}

/**
 * Someone allowed to use the admin API and console for this tenant only. The token itself is never
 * written anywhere: the tenant file holds its SHA-256 (hex) or names the environment variable
 * holding it.
 */
export interface TenantOperator {
  /** Who acts, as the audit trail records it ("lra-ilm-kreis-it"). */
  readonly id: string;
  readonly name?: string;
  /** SHA-256 (hex) of the operator's token. */
  readonly tokenHash?: string;
  /** Name of the environment variable with the SHA-256 (hex) of the token. */
  readonly tokenHashEnv?: string;
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
  /** Operators of this tenant (see TenantOperator); the installation's admin token sees every tenant. */
  readonly operators?: readonly TenantOperator[];
}
