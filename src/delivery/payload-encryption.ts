/*
 * End-to-end encryption of delivery payloads the way FIT-Connect does it: a JWE in compact
 * serialization, the content encrypted with A256GCM under a random key that is wrapped with
 * RSA-OAEP-256 for the authority's 4096-bit public key. Only the authority can read the payload;
 * relays, mailboxes and our own outbox see ciphertext.
 *
 * How jose is loaded: jose 6 ships only ES modules, while this project compiles to CommonJS. With
 * `module: nodenext` TypeScript (6) accepts a plain static import of an ES module from a CommonJS
 * file and emits `require('jose')`. Node loads that through require(esm), which is on without a
 * flag since Node 20.19 and 22.12 (jose has no top-level await, which require(esm) could not load).
 * That one import therefore serves `node dist/...` after `tsc`, `node --import tsx` and, with jose
 * transpiled to CommonJS by jest.config.js, the ts-jest tests. A dynamic `import('jose')` would
 * survive tsc under nodenext too, but Jest's CommonJS runtime rejects import() unless started with
 * --experimental-vm-modules. The static import also fails early: on Node older than 20.19 the
 * require throws ERR_REQUIRE_ESM when the app starts, not at the first delivery.
 */
import { createPublicKey } from 'node:crypto';
import { CompactEncrypt, importJWK } from 'jose';
import { sealedLength, sealStream } from './streaming-jwe';

/** The only algorithms we produce: what FIT-Connect prescribes, nothing negotiable. */
const KEY_ALGORITHM = 'RSA-OAEP-256';
const CONTENT_ENCRYPTION = 'A256GCM';
const REQUIRED_MODULUS_BITS = 4096;

/** JWK members that exist only in private RSA keys (RFC 7518, section 6.3.2). */
const PRIVATE_KEY_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth'] as const;

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** JWE compact serialization (RFC 7516): a job's body is encrypted when it has this type. */
export const JWE_CONTENT_TYPE = 'application/jose';

/** A payload encrypter bound to one authority key, imported once. */
export interface PayloadEncrypter {
  /** Key id of the authority key, repeated in every JWE header so the receiver picks its key. */
  readonly kid: string;
  /** Encrypts a payload (strings as UTF-8) to a compact JWE; contentType becomes the `cty` header. */
  encrypt(plaintext: string | Uint8Array, contentType: string): Promise<string>;
  /**
   * The same JWE, for a file: encrypted as `source` is read and yielded as ASCII chunks, never
   * whole in memory (streaming-jwe.ts). Same algorithms, key and header members as encrypt.
   */
  encryptStream(source: AsyncIterable<Buffer | Uint8Array>, contentType: string): AsyncGenerator<Buffer>;
  /** How many bytes encryptStream writes for `plainSize` bytes with this content type. */
  sealedSize(plainSize: number, contentType: string): number;
}

function isBase64Url(value: unknown): value is string {
  // A length of 1 mod 4 cannot come from any byte sequence; Buffer would silently drop it.
  return typeof value === 'string' && BASE64URL.test(value) && value.length % 4 !== 1;
}

/** Bit length of a big-endian unsigned integer, ignoring leading zero octets. */
function bitLength(bytes: Uint8Array): number {
  let first = 0;
  while (first < bytes.length && bytes[first] === 0) first += 1;
  const top = bytes[first];
  if (top === undefined) return 0;
  return (bytes.length - first - 1) * 8 + (32 - Math.clz32(top));
}

/** A member's value for a message, short: tenant files get pasted into logs and tickets. */
function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return value === null ? 'null' : typeof value;
}

/** What a non-object is, never its content: a pasted PEM private key would end up in the log. */
function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  return value === null || value === undefined ? String(value) : `a ${typeof value}`;
}

/**
 * Problems with an authority's public key JWK from a tenant file, as readable one-line reasons
 * (empty: fine). Checked at tenant load so a wrong key stops the boot instead of producing
 * payloads the authority cannot open, or weaker ones than FIT-Connect requires.
 */
