import type { TenantSource } from '../routing/routing-table';
import { problem, StartupError } from '../startup-error';
import type { Logger } from '../support/logger';
import { timingSafeEqual } from 'node:crypto';
import { matchesSha256, sha256Hex } from '../support/sha256';

/** Who is calling the admin API or console. */
export type Actor =
  | { readonly kind: 'admin'; readonly id: 'admin' }
  | {
    readonly kind: 'operator';
    /** `<tenant-id>/<operator-id>`, as the audit trail records it. */
    readonly id: string;
    readonly tenantId: string;
    readonly operatorId: string;
  };

/** Tells from a bearer token (or a console session's token) who is calling. */
export interface OperatorAccess {
  /** The installation admin, a tenant's operator, or undefined for no or a wrong token. */
  identify(token: string | undefined): Actor | undefined;
  /**
   * The same by the token's SHA-256 (hex): console sessions keep only that hash, so a token taken
   * out of a tenant file ends its sessions at the next reload.
   */
  identifyHash(tokenHash: string): Actor | undefined;
  /** The tenants that have at least one operator (for listings; the hashes never leave). */
  operatorCount(tenantId: string): number;
}

const HEX64 = /^[0-9a-f]{64}$/;
const ADMIN: Actor = Object.freeze({ kind: 'admin', id: 'admin' });

/**
 * Collects the operators' token hashes from the tenant files (`operators[].tokenHash`, or the
 * variable `tokenHashEnv` names) besides the installation's ADMIN_TOKEN_HASH. A hash that is not
 * 64 hex digits, or that two operators (or an operator and the admin) share, stops the start: a
 * shared token could not tell who acted. A variable that is not set is a warning in development
 * (the operator cannot sign in) and a problem in production.
 */
export function loadOperatorAccess(input: {
  readonly tenants: readonly TenantSource[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly adminTokenHash: string;
  readonly production: boolean;
  readonly logger: Logger;
}): OperatorAccess {
  const problems: string[] = [];
  const byHash = new Map<string, Actor & { kind: 'operator' }>();
  const counts = new Map<string, number>();
  for (const { file, tenant } of input.tenants) {
    const ids = new Set<string>();
    (tenant.operators ?? []).forEach((operator, i) => {
      const pointer = `/operators/${i}`;
      // Checked before the hash, so a second operator of the same id is found even when the
      // first one's variable is not set: the audit trail could not tell the two apart.
      if (ids.has(operator.id)) {
        problems.push(problem(file, `${pointer}/id`, `operator id "${operator.id}" is used twice in this tenant`));
        return;
      }
      ids.add(operator.id);
      if ((operator.tokenHash === undefined) === (operator.tokenHashEnv === undefined)) {
        problems.push(problem(file, pointer, 'needs exactly one of "tokenHash" and "tokenHashEnv"'));
        return;
      }
      // The schema allows lower-case hex only; compared in that form with the admin's hash and the others'.
      let hash = operator.tokenHash?.toLowerCase();
      if (hash === undefined && operator.tokenHashEnv !== undefined) {
        const value = input.env[operator.tokenHashEnv]?.trim().toLowerCase();
        if (!value) {
          if (input.production) problems.push(problem(file, `${pointer}/tokenHashEnv`, `${operator.tokenHashEnv} is not set; the operator could never sign in`));
          else input.logger.warn('config.operator_token_missing', { tenant: tenant.id, operator: operator.id, variable: operator.tokenHashEnv });
          return;
        }
        if (!HEX64.test(value)) {
          problems.push(problem(file, `${pointer}/tokenHashEnv`, `${operator.tokenHashEnv} must hold a SHA-256 as 64 hex digits`));
          return;
        }
        hash = value;
      }
      if (hash === undefined) return;
      const actor = Object.freeze({ kind: 'operator' as const, id: `${tenant.id}/${operator.id}`, tenantId: tenant.id, operatorId: operator.id });
      const other = byHash.get(hash);
      if (other) {
        problems.push(problem(file, pointer, `operator "${actor.id}" has the same token hash as operator "${other.id}"`));
      } else if (hash === input.adminTokenHash.toLowerCase()) {
        problems.push(problem(file, pointer, `operator "${actor.id}" has the same token hash as ADMIN_TOKEN_HASH`));
      } else {
        byHash.set(hash, actor);
        counts.set(tenant.id, (counts.get(tenant.id) ?? 0) + 1);
      }
    });
  }
  if (problems.length > 0) throw new StartupError(problems);

  return Object.freeze({
    identify(token: string | undefined): Actor | undefined {
      if (token === undefined) return undefined;
      // The admin's hash is compared in constant time; operators' hashes are looked up by the
      // token's own hash, which tells a guesser nothing about how close a guess came.
      if (matchesSha256(token, input.adminTokenHash)) return ADMIN;
      return byHash.get(sha256Hex(token));
    },
    identifyHash(tokenHash: string): Actor | undefined {
      if (!HEX64.test(tokenHash)) return undefined;
      if (HEX64.test(input.adminTokenHash) && timingSafeEqual(Buffer.from(tokenHash, 'hex'), Buffer.from(input.adminTokenHash, 'hex'))) return ADMIN;
      return byHash.get(tokenHash);
    },
    operatorCount: (tenantId: string) => counts.get(tenantId) ?? 0,
  });
}
