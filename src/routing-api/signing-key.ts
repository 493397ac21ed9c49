import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { calculateJwkThumbprint, exportJWK } from 'jose';
import { StartupError } from '../startup-error';
import type { RoutingJwk } from './routing-api-types';

/** Where a development key is kept when ROUTING_SIGNING_KEY_FILE is empty. */
export const DEVELOPMENT_KEY_FILE = 'routing-signing-key.pem';

/** FIT-Connect's signature keys are RSA with at least 4096 bits (its `jwk` schema: n ≥ 683 characters). */
export const MIN_MODULUS_BITS = 4096;

export interface RoutingSigningKey {
  readonly privateKey: KeyObject;
  /** The RFC 7638 thumbprint of the public key: the JWS header's `kid`. */
  readonly kid: string;
  readonly publicJwk: RoutingJwk;
}

/** The installation's routing signing key, loaded at start or generated on first use. */
export interface RoutingSigningKeySource {
  key(): Promise<RoutingSigningKey>;
}

export interface SigningKeyOptions {
  /** ROUTING_SIGNING_KEY_FILE: a PEM file with the RSA private key; empty: a development key. */
  readonly file: string;
  readonly dataDir: string;
  readonly production: boolean;
}

const SETTING = 'ROUTING_SIGNING_KEY_FILE';
const generateRsa = promisify(generateKeyPair);

/**
 * Checks the routing signing key at start (a StartupError of one line when it is missing in
 * production, unreadable, or not an RSA key of 4096 bits or more). Without the setting, outside
 * production, a key kept in DATA_DIR is used, or one is generated on the first signature and
 * kept there (mode 0600): generating takes a second or more, which every start (and every test
 * that starts a container) would otherwise pay.
 */
export async function loadRoutingSigningKey(options: SigningKeyOptions): Promise<RoutingSigningKeySource> {
  if (options.file !== '') {
    // The path is a secret setting's value: it is not repeated in the reason.
    const key = await readKey(options.file, SETTING);
    return { key: () => Promise.resolve(key) };
  }
  if (options.production) {
    throw new StartupError([`${SETTING} must be set when NODE_ENV=production (a PEM file with the RSA private key, ${MIN_MODULUS_BITS} bits or more, that signs the Routing API's destinationSignature)`]);
  }
  const file = path.join(options.dataDir, DEVELOPMENT_KEY_FILE);
  const existing = await readKey(file, file).catch((err: unknown) => {
    if (err instanceof MissingKeyFile) return undefined;
    throw err;
  });
  if (existing) return { key: () => Promise.resolve(existing) };
  let pending: Promise<RoutingSigningKey> | undefined;
  return {
    key() {
      pending ??= generateDevelopmentKey(options.dataDir, file).catch((err: unknown) => {
        pending = undefined; // the next request tries again (e.g. once DATA_DIR is writable)
        throw err;
      });
      return pending;
    },
  };
}

class MissingKeyFile extends StartupError {}

async function readKey(file: string, label: string): Promise<RoutingSigningKey> {
  let pem: string;
  try {
    pem = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    const reason = `${label}: the key file cannot be read (${code})`;
    // No file, or DATA_DIR is no folder (then the store's check at start says what is wrong with it).
    throw code === 'ENOENT' || code === 'ENOTDIR' ? new MissingKeyFile([reason]) : new StartupError([reason]);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch {
    throw new StartupError([`${label}: the file holds no unencrypted PEM private key`]);
  }
  return checkedKey(privateKey, label);
}

async function checkedKey(privateKey: KeyObject, label: string): Promise<RoutingSigningKey> {
  if (privateKey.asymmetricKeyType !== 'rsa') {
    throw new StartupError([`${label}: the key is ${privateKey.asymmetricKeyType ?? 'unknown'}, but PS512 needs an RSA key`]);
  }
  const bits = privateKey.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_MODULUS_BITS) {
    throw new StartupError([`${label}: the RSA key has ${bits} bits; at least ${MIN_MODULUS_BITS} are needed`]);
  }
  const { kty, n, e } = await exportJWK(createPublicKey(privateKey));
  // FIT-Connect's `jwk` schema allows only the exponent 65537 ("AQAB").
  if (kty !== 'RSA' || n === undefined || e !== 'AQAB') {
    throw new StartupError([`${label}: the RSA key's public exponent must be 65537`]);
  }
  const kid = await calculateJwkThumbprint({ kty, n, e }, 'sha256');
  return { privateKey, kid, publicJwk: { kty: 'RSA', n, e, kid, alg: 'PS512', use: 'sig', key_ops: ['verify'] } };
}

async function generateDevelopmentKey(dataDir: string, file: string): Promise<RoutingSigningKey> {
  const { privateKey } = await generateRsa('rsa', { modulusLength: MIN_MODULUS_BITS, publicExponent: 0x10001 });
  await mkdir(dataDir, { recursive: true });
  try {
    // wx: never overwrite a key another process wrote meanwhile; signatures made with it stay valid.
    await writeFile(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return readKey(file, file);
    throw err;
  }
  return checkedKey(privateKey, file);
}
