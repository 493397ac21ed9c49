import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { CONSOLE_TEXTS } from '../../i18n/console-texts';
import type { OperatorAuditEntry } from '../../storage/ports';
import { readCookie } from '../cookies';
import { clientKey } from '../rate-limit';
import type { ConsoleCaller, ConsoleDependencies } from './console-dependencies';
import { consoleLanguage, sendConsolePage } from './console-frame';
import {
  CONSOLE_PATH, consoleCookie, newSecret, sameSecret, SESSION_COOKIE, SIGN_IN_COOKIE, type ConsoleSessions,
} from './console-session';

/** Forms of the console are tiny (a token, a CSRF value, a reference): anything larger is refused. */
export const consoleForm = express.urlencoded({ extended: false, limit: '4kb', parameterLimit: 10 });

const CALLER_KEY = 'efaConsoleCaller';
const STALE_KEY = 'efaConsoleStale';

/** The signed-in caller of this request, if any (set by `identifyCaller`). */
export function callerOf(res: Response): ConsoleCaller | undefined {
  return res.locals[CALLER_KEY] as ConsoleCaller | undefined;
}

/** The caller of a route behind `requireCaller`. */
export function signedIn(res: Response): ConsoleCaller {
  const caller = callerOf(res);
  // A route mounted without requireCaller is a programming error, never an anonymous operator.
  if (!caller) throw new Error('console: requireCaller did not run for this route');
  return caller;
}

type Handler = (req: Request, res: Response, next: NextFunction) => Promise<void> | void;

export interface ConsoleGuards {
  /** Reads the session cookie on every console request (the 404 page too knows who is signed in). */
  readonly identifyCaller: Handler;
  /** Without a live session: to the sign-in page (saying it expired when a cookie was stale). */
  readonly requireCaller: Handler;
  /** Every POST of a signed-in page: the session's CSRF token, compared in constant time, or 403. */
  readonly requireCsrf: Handler;
}

/**
 * Sign-in and sign-out (GET/POST /admin/sign-in, POST /admin/sign-out) and the guards every other
 * console route goes through. A refused sign-in says nothing about why: no token, an empty one
 * and a wrong one get the same page. Attempts are counted per client by the shared rate limiter.
 */
