import { randomBytes } from 'node:crypto';
import type { Actor } from '../operators/operator-access';
import type { RoutingTable } from '../routing/routing-table';
import type { OperatorAuditLog, TestLink, TestLinkStore } from '../storage/ports';
import { sha256Hex } from '../support/sha256';

const DAY_MS = 24 * 60 * 60 * 1000;
/** How long a tester's link works unless the operator says otherwise, and the most it may. */
export const TEST_LINK_DEFAULT_DAYS = 14;
export const TEST_LINK_MAX_DAYS = 90;

/** A link as it is handed to the authority's testers: the token is in it, and is shown only once. */
export interface IssuedTestLink {
  /** The path under the public base URL: `/test-access/<token>`. */
  readonly path: string;
  readonly authorityId: string;
  readonly tenantId: string;
  readonly formId: string;
  readonly expiresAt: Date;
}

export type TestLinkRefusal = 'unknown-authority' | 'form-not-served' | 'bad-days';

/**
 * Testers' links (issue 12): an operator issues one for an authority and a form it serves; whoever
 * opens it fills in the real pages, may choose the authority's `testing` route, and every
 * submission made with it is a test (marked in payload, receipt and e-mail, never counted as
 * real). Only the SHA-256 of the token is stored; a link ends at its expiry.
 */
export interface TestLinks {
  issue(request: { readonly authorityId: string; readonly formId?: string; readonly validDays?: number }, actor: Actor):
    Promise<IssuedTestLink | { readonly refused: TestLinkRefusal }>;
  /** The link a token belongs to, unless it is unknown or expired. */
  check(token: string | undefined): Promise<TestLink | undefined>;
}

/** A token as links carry it: 32 random bytes, base64url. Anything else is not looked up. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export function createTestLinks(deps: {
  readonly store: { readonly testLinks: TestLinkStore; readonly operatorAudit: OperatorAuditLog };
  readonly routing: Pick<RoutingTable, 'authority'>;
  readonly now: () => Date;
}): TestLinks {
  return {
    async issue(request, actor) {
      const found = deps.routing.authority(request.authorityId);
      // Another tenant's authority is answered as an unknown one: no existence leak.
      if (!found || (actor.kind === 'operator' && found.tenant.id !== actor.tenantId)) return { refused: 'unknown-authority' };
      const served = [...new Set(found.authority.serves.flatMap((s) => s.forms))].sort();
      const formId = request.formId ?? served[0];
      if (formId === undefined || !served.includes(formId)) return { refused: 'form-not-served' };
      const days = request.validDays ?? TEST_LINK_DEFAULT_DAYS;
      if (!Number.isInteger(days) || days < 1 || days > TEST_LINK_MAX_DAYS) return { refused: 'bad-days' };
      const token = randomBytes(32).toString('base64url');
      const createdAt = deps.now();
      const expiresAt = new Date(createdAt.getTime() + days * DAY_MS);
      await deps.store.testLinks.create({
        tokenHash: sha256Hex(token), tenantId: found.tenant.id, authorityId: found.authority.id, formId, createdBy: actor.id, createdAt, expiresAt,
      });
      // Who handed out which test access, and until when; never the token.
      await deps.store.operatorAudit.record({
        at: createdAt, actor: actor.id, tenantId: found.tenant.id, action: 'test-link', target: found.authority.id, outcome: 'ok',
        detail: `${formId} until ${expiresAt.toISOString()}`,
      });
      return { path: `/test-access/${token}`, authorityId: found.authority.id, tenantId: found.tenant.id, formId, expiresAt };
    },
    async check(token) {
      if (token === undefined || !TOKEN_SHAPE.test(token)) return undefined;
      return deps.store.testLinks.find(sha256Hex(token), deps.now());
    },
  };
}
