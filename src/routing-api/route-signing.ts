import { randomUUID } from 'node:crypto';
import { CompactSign } from 'jose';
import type { RoutingJwks } from './routing-api-types';
import type { RoutingSigningKeySource } from './signing-key';

/** What a destinationSignature vouches for: this destination takes this service in these regions. */
export interface AddressingInformation {
  readonly destinationId: string;
  /** Leistungsschlüssel (the forms' serviceKey). */
  readonly serviceKey: string;
  /** The ARS keys and prefixes the authority serves the service for (its tenant file's `serves`). */
  readonly regions: readonly string[];
}

/** The JWS payload, with the claim names FIT-Connect's signatures use. */
export interface AddressingClaims {
  readonly iss: string;
  readonly submissionHost?: string;
  readonly services: ReadonlyArray<{ readonly gebietIDs: readonly string[]; readonly leistungIDs: readonly string[] }>;
  readonly destinationId: string;
  readonly iat: number;
  readonly jti: string;
}

export const REGION_URN = 'urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:rs:';
export const SERVICE_URN = 'urn:de:fim:leika:leistung:';

/** Signs destinations' addressing information and publishes the key that verifies it. */
export interface DestinationSigner {
  /** A compact JWS (PS512, `kid`, `typ: JWT`); the same one for the same destination and service. */
  signature(info: AddressingInformation): Promise<string>;
  jwks(): Promise<RoutingJwks>;
}

export interface DestinationSignerOptions {
  readonly keys: RoutingSigningKeySource;
  /** PUBLIC_BASE_URL: `iss`, and the host submissions go to; the JWKS is at <iss>/.well-known/jwks.json. */
  readonly issuer: string;
  readonly now: () => Date;
}

/** The issuer when PUBLIC_BASE_URL is empty (development): no address a verifier could rely on. */
export const DEVELOPMENT_ISSUER = 'urn:efa-forms:development';

export function addressingClaims(info: AddressingInformation, issuer: string, iat: number, jti: string): AddressingClaims {
  const host = /^https?:\/\//.test(issuer) ? new URL(issuer).host : undefined;
  return {
    iss: issuer,
    ...(host !== undefined ? { submissionHost: host } : {}),
    services: [{ gebietIDs: info.regions.map((r) => `${REGION_URN}${r}`), leistungIDs: [`${SERVICE_URN}${info.serviceKey}`] }],
    destinationId: info.destinationId,
    iat,
    jti,
  };
}

/**
 * Each destination and service is signed once per process and the JWS kept: tenants do not
 * change while it runs, and a 4096-bit PS512 signature costs milliseconds, too much to pay for
 * each of up to 500 routes of a page. Like FIT-Connect's signatures (made when a destination is
 * registered), it is not a per-request token; `iat` says when it was made.
 */
export function createDestinationSigner(options: DestinationSignerOptions): DestinationSigner {
  const issuer = options.issuer === '' ? DEVELOPMENT_ISSUER : options.issuer;
  const made = new Map<string, Promise<string>>();

  async function sign(info: AddressingInformation): Promise<string> {
    const key = await options.keys.key();
    const claims = addressingClaims(info, issuer, Math.floor(options.now().getTime() / 1000), randomUUID());
    return new CompactSign(Buffer.from(JSON.stringify(claims), 'utf8'))
      .setProtectedHeader({ alg: 'PS512', kid: key.kid, typ: 'JWT' })
      .sign(key.privateKey);
  }

  return {
    signature(info) {
      const id = `${info.destinationId} ${info.serviceKey}`;
      let jws = made.get(id);
      if (!jws) {
        jws = sign(info);
        made.set(id, jws);
        // A failure (no key yet: DATA_DIR not writable) is not kept; the next request tries again.
        void jws.catch(() => made.delete(id));
      }
      return jws;
    },
    async jwks() {
      return { keys: [(await options.keys.key()).publicJwk] };
    },
  };
}
