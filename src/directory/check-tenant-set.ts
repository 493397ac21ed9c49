import { loadFormRegistry } from '../forms/form-registry';
import { checkTenantJson } from '../routing/load-tenants';
import { buildRoutingTable, type TenantSource } from '../routing/routing-table';
import { problem, StartupError } from '../startup-error';
import { CONFIG_FILE_LIMITS } from '../support/config-file';

/**
 * The server's start-up checks of tenants, run in memory on the tenant set as it would be with
 * one file's new text: that text parsed back (so what is checked is what would be written),
 * the loader's own checks of one file (checkTenantJson: sizes, schema, id), then the routing
 * table of all tenants against the forms of FORMS_DIR. The problems as `file: pointer: reason`
 * lines; none means the server would start with it.
 */
export async function checkTenantSet(formsDir: string, sources: readonly TenantSource[], file: string, text: string): Promise<string[]> {
  // The loader refuses a file this large before reading it (readConfigJson).
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > CONFIG_FILE_LIMITS.fileBytes) return [problem(file, '', `would be ${bytes} bytes; at most ${CONFIG_FILE_LIMITS.fileBytes} are allowed`)];
  const checked = checkTenantJson(file, JSON.parse(text) as unknown);
  if ('problems' in checked) return [...checked.problems];
  const replaced = sources.map((source) => (source.file === file ? { file, tenant: checked.tenant } : source));
  try {
    const forms = await loadFormRegistry(formsDir);
    buildRoutingTable(replaced, new Set(forms.ids()));
    return [];
  } catch (err) {
    if (err instanceof StartupError) return [...err.problems];
    throw err;
  }
}
