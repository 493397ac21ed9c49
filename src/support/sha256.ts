import { createHash, timingSafeEqual } from 'node:crypto';

/** SHA-256 of a text (UTF-8) as lower-case hex: stored token hashes, ADMIN_TOKEN_HASH, fingerprints. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Whether a secret token hashes to the expected SHA-256 (hex). The hashes are compared in
 * constant time, so the answer time tells nothing about how much of a guess was right.
 */
export function matchesSha256(token: string | undefined, expectedHex: string): boolean {
  if (token === undefined || !/^[0-9a-f]{64}$/.test(expectedHex)) return false;
  return timingSafeEqual(Buffer.from(sha256Hex(token), 'hex'), Buffer.from(expectedHex, 'hex'));
}
