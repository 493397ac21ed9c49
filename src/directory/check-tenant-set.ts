import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { loadFormRegistry } from '../forms/form-registry';
import { buildRoutingTable, type TenantSource } from '../routing/routing-table';
import tenantSchema from '../routing/tenant.schema.json';
import { problem, StartupError } from '../startup-error';
import { CONFIG_FILE_LIMITS, findAbsurdSizes } from '../support/config-file';
import { describeSchemaError } from '../support/schema-problem';

// The same options as the loader (routing/load-tenants.ts), so a file passing here loads there.
const ajv = new Ajv2020({ strict: true, allErrors: false });
addFormats(ajv);
const validateTenant = ajv.compile(tenantSchema);

/**
 * The server's start-up checks of tenants, run in memory on the tenant set as it would be with
 * one file's new text: that text parsed back (so what is checked is what would be written), its
 * sizes and schema, then the routing table of all tenants against the forms of FORMS_DIR. The
 * problems as `file: pointer: reason` lines; none means the server would start with it.
 */
export async function checkTenantSet(formsDir: string, sources: readonly TenantSource[], file: string, text: string): Promise<string[]> {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > CONFIG_FILE_LIMITS.fileBytes) return [problem(file, '', `would be ${bytes} bytes; at most ${CONFIG_FILE_LIMITS.fileBytes} are allowed`)];
  const raw = JSON.parse(text) as unknown;
  const sizes = findAbsurdSizes(file, raw);
  if (sizes.length > 0) return sizes;
  if (!validateTenant(raw)) {
    const { pointer, reason } = describeSchemaError(validateTenant.errors?.[0]);
    return [problem(file, pointer, reason)];
  }
  const replaced = sources.map((source) => (source.file === file ? { file, tenant: raw as unknown as TenantSource['tenant'] } : source));
  try {
    const forms = await loadFormRegistry(formsDir);
    buildRoutingTable(replaced, new Set(forms.ids()));
    return [];
  } catch (err) {
    if (err instanceof StartupError) return [...err.problems];
    throw err;
  }
}
