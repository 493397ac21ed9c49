import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Actor } from '../../operators/operator-access';
import { sha256Hex } from '../../support/sha256';
import type { ConsoleCaller, ConsoleDependencies } from './console-dependencies';

/** Every console cookie lives under /admin only: the citizen pages never see them. */
export const CONSOLE_PATH = '/admin';
export const SESSION_COOKIE = 'efa_console';
/** The sign-in form's own CSRF value (double submit): there is no session yet to hold one. */
export const SIGN_IN_COOKIE = 'efa_console_signin';
export const CONSOLE_LANGUAGE_COOKIE = 'efa_console_lang';

/** A random secret for a cookie or a form: 256 bits, URL-safe. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Compares two secrets in constant time (a length mismatch is simply false). */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * HttpOnly (no script needs it; the console runs none), SameSite=Strict (no other site may make
 * the browser send it, not even by a link), Path=/admin, Secure in production. Without a
 * Max-Age the cookie ends with the browser; the server ends the session sooner when idle.
 */
export function consoleCookie(name: string, value: string, options: { readonly secure: boolean; readonly maxAgeSeconds?: number }): string {
  const parts = [`${name}=${value}`, `Path=${CONSOLE_PATH}`, 'HttpOnly', 'SameSite=Strict'];
  if (options.secure) parts.push('Secure');
  if (options.maxAgeSeconds !== undefined) parts.push(`Max-Age=${options.maxAgeSeconds}`);
  return parts.join('; ');
}

/** Signed-in sessions of the console, kept in the store by the hashes of cookie and token only. */
export interface ConsoleSessions {
  /** Opens a session for a valid token; undefined for a missing or wrong one (told apart nowhere). */
  signIn(token: string | undefined): Promise<{ readonly cookieValue: string; readonly actor: Actor } | undefined>;
  /**
   * The caller of a request with this cookie value, its idle expiry moved on; `expired` when the
   * cookie names no live session or its token no longer signs anyone in; undefined without a cookie.
   */
  resolve(cookieValue: string | undefined): Promise<ConsoleCaller | 'expired' | undefined>;
  signOut(caller: ConsoleCaller): Promise<void>;
}

export function createConsoleSessions(deps: Pick<ConsoleDependencies, 'sets' | 'store' | 'now' | 'idleMinutes'>): ConsoleSessions {
  const sessions = deps.store.operatorSessions;
  const idleMs = deps.idleMinutes * 60_000;
  const expiry = () => new Date(deps.now().getTime() + idleMs);

  return {
    async signIn(token) {
      // The same refusal for no token, an empty one and a wrong one.
      const actor = token ? deps.sets.current().access.identify(token) : undefined;
      if (!actor || token === undefined) return undefined;
      const now = deps.now();
      // Expired sessions are cleared here, where sessions are made, so the table stays small.
      await sessions.deleteExpired(now);
      const cookieValue = newSecret();
      await sessions.create({ key: sha256Hex(cookieValue), tokenHash: sha256Hex(token), csrfToken: newSecret(), createdAt: now, expiresAt: expiry() });
      return { cookieValue, actor };
    },
    async resolve(cookieValue) {
      if (cookieValue === undefined || cookieValue === '') return undefined;
      const key = sha256Hex(cookieValue);
      const session = await sessions.find(key, deps.now());
      if (!session) return 'expired';
      // Asked again on every request: a token taken out of the files by a reload ends the session.
      const actor = deps.sets.current().access.identifyHash(session.tokenHash);
      if (!actor) {
        await sessions.delete(key);
        return 'expired';
      }
      await sessions.touch(key, expiry());
      return { actor, csrfToken: session.csrfToken, sessionKey: key };
    },
    async signOut(caller) {
      await sessions.delete(caller.sessionKey);
    },
  };
}