export function consoleAuthRoutes(router: Router, deps: ConsoleDependencies, sessions: ConsoleSessions): ConsoleGuards {
  const { templates, store } = deps;
  const secure = deps.secureCookies;
  const audit = (entry: Omit<OperatorAuditEntry, 'at'>) => store.operatorAudit.record({ at: deps.now(), ...entry });

  const guards: ConsoleGuards = {
    async identifyCaller(req, res, next) {
      const resolved = await sessions.resolve(readCookie(req.get('cookie'), SESSION_COOKIE));
      if (resolved === 'expired') {
        res.locals[STALE_KEY] = true;
        res.append('set-cookie', consoleCookie(SESSION_COOKIE, '', { secure, maxAgeSeconds: 0 }));
      } else if (resolved) {
        res.locals[CALLER_KEY] = resolved;
      }
      next();
    },
    requireCaller(_req, res, next) {
      if (callerOf(res)) {
        next();
        return;
      }
      res.redirect(303, `${CONSOLE_PATH}/sign-in${res.locals[STALE_KEY] === true ? '?expired=1' : ''}`);
    },
    requireCsrf(req, res, next) {
      const token = (req.body as Record<string, unknown> | undefined)?._csrf;
      if (typeof token === 'string' && sameSecret(token, signedIn(res).csrfToken)) {
        next();
        return;
      }
      const language = consoleLanguage(req);
      sendConsolePage(templates, req, res, {
        status: 403, page: 'message', title: CONSOLE_TEXTS.csrfTitle[language], caller: callerOf(res),
        model: { message: CONSOLE_TEXTS.csrf[language] },
      });
    },
  };

  /** The sign-in form, with a fresh double-submit value unless the browser has one. */
  function signInPage(req: Request, res: Response, status: number, notice?: string, failed = false): void {
    let formToken = readCookie(req.get('cookie'), SIGN_IN_COOKIE);
    if (!formToken || !/^[A-Za-z0-9_-]{43}$/.test(formToken)) {
      formToken = newSecret();
      res.append('set-cookie', consoleCookie(SIGN_IN_COOKIE, formToken, { secure }));
    }
    const language = consoleLanguage(req);
    sendConsolePage(templates, req, res, {
      status, page: 'sign-in', title: CONSOLE_TEXTS.signInTitle[language], hasErrors: failed,
      model: { formToken, notice, failed },
    });
  }

  router.use(guards.identifyCaller);

  router.get('/sign-in', (req, res) => {
    if (callerOf(res)) {
      res.redirect(303, CONSOLE_PATH);
      return;
    }
    const language = consoleLanguage(req);
    const notice = req.query.out === '1' ? CONSOLE_TEXTS.signedOut[language]
      : req.query.expired === '1' || res.locals[STALE_KEY] === true ? CONSOLE_TEXTS.sessionExpired[language] : undefined;
    signInPage(req, res, 200, notice);
  });

  router.post('/sign-in', consoleForm, async (req, res) => {
    const language = consoleLanguage(req);
    const wait = deps.rateLimiter.take('sign-in', clientKey(req.ip ?? req.socket.remoteAddress ?? 'unknown'));
    if (wait !== undefined) {
      res.set('retry-after', String(wait));
      sendConsolePage(templates, req, res, { status: 429, page: 'message', title: CONSOLE_TEXTS.rateLimitedTitle[language], model: { message: CONSOLE_TEXTS.rateLimited[language] } });
      return;
    }
    const body = (req.body ?? {}) as Record<string, unknown>;
    const formToken = readCookie(req.get('cookie'), SIGN_IN_COOKIE);
    if (typeof body._csrf !== 'string' || !formToken || !sameSecret(body._csrf, formToken)) {
      sendConsolePage(templates, req, res, { status: 403, page: 'message', title: CONSOLE_TEXTS.csrfTitle[language], model: { message: CONSOLE_TEXTS.csrf[language], retryHref: `${CONSOLE_PATH}/sign-in` } });
      return;
    }
    const token = typeof body.token === 'string' ? body.token.trim() : undefined;
    const opened = await sessions.signIn(token);
    if (!opened) {
      // Not written to the operator audit trail: who tried is unknown, the attempt belongs to no
      // tenant, and an unauthenticated client must not be able to fill the trail (as the API's
      // refusals, src/http/operator-auth.ts). The rate limiter above has counted it. The log
      // keeps the reason's class only, never the token; the page does not tell the reasons apart.
      deps.logger.info('console.sign_in_refused', { reason: token ? 'unknown-token' : 'no-token' });
      signInPage(req, res, 401, undefined, true);
      return;
    }
    const { actor } = opened;
    await audit({ actor: actor.id, tenantId: actor.kind === 'operator' ? actor.tenantId : null, action: 'sign-in', target: null, outcome: 'ok' });
    res.append('set-cookie', consoleCookie(SESSION_COOKIE, opened.cookieValue, { secure }));
    res.append('set-cookie', consoleCookie(SIGN_IN_COOKIE, '', { secure, maxAgeSeconds: 0 }));
    res.redirect(303, CONSOLE_PATH);
  });

  router.post('/sign-out', guards.requireCaller, consoleForm, guards.requireCsrf, async (_req, res) => {
    const caller = signedIn(res);
    await sessions.signOut(caller);
    const { actor } = caller;
    await audit({ actor: actor.id, tenantId: actor.kind === 'operator' ? actor.tenantId : null, action: 'sign-out', target: null, outcome: 'ok' });
    res.append('set-cookie', consoleCookie(SESSION_COOKIE, '', { secure, maxAgeSeconds: 0 }));
    res.redirect(303, `${CONSOLE_PATH}/sign-in?out=1`);
  });

  return guards;
}
