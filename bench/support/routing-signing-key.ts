import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * A routing signing key for a bench that starts with NODE_ENV=production, where
 * ROUTING_SIGNING_KEY_FILE is required. Written into the bench's temporary folder; returns its path.
 */
export function writeRoutingSigningKey(dir: string): string {
  const file = path.join(dir, 'routing-signing-key.pem');
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 4096 });
  writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  return file;
}
