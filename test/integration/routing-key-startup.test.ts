import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { compactVerify, createLocalJWKSet, exportJWK } from 'jose';
import request from 'supertest';
import { DEVELOPMENT_KEY_FILE } from '../../src/routing-api/signing-key';
import { StartupError } from '../../src/startup-error';
import { sha256Hex } from '../../src/support/sha256';
import { killSpawnedProcesses, spawnEntryPoint } from '../support/spawn-server';
import { buildContainer, SAMPLE_FORMS, writeSampleTenant } from '../support/test-setup';
import { tempDir } from '../support/temp-dir';

/**
 * The routing signing key at start-up: ROUTING_SIGNING_KEY_FILE names it and is required in
 * production; a file that is missing or holds no RSA key of 4096 bits stops the start with one
 * line that does not repeat the (secret) path.
 */

const dir = tempDir('efa-routing-key-');
const tenants = path.join(dir.path, 'tenants');
mkdirSync(tenants);
const secrets = writeSampleTenant(tenants, 'http://127.0.0.1:9');
const PRODUCTION = { NODE_ENV: 'production', PUBLIC_BASE_URL: 'https://antrag.example.de', ADMIN_TOKEN_HASH: sha256Hex('admin') };

function keyFile(name: string, content: string): string {
  const file = path.join(dir.path, name);
  writeFileSync(file, content, { mode: 0o600 });
  return file;
}

/** Starts a container in its own DATA_DIR; the StartupError's problems, or undefined when it started. */
async function problemsOf(env: Record<string, string>): Promise<readonly string[] | undefined> {
  const data = path.join(dir.path, `data-${Math.random().toString(36).slice(2)}`);
  try {
    const container = await buildContainer({ ...secrets, FORMS_DIR: SAMPLE_FORMS, TENANTS_DIR: tenants, DATA_DIR: data, ...env });
    await container.close(100);
    return undefined;
  } catch (err) {
    if (err instanceof StartupError) return err.problems;
    throw err;
  }
}

afterAll(() => dir.remove());

describe('ROUTING_SIGNING_KEY_FILE', () => {
  afterEach(killSpawnedProcesses);

  test('production without it: the server refuses to start, exit code 1, one line', async () => {
    const { code, stderr } = await spawnEntryPoint('src/main.ts', { ...secrets, ...PRODUCTION, TENANTS_DIR: tenants, DATA_DIR: path.join(dir.path, 'data-process'), PORT: '0' }).exited;
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([
      "efa-forms: cannot start: ROUTING_SIGNING_KEY_FILE must be set when NODE_ENV=production (a PEM file with the RSA private key, 4096 bits or more, that signs the Routing API's destinationSignature)",
    ]);
  });

  const { privateKey: small } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const { privateKey: ec } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  test.each<[string, () => string, string]>([
    ['a file that does not exist', () => path.join(dir.path, 'geheim', 'fehlt.pem'), 'ROUTING_SIGNING_KEY_FILE: the key file cannot be read (ENOENT)'],
    ['a file that holds no key', () => keyFile('kein-schluessel.pem', 'not a key\n'), 'ROUTING_SIGNING_KEY_FILE: the file holds no unencrypted PEM private key'],
    ['an encrypted key', () => keyFile('verschluesselt.pem', small.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'x' }) as string), 'ROUTING_SIGNING_KEY_FILE: the file holds no unencrypted PEM private key'],
    ['an EC key', () => keyFile('ec.pem', ec.export({ type: 'pkcs8', format: 'pem' }) as string), 'ROUTING_SIGNING_KEY_FILE: the key is ec, but PS512 needs an RSA key'],
    ['an RSA key of 2048 bits', () => keyFile('klein.pem', small.export({ type: 'pkcs1', format: 'pem' }) as string), 'ROUTING_SIGNING_KEY_FILE: the RSA key has 2048 bits; at least 4096 are needed'],
  ])('%s stops the start with one line, without the path', async (_name, file, expected) => {
    const problems = await problemsOf({ ROUTING_SIGNING_KEY_FILE: file() });
    expect(problems).toEqual([expected]);
    expect(problems!.join('')).not.toContain(dir.path);
  });

  test('a broken development key in DATA_DIR stops the start naming that file', async () => {
    const data = path.join(dir.path, 'data-broken');
    mkdirSync(data);
    writeFileSync(path.join(data, DEVELOPMENT_KEY_FILE), 'kaputt');
    const error = await buildContainer({ ...secrets, FORMS_DIR: SAMPLE_FORMS, TENANTS_DIR: tenants, DATA_DIR: data }).then(() => undefined, (err: unknown) => err);
    expect((error as StartupError).problems).toEqual([`${path.join(data, DEVELOPMENT_KEY_FILE)}: the file holds no unencrypted PEM private key`]);
  });

  test('with a 4096-bit key file production starts, publishes that key and signs with it; DATA_DIR gets no key', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 4096 });
    const file = keyFile('routing.pem', privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
    const data = path.join(dir.path, 'data-production');
    const container = await buildContainer({
      ...secrets, ...PRODUCTION, SMTP_URL: 'smtp://127.0.0.1:9', FORMS_DIR: SAMPLE_FORMS, TENANTS_DIR: tenants, DATA_DIR: data, ROUTING_SIGNING_KEY_FILE: file,
    });
    try {
      const jwks = (await request(container.app).get('/.well-known/jwks.json')).body;
      expect(jwks.keys[0].n).toBe((await exportJWK(publicKey)).n);
      const serviceKey = container.forms.get('hundesteuer-anmeldung')!.definition.serviceKey;
      const route = (await request(container.app).get(`/api/routes?leikaKey=${serviceKey}&ars=160510000000`)).body.routes[0];
      const { payload } = await compactVerify(route.destinationSignature, createLocalJWKSet(jwks));
      expect(JSON.parse(new TextDecoder().decode(payload))).toMatchObject({ iss: 'https://antrag.example.de', destinationId: route.destinationId });
      expect(existsSync(path.join(data, DEVELOPMENT_KEY_FILE))).toBe(false);
    } finally {
      await container.close(1000);
    }
  });
});