export function encryptionKeyProblems(jwk: unknown): string[] {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) {
    return [`the encryption key must be a JWK object, not ${kindOf(jwk)}`];
  }
  const key = jwk as Record<string, unknown>;
  const problems: string[] = [];

  const privateMembers = PRIVATE_KEY_MEMBERS.filter((member) => member in key);
  if (privateMembers.length > 0) {
    // Reported first and on its own: whoever reads the log must act on the leak, not the rest.
    problems.push(
      `the key contains private-key members (${privateMembers.join(', ')}): a private key in a tenant file is leaked; ` +
        'remove it, have the authority replace the key pair, and configure only its public key',
    );
  }

  if (key.kty !== 'RSA') problems.push(`kty must be "RSA", got ${shown(key.kty)}`);

  if (key.n === undefined) {
    problems.push('n (the RSA modulus) is missing');
  } else if (!isBase64Url(key.n)) {
    problems.push('n (the RSA modulus) must be a base64url string');
  } else {
    const bits = bitLength(Buffer.from(key.n, 'base64url'));
    if (bits !== REQUIRED_MODULUS_BITS) {
      problems.push(`the RSA modulus has ${bits} bits; FIT-Connect requires exactly ${REQUIRED_MODULUS_BITS}`);
    }
  }

  if (key.e === undefined) problems.push('e (the RSA public exponent) is missing');
  else if (!isBase64Url(key.e)) problems.push('e (the RSA public exponent) must be a base64url string');

  if (typeof key.kid !== 'string' || key.kid.trim() === '') {
    problems.push('kid must be a non-empty string: the authority needs it to pick its private key');
  }

  // Required, not only checked when present: a key published without `use` may be the
  // authority's signing key, and encrypting to it would be a mistake nobody notices.
  if (key.use === undefined) problems.push('use must be "enc" for an encryption key, but it is missing');
  else if (key.use !== 'enc') problems.push(`use must be "enc" for an encryption key, got ${shown(key.use)}`);
  if (key.alg !== undefined && key.alg !== KEY_ALGORITHM) {
    problems.push(`alg must be "${KEY_ALGORITHM}", got ${shown(key.alg)}`);
  }
  if (key.key_ops !== undefined) {
    const ops = key.key_ops;
    if (!Array.isArray(ops) || !ops.every((op) => typeof op === 'string')) {
      problems.push('key_ops must be an array of strings');
    } else if (!ops.includes('encrypt') && !ops.includes('wrapKey')) {
      problems.push(`key_ops must include "encrypt" or "wrapKey", got [${ops.join(', ')}]`);
    }
  }
  return problems;
}

/**
 * Imports a checked public JWK once and returns an encrypter for it. Throws an Error listing the
 * problems when the key is unfit, so a bad tenant file fails loudly at load time.
 */
export async function createPayloadEncrypter(jwk: Record<string, unknown>): Promise<PayloadEncrypter> {
  const problems = encryptionKeyProblems(jwk);
  if (problems.length > 0) {
    throw new Error(`unusable encryption key: ${problems.join('; ')}`);
  }
  // Checked above; the narrowing does not survive encryptionKeyProblems, so restate it.
  const { n, e, kid } = jwk as { n: string; e: string; kid: string };
  // Only the public numbers are imported: use, alg and key_ops were judged above, and handing them
  // on would add a second, subtly different set of rules (jose's and WebCrypto's) to the first.
  const publicKey = await importJWK({ kty: 'RSA', n, e }, KEY_ALGORITHM);
  // The same public numbers as a node:crypto key, for the streaming JWE of attachments.
  const keyObject = createPublicKey({ key: { kty: 'RSA', n, e }, format: 'jwk' });

  return {
    kid,
    async encrypt(plaintext: string | Uint8Array, contentType: string): Promise<string> {
      if (contentType.trim() === '') throw new Error('encrypt needs a content type for the cty header');
      const bytes = typeof plaintext === 'string' ? new TextEncoder().encode(plaintext) : plaintext;
      // jose draws a fresh content key and IV per call, so equal payloads never give equal JWEs.
      return new CompactEncrypt(bytes)
        .setProtectedHeader({ alg: KEY_ALGORITHM, enc: CONTENT_ENCRYPTION, kid, cty: contentType })
        .encrypt(publicKey);
    },
    encryptStream: (source, contentType) => sealStream(source, keyObject, kid, contentType),
    sealedSize: (plainSize, contentType) => sealedLength(plainSize, keyObject, kid, contentType),
  };
}
