import type { Config } from '../config/config-schema';
import { StartupError } from '../startup-error';
import type { Logger } from '../support/logger';
import { StorageUnavailableError, type Store } from './ports';
import { openSqliteStore } from './sqlite/sqlite-store';

/**
 * The store the deployment uses: PostgreSQL with DATABASE_URL (several processes and machines on
 * one database), else the embedded SQLite file in DATA_DIR. A PostgreSQL that cannot be reached
 * at start stops it with one line, naming the reason but never the URL (it holds a password).
 */
export async function openStore(config: Pick<Config, 'dataDir' | 'databaseUrl' | 'databasePoolSize' | 'databaseStatementTimeoutMs'>, logger: Logger): Promise<Store> {
  if (config.databaseUrl === '') return openSqliteStore(config.dataDir);
  try {
    // Loaded only when used: pg and the adapter's modules are not needed on SQLite, and loading
    // them was a noticeable part of the start-up (issue 14 point 5).
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS require, so jest and the build load it alike
    const { openPostgresStore } = require('./postgres/postgres-store') as typeof import('./postgres/postgres-store');
    return await openPostgresStore({ url: config.databaseUrl, poolSize: config.databasePoolSize, statementTimeoutMs: config.databaseStatementTimeoutMs, logger });
  } catch (err) {
    if (err instanceof StorageUnavailableError) {
      throw new StartupError([`DATABASE_URL: PostgreSQL cannot be used (${err.reason}, ${err.code}); efa-forms needs its database to start`]);
    }
    const code = (err as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) {
      // PostgreSQL's own refusals (authentication, unknown database, missing rights) name no data.
      throw new StartupError([`DATABASE_URL: PostgreSQL refused (${code}: ${(err as Error).message})`]);
    }
    throw err;
  }
}
