import type { Response } from 'express';
import type { TesterAccess } from '../../routing/rollout-refusal';

/**
 * The tester's link on the citizen's pages: `GET /test-access/<token>` puts the token in this
 * cookie (HttpOnly, for the link's form only, until the link expires); every page of that form
 * checks it against the store again, so an expired link ends the test mode at once.
 */
export const TESTER_COOKIE = 'efa_tester';

const LOCALS_KEY = 'efaTester';

/** Remembers for this request that a valid tester's link is in use. */
export function setTester(res: Response, access: TesterAccess): void {
  res.locals[LOCALS_KEY] = access;
}

/** The tester's access of this request, if a valid link for this form is in use. */
export function testerOf(res: Response): TesterAccess | undefined {
  return res.locals[LOCALS_KEY] as TesterAccess | undefined;
}
