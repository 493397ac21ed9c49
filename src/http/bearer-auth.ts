import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { AppError } from '../errors';

/** SHA-256 (hex) of a token, as operators write it into ADMIN_TOKEN_HASH and the *_HASH variables. */
export function sha256Hex(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(req: Request): string | undefined {
  // The scheme name is case-insensitive (RFC 9110, 11.1).
  const match = /^Bearer ([\x21-\x7e]+)$/i.exec(req.get('authorization') ?? '');
  return match?.[1];
}

/**
 * Whether the token hashes to the expected SHA-256. Hashes of equal length are compared in
 * constant time, so the answer time tells nothing about how much of a guess was right.
 */
export function tokenMatches(token: string | undefined, expectedHashHex: string): boolean {
  if (token === undefined || !/^[0-9a-f]{64}$/.test(expectedHashHex)) return false;
  return timingSafeEqual(Buffer.from(sha256Hex(token), 'hex'), Buffer.from(expectedHashHex, 'hex'));
}

export function unauthorized(logMessage: string): AppError {
  return new AppError('UNAUTHORIZED', logMessage);
}
