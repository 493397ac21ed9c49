import packageJson from '../../package.json';
import type { Config } from '../config/config-schema';
import { loadConfig } from '../config/load-config';
import { createContainer, type Container } from '../container';
import { loadTenantFiles } from '../routing/load-tenants';
import type { Authority, Tenant } from '../routing/tenant';
import type { LogFields, Logger } from '../support/logger';
import type { CliInput, CliResult } from './command';
import { failure } from './failure';
import { DATABASE_FILE, hasDatabase } from './server-settings';

/**
 * For commands that act as the running server would (`test-delivery`, `test-link`): the real
 * container, built from the server's environment (loadConfig(env), with --forms/--tenants) on
 * the server's database, never listening and without starting the worker or the draft clean-up;
 * closed again when the command is done. The store is the one the server opens (openStore):
 * PostgreSQL with DATABASE_URL, else the SQLite file in DATA_DIR, which lets this second process
 * write beside the server (WAL, busy timeout). Either way a test delivery is stored where the
 * server and its coverage see it.
 */

/** At most this many known authority ids are named when an id is unknown. */
const KNOWN_SHOWN = 20;

/** One line naming an unknown authority and (some of) the ones the tenant files have. */
function unknownAuthority(command: string, id: string, tenantsDir: string, tenants: readonly Tenant[]): string {
  const known = tenants.flatMap((t) => t.authorities.map((a) => a.id));
  const shown = known.slice(0, KNOWN_SHOWN).join(', ');
  const more = known.length > KNOWN_SHOWN ? `, and ${known.length - KNOWN_SHOWN} more` : '';
  return `efa-forms ${command}: no authority "${id}" in the tenant files of ${tenantsDir} (there: ${shown === '' ? 'none' : shown}${more})`;
}

/**
 * The authority named by the command's one argument, looked up in the tenant files before
 * anything is opened, or the result refusing it (exit 1, one line).
 */
export async function authorityArgument(command: string, input: CliInput): Promise<{ readonly tenant: Tenant; readonly authority: Authority } | CliResult> {
  const [id, extra] = input.args;
  if (id === undefined) return failure(input.json, [`efa-forms ${command}: which authority? (efa-forms ${command} <authority-id>; see efa-forms ${command} --help)`]);
  if (extra !== undefined) return failure(input.json, [`efa-forms ${command}: unexpected argument "${extra}" (see efa-forms ${command} --help)`]);
  const tenants = (await loadTenantFiles(input.tenantsDir)).map((s) => s.tenant);
  for (const tenant of tenants) {
    const authority = tenant.authorities.find((a) => a.id === id);
    if (authority) return { tenant, authority };
  }
  return failure(input.json, [unknownAuthority(command, id, input.tenantsDir, tenants)]);
}

/** Keeps what the container logs as warnings and errors, to print as notes (never as JSON log lines on stdout). */
export function noteLogger(notes: string[]): Logger {
  const keep = (event: string, fields: LogFields = {}) => {
    notes.push(`warning: ${event}${Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : ''}`);
  };
  return { info: () => undefined, warn: keep, error: keep };
}

/**
 * Builds the container on the server's database, runs `body`, and closes it. On SQLite (no
 * DATABASE_URL) it refuses (exit 1, one line) when DATA_DIR holds no database: a mistyped
 * DATA_DIR would otherwise get a new, empty one that the server never reads. With DATABASE_URL
 * DATA_DIR is not looked at (an old SQLite file left there after copy-to-postgres is not the
 * server's database). Configuration and start-up problems, a PostgreSQL that cannot be used
 * among them (never naming the URL), are thrown (ConfigError, StartupError) and become one line
 * each in runCli.
 */
export async function withServerContainer(
  command: string,
  input: CliInput,
  body: (container: Container, config: Config) => Promise<CliResult>,
): Promise<CliResult> {
  const config = loadConfig({ ...input.env, FORMS_DIR: input.formsDir, TENANTS_DIR: input.tenantsDir });
  if (config.databaseUrl === '' && !hasDatabase(config.dataDir)) {
    return failure(input.json, [
      `efa-forms ${command}: no database in DATA_DIR ${config.dataDir} (${DATABASE_FILE}); run it with the server's environment (DATA_DIR of the running server, or its DATABASE_URL on PostgreSQL), or start the server once`,
    ]);
  }
  const notes: string[] = [];
  const container = await createContainer({
    config, env: input.env, logger: noteLogger(notes), product: { name: packageJson.name, version: packageJson.version }, now: input.now,
  });
  try {
    const result = await body(container, config);
    return { ...result, notes: [...notes, ...(result.notes ?? [])] };
  } finally {
    await container.close(config.deliveryTimeoutMs);
  }
}
