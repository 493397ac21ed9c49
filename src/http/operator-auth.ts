import type { RequestHandler, Response } from 'express';
import type { Actor, OperatorAccess } from '../operators/operator-access';
import { bearerToken, unauthorized } from './bearer-auth';

/**
 * The admin API's one sign-in check. Every admin router puts `requireOperator` in front of its
 * routes and reads the caller with `actorOf(res)`; what the caller may see is decided by
 * src/operators/tenant-scope.ts.
 */

/**
 * The running set's operators: the object itself, or a function giving the current one (a live
 * reload replaces the operators along with the tenant files).
 */
export type OperatorAccessSource = Pick<OperatorAccess, 'identify'> | (() => Pick<OperatorAccess, 'identify'>);

const ACTOR_KEY = 'efaActor';

/**
 * Lets a request on only with `Authorization: Bearer <token>` of the installation admin
 * (ADMIN_TOKEN_HASH) or of a tenant's operator (its tenant file's token hash); anything else is a
 * 401 problem document. The actor is kept on `res.locals` for `actorOf`. A refused call is not
 * written to the operator audit trail: it belongs to no tenant and no one, and an unauthenticated
 * client must not be able to fill the trail; /metrics counts it (status 401).
 */
export function requireOperator(access: OperatorAccessSource, logMessage = 'admin API: no or wrong token'): RequestHandler {
  return (req, res, next) => {
    const current = typeof access === 'function' ? access() : access;
    const actor = current.identify(bearerToken(req));
    if (!actor) {
      next(unauthorized(logMessage));
      return;
    }
    res.locals[ACTOR_KEY] = actor;
    next();
  };
}

/** The caller `requireOperator` identified for this request. */
export function actorOf(res: Response): Actor {
  const actor = res.locals[ACTOR_KEY] as Actor | undefined;
  // A route mounted without requireOperator is a programming error, never an anonymous admin.
  if (actor === undefined) throw new Error('actorOf: requireOperator did not run for this route');
  return actor;
}
