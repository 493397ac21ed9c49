import { loadOperatorAccess } from '../../src/operators/operator-access';
import { authorityIdsOf, mayAccessTenant, tenantOfAuthority, tenantScope } from '../../src/operators/tenant-scope';
import { auditTarget } from '../../src/operators/audit-record';
import { buildRoutingTable, type TenantSource } from '../../src/routing/routing-table';
import type { Tenant, TenantOperator } from '../../src/routing/tenant';
import { StartupError } from '../../src/startup-error';
import { createMemoryLogger } from '../../src/support/logger';
import { sha256Hex } from '../../src/support/sha256';
import { readJson, SAMPLE_TENANT } from '../support/test-setup';

const ADMIN = 'admin-token-0123456789';

function source(id: string, operators: readonly TenantOperator[]): TenantSource {
  return { file: `${id}.json`, tenant: { ...readJson<Tenant>(SAMPLE_TENANT), id, operators } };
}

function load(sources: readonly TenantSource[], env: Record<string, string> = {}, production = false) {
  const logger = createMemoryLogger();
  return { logger, access: loadOperatorAccess({ tenants: sources, env, adminTokenHash: sha256Hex(ADMIN), production, logger }) };
}

function problemsOf(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof StartupError) return error.problems;
    throw error;
  }
  throw new Error('expected a StartupError');
}

describe('loadOperatorAccess', () => {
  test('tells the admin, each tenant operator and a stranger apart; the token itself is never kept', () => {
    const { access } = load([
      source('land-a', [{ id: 'it', tokenHash: sha256Hex('token-of-a') }, { id: 'env-op', tokenHashEnv: 'EFA_OP_A' }]),
      source('land-b', [{ id: 'it', name: 'IT-Referat', tokenHash: sha256Hex('token-of-b') }]),
    ], { EFA_OP_A: ` ${sha256Hex('env-token-of-a').toUpperCase()} ` });
    expect(access.identify(ADMIN)).toEqual({ kind: 'admin', id: 'admin' });
    expect(access.identify('token-of-a')).toEqual({ kind: 'operator', id: 'land-a/it', tenantId: 'land-a', operatorId: 'it' });
    expect(access.identify('env-token-of-a')).toEqual({ kind: 'operator', id: 'land-a/env-op', tenantId: 'land-a', operatorId: 'env-op' });
    expect(access.identify('token-of-b')).toEqual({ kind: 'operator', id: 'land-b/it', tenantId: 'land-b', operatorId: 'it' });
    for (const wrong of [undefined, '', 'token-of-c', sha256Hex('token-of-a')]) expect(access.identify(wrong)).toBeUndefined();
    expect([access.operatorCount('land-a'), access.operatorCount('land-b'), access.operatorCount('land-c')]).toEqual([2, 1, 0]);
  });

  test('an unset variable is a warning in development and a problem in production', () => {
    const sources = [source('land-a', [{ id: 'it', tokenHashEnv: 'EFA_OP_MISSING' }])];
    const { access, logger } = load(sources);
    expect(access.operatorCount('land-a')).toBe(0);
    expect(logger.lines).toEqual([{ level: 'warn', event: 'config.operator_token_missing', fields: { tenant: 'land-a', operator: 'it', variable: 'EFA_OP_MISSING' } }]);
    expect(problemsOf(() => load(sources, {}, true))).toEqual(['land-a.json: /operators/0/tokenHashEnv: EFA_OP_MISSING is not set; the operator could never sign in']);
  });

  test('shared hashes, twice the same id, a bad variable and a missing or double hash stop the start, all reported together', () => {
    const problems = problemsOf(() => load([
      source('land-a', [
        { id: 'one', tokenHash: sha256Hex('shared') },
        { id: 'two', tokenHashEnv: 'EFA_UNSET' },
        { id: 'two', tokenHash: sha256Hex('other') },
        { id: 'three', tokenHash: sha256Hex(ADMIN) },
        { id: 'four' },
        { id: 'five', tokenHash: sha256Hex('x'), tokenHashEnv: 'EFA_X' },
        { id: 'six', tokenHashEnv: 'EFA_BAD' },
      ]),
      source('land-b', [{ id: 'one', tokenHash: sha256Hex('shared') }]),
    ], { EFA_BAD: 'not-a-hash' }));
    expect(problems).toEqual([
      'land-a.json: /operators/2/id: operator id "two" is used twice in this tenant',
      'land-a.json: /operators/3: operator "land-a/three" has the same token hash as ADMIN_TOKEN_HASH',
      'land-a.json: /operators/4: needs exactly one of "tokenHash" and "tokenHashEnv"',
      'land-a.json: /operators/5: needs exactly one of "tokenHash" and "tokenHashEnv"',
      'land-a.json: /operators/6/tokenHashEnv: EFA_BAD must hold a SHA-256 as 64 hex digits',
      'land-b.json: /operators/0: operator "land-b/one" has the same token hash as operator "land-a/one"',
    ]);
  });
});

describe('tenant scope', () => {
  const routing = buildRoutingTable([{ file: 'thueringen.json', tenant: readJson<Tenant>(SAMPLE_TENANT) }], new Set(['anwohnerparkausweis', 'hundesteuer-anmeldung', 'gewerbeanmeldung']));
  const admin = { kind: 'admin', id: 'admin' } as const;
  const operator = { kind: 'operator', id: 'thueringen/it', tenantId: 'thueringen', operatorId: 'it' } as const;

  test('the admin sees every tenant and what belongs to none; an operator only its own', () => {
    expect([tenantScope(admin), tenantScope(operator)]).toEqual([undefined, 'thueringen']);
    expect([mayAccessTenant(admin, 'sachsen-anhalt'), mayAccessTenant(admin, undefined), mayAccessTenant(admin, null)]).toEqual([true, true, true]);
    expect([mayAccessTenant(operator, 'thueringen'), mayAccessTenant(operator, 'sachsen-anhalt'), mayAccessTenant(operator, undefined), mayAccessTenant(operator, null)])
      .toEqual([true, false, false, false]);
  });

  test('authorities belong to their tenant; an unknown tenant has none', () => {
    expect(authorityIdsOf(routing, 'thueringen')).toContain('stadt-erfurt-buergeramt');
    expect(authorityIdsOf(routing, 'sachsen-anhalt')).toEqual([]);
    expect([tenantOfAuthority(routing, 'stadt-gera'), tenantOfAuthority(routing, 'gone')]).toEqual(['thueringen', undefined]);
  });

  test('the audit keeps ids as ids look, nothing else', () => {
    expect(auditTarget('0b0c5f9e-58d4-4f0b-9a8e-1f7f1d2b3c4d')).toBe('0b0c5f9e-58d4-4f0b-9a8e-1f7f1d2b3c4d');
    expect(auditTarget('K7M3-Q9XD-P')).toBe('K7M3-Q9XD-P');
    for (const odd of [undefined, '', 'Frau Müller', 'a b', 'x'.repeat(65), '../etc']) expect(auditTarget(odd)).toBeNull();
  });
});
