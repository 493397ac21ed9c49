import type { Request } from 'express';
import { AppError } from '../errors';

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(req: Request): string | undefined {
  // The scheme name is case-insensitive (RFC 9110, 11.1).
  const match = /^Bearer ([\x21-\x7e]+)$/i.exec(req.get('authorization') ?? '');
  return match?.[1];
}

export function unauthorized(logMessage: string): AppError {
  return new AppError('UNAUTHORIZED', logMessage);
}
