import { readdir } from 'node:fs/promises';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { problem, StartupError } from '../startup-error';
import { fileSystemReason, findAbsurdSizes, readConfigJson } from '../support/config-file';
import { deepFreeze } from '../support/deep-freeze';
import { describeSchemaError } from '../support/schema-problem';
import type { Tenant } from './tenant';
import tenantSchema from './tenant.schema.json';
import type { TenantSource } from './routing-table';

const ajv = new Ajv2020({ strict: true, allErrors: false });
addFormats(ajv);
const validateTenant = ajv.compile(tenantSchema);

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
    const raw = read.raw;
    const sizes = findAbsurdSizes(file, raw);
    if (sizes.length > 0) {
      problems.push(...sizes);
      continue;
    }
    if (!validateTenant(raw)) {
      const { pointer, reason } = describeSchemaError(validateTenant.errors?.[0]);
      problems.push(problem(file, pointer, reason));
      continue;
    }
    const tenant = deepFreeze(raw as unknown as Tenant);
    const expected = name.slice(0, -'.json'.length);
    if (tenant.id !== expected) {
      problems.push(problem(file, '/id', `is "${tenant.id}" but the file is named "${name}"`));
      continue;
    }
    sources.push({ file, tenant });
  }
  if (problems.length > 0) throw new StartupError(problems);
  if (sources.length === 0) throw new StartupError([problem(tenantsDir, '', 'contains no tenant files')]);
  return sources;
}
