import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { compactDecrypt } from 'jose';

export const TEST_ENCRYPTION_KID = 'test-authority-2026';

interface TestEncryptionKeys {
  publicJwk: Record<string, unknown>;
  privateKey: KeyObject;
}

let cached: TestEncryptionKeys | undefined;

/**
 * The test authority's 4096-bit RSA key pair, made once per process: generating it takes a second
 * or more, too slow to repeat per test. The public half is a JWK as a tenant file would hold it.
 */
export function testEncryptionKeys(): TestEncryptionKeys {
  if (!cached) {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 4096 });
    const publicJwk = { ...publicKey.export({ format: 'jwk' }), kid: TEST_ENCRYPTION_KID, use: 'enc', alg: 'RSA-OAEP-256' };
    cached = { publicJwk, privateKey };
  }
  return cached;
}

/**
 * Opens a compact JWE as the receiving authority would, accepting only the algorithms
 * FIT-Connect prescribes so a test notices when we send anything else.
 */
export async function decryptJwe(
  jwe: string,
  privateKey: KeyObject,
): Promise<{ plaintext: Buffer; header: Record<string, unknown> }> {
  const { plaintext, protectedHeader } = await compactDecrypt(jwe, privateKey, {
    keyManagementAlgorithms: ['RSA-OAEP-256'],
    contentEncryptionAlgorithms: ['A256GCM'],
  });
  return { plaintext: Buffer.from(plaintext), header: { ...protectedHeader } };
}
