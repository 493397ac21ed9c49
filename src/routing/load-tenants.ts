import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { problem, StartupError } from '../startup-error';
import { fileSystemReason, findAbsurdSizes, readConfigJson } from '../support/config-file';
import { deepFreeze } from '../support/deep-freeze';
import { compileOwnSchema } from '../support/own-schema-validator';
import { describeSchemaError } from '../support/schema-problem';
import type { Tenant } from './tenant';
import tenantSchema from './tenant.schema.json';
import type { TenantSource } from './routing-table';

const validateTenant = compileOwnSchema(tenantSchema);

/** Reads and schema-checks every TENANTS_DIR/*.json; all problems are reported together. */
export async function loadTenantFiles(tenantsDir: string): Promise<TenantSource[]> {
  let names: string[];
  try {
    names = (await readdir(tenantsDir)).filter((n) => n.endsWith('.json')).sort();
  } catch (err) {
    throw new StartupError([problem(tenantsDir, '', `cannot read the tenants folder: ${fileSystemReason(err)}`)]);
  }
  const problems: string[] = [];
  const sources: TenantSource[] = [];
  for (const name of names) {
    const file = path.join(tenantsDir, name);
    const read = await readConfigJson(file);
    if ('problem' in read) {
      problems.push(read.problem);
      continue;
    }
    const checked = checkTenantJson(file, read.raw);
    if ('problems' in checked) {
      problems.push(...checked.problems);
      continue;
    }
    sources.push({ file, tenant: checked.tenant });
  }
  if (problems.length > 0) throw new StartupError(problems);
  if (sources.length === 0) throw new StartupError([problem(tenantsDir, '', 'contains no tenant files')]);
  return sources;
}

/**
 * The checks of one tenant file's parsed JSON, as the server runs them at start-up: absurd
 * sizes, the schema, and the id against the file name (tenants/<id>.json). Exported so that
 * a check of a file not yet written (import-municipalities) is this very check, not a copy of
 * it. The tenant comes back frozen, as the routing table keeps it.
 */
export function checkTenantJson(file: string, raw: unknown): { readonly tenant: Tenant } | { readonly problems: readonly string[] } {
  const sizes = findAbsurdSizes(file, raw);
  if (sizes.length > 0) return { problems: sizes };
  if (!validateTenant(raw)) {
    const { pointer, reason } = describeSchemaError(validateTenant.errors?.[0]);
    return { problems: [problem(file, pointer, reason)] };
  }
  const tenant = deepFreeze(raw as Tenant);
  const name = path.basename(file);
  const expected = name.endsWith('.json') ? name.slice(0, -'.json'.length) : name;
  if (tenant.id !== expected) return { problems: [problem(file, '/id', `is "${tenant.id}" but the file is named "${name}"`)] };
  return { tenant };
}
