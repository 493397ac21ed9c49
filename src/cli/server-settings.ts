import { SETTINGS, type Config } from '../config/config-schema';
import { ConfigError } from '../config/load-config';

/**
 * One setting read from the environment exactly as the server reads it (its default when unset
 * or empty), for commands that need only that setting and should not fail on the others (e.g.
 * `coverage` without the production secrets). Throws ConfigError with the one-line reason.
 */
export function serverSetting<K extends 'formsDir' | 'tenantsDir' | 'dataDir'>(key: K, env: Readonly<Record<string, string | undefined>>): Config[K] {
  const setting = SETTINGS.find((s) => s.key === key);
  if (!setting) throw new Error(`no setting ${key}`);
  const raw = env[setting.env];
  const value = raw !== undefined && raw !== '' ? raw : setting.default;
  try {
    return setting.parse(value) as Config[K];
  } catch (err) {
    throw new ConfigError(`${setting.env}=${JSON.stringify(raw)} ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * Commands that read what the running server wrote look for its database first: opening the store
 * would create an empty database in a mistyped DATA_DIR, and its answers would silently say "never".
 */
export { DATABASE_FILE, sqliteDatabaseExists as hasDatabase } from '../storage/sqlite/sqlite-store';
