import { SETTINGS, type Config } from '../config/config-schema';
import { ConfigError } from '../config/load-config';

/**
 * One setting read from the environment exactly as the server reads it (its default when unset
 * or empty), for commands that need only that setting and should not fail on the others (e.g.
 * `coverage` without the production secrets). Throws ConfigError with the one-line reason.
 */
export function serverSetting<K extends StoreSettingKey | 'formsDir' | 'tenantsDir'>(key: K, env: Readonly<Record<string, string | undefined>>): Config[K] {
  const setting = SETTINGS.find((s) => s.key === key);
  if (!setting) throw new Error(`no setting ${key}`);
  const raw = env[setting.env];
  const value = raw !== undefined && raw !== '' ? raw : setting.default;
  try {
    return setting.parse(value) as Config[K];
  } catch (err) {
    // A secret (DATABASE_URL holds a password) is never echoed.
    throw new ConfigError(`${setting.env}=${setting.secret ? '(secret)' : JSON.stringify(raw)} ${err instanceof Error ? err.message : String(err)}`);
  }
}

type StoreSettingKey = 'dataDir' | 'databaseUrl' | 'databasePoolSize' | 'databaseStatementTimeoutMs';

/** The settings that choose and open the server's store (openStore), read as the server reads them. */
export function storeSettings(env: Readonly<Record<string, string | undefined>>): Pick<Config, StoreSettingKey> {
  return {
    dataDir: serverSetting('dataDir', env),
    databaseUrl: serverSetting('databaseUrl', env),
    databasePoolSize: serverSetting('databasePoolSize', env),
    databaseStatementTimeoutMs: serverSetting('databaseStatementTimeoutMs', env),
  };
}

/**
 * Commands that read what the running server wrote on SQLite look for its database first: opening
 * the store would create an empty database in a mistyped DATA_DIR, and its answers would silently
 * say "never". With DATABASE_URL the server's database is PostgreSQL and DATA_DIR holds none.
 */
export { DATABASE_FILE, sqliteDatabaseExists as hasDatabase } from '../storage/sqlite/sqlite-store';
