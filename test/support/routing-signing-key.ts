import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

let file: string | undefined;

/**
 * A ROUTING_SIGNING_KEY_FILE for tests that start with NODE_ENV=production, where the Routing
 * API's signing key is required. One 4,096-bit key per test process (making one takes seconds).
 */
export function testRoutingSigningKeyFile(): string {
  if (file) return file;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 4096 });
  file = path.join(mkdtempSync(path.join(os.tmpdir(), 'efa-routing-key-')), 'routing-signing-key.pem');
  writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  return file;
}
