import type { Store } from '../../src/storage/ports';
import { StartupError } from '../../src/startup-error';
import { createPgClient } from '../../src/storage/postgres/pg-client';
import { migratePostgres, PG_MIGRATION_LOCK } from '../../src/storage/postgres/pg-migrate';
import { PG_MIGRATIONS } from '../../src/storage/postgres/pg-migrations';
import { openPostgresStore } from '../../src/storage/postgres/postgres-store';
import { waitUntil } from '../support/channel-harness';
import { createTestDatabase, type TestDatabase } from '../support/postgres-database';
import { killSpawnedProcesses, spawnEntryPoint } from '../support/spawn-server';
import { tempDir } from '../support/temp-dir';

/**
 * PostgreSQL migrations at start (pg-migrate.ts), each test on a fresh database of its own: the
 * migration lock is an advisory lock, and those are per database, so no other test run can hold
 * it or wait for it here.
 */
describe('PostgreSQL migrations at start', () => {
  let db: TestDatabase;
  const stores: Store[] = [];
  // Raw connections of the test's own; db.drop() ends them.
  const connect = () => db.connect();

  beforeEach(async () => {
    db = await createTestDatabase();
  });
  afterEach(async () => {
    await killSpawnedProcesses();
    await Promise.all(stores.splice(0).map((s) => s.close()));
    await db.drop();
  });

  const TIMEOUT_MS = 200;

  test('an instance starting while another holds the migration lock longer than the statement timeout waits, and starts once it is released', async () => {
    const holder = await connect();
    const watcher = await connect();
    await holder.query('SELECT pg_advisory_lock($1)', [PG_MIGRATION_LOCK]);

    let settled = false;
    const opening = openPostgresStore({ url: db.url, poolSize: 2, statementTimeoutMs: TIMEOUT_MS }).finally(() => {
      settled = true;
    });
    // Released only once the opener has waited for the lock well past its statement timeout
    // (seen by the server); with the timeout applying, it was cancelled before and `opening` rejects.
    await waitUntil(async () => {
      if (settled) return true;
      const { rows } = await watcher.query<{ n: string }>(
        `SELECT COUNT(*) AS n FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event = 'advisory'
            AND clock_timestamp() - query_start > $1 * interval '1 millisecond'`,
        [2 * TIMEOUT_MS],
      );
      return Number(rows[0]?.n) > 0;
    });
    await holder.query('SELECT pg_advisory_unlock($1)', [PG_MIGRATION_LOCK]);

    const store = await opening;
    stores.push(store);
    expect(await store.submissions.find('NIEMAND')).toBeUndefined();
    expect(await db.query('SELECT version FROM efa_schema_version')).toEqual([{ version: PG_MIGRATIONS.length }]);
  });

  test('the migration lifts the statement timeout for its own transaction only: the connection keeps it afterwards', async () => {
    const client = createPgClient({ url: db.url, poolSize: 1, statementTimeoutMs: TIMEOUT_MS });
    try {
      await migratePostgres(client, 'DATABASE_URL');
      // One connection in the pool: the one the migration ran on.
      expect(await client.query('SHOW statement_timeout')).toEqual([{ statement_timeout: `${TIMEOUT_MS}ms` }]);
    } finally {
      await client.close();
    }
  });

  describe('a database newer than the code is refused', () => {
    const newer = PG_MIGRATIONS.length + 1;
    const reason = `the database has schema version ${newer}, newer than this efa-forms (${PG_MIGRATIONS.length})`;

    beforeEach(async () => {
      await db.query('CREATE TABLE efa_schema_version (version INTEGER NOT NULL)');
      await db.query(`INSERT INTO efa_schema_version (version) VALUES (${newer})`);
    });

    /** The tables of the database: nothing may have been created or changed by the refused start. */
    const tablesAndVersion = async () => ({
      tables: (await db.query<{ name: string }>("SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")).map((r) => r.name),
      version: await db.query('SELECT version FROM efa_schema_version'),
    });

    test('openPostgresStore rejects with one StartupError line naming both versions, and writes nothing', async () => {
      const refused = await openPostgresStore({ url: db.url, poolSize: 2, statementTimeoutMs: 10_000 }).then(
        (store) => {
          stores.push(store);
          throw new Error('a newer database was opened');
        },
        (err: unknown) => err,
      );
      expect(refused).toBeInstanceOf(StartupError);
      expect((refused as StartupError).problems).toEqual([expect.stringMatching(new RegExp(`^DATABASE_URL: .*${escape(reason)}$`))]);
      expect(await tablesAndVersion()).toEqual({ tables: ['efa_schema_version'], version: [{ version: newer }] });
    });

    test('the web server does not start: exit code 1 and that one line', async () => {
      const dir = tempDir();
      try {
        const { code, stderr } = await spawnEntryPoint('src/main.ts', { DATABASE_URL: db.url, DATA_DIR: dir.path }).exited;
        expect(code).toBe(1);
        const lines = stderr.trim().split('\n').filter((l) => l.startsWith('efa-forms:'));
        expect(lines).toEqual([expect.stringMatching(new RegExp(`^efa-forms: cannot start: DATABASE_URL: .*${escape(reason)}$`))]);
        expect(await tablesAndVersion()).toEqual({ tables: ['efa_schema_version'], version: [{ version: newer }] });
      } finally {
        dir.remove();
      }
    });
  });
});

/** `text` as a regular expression matching exactly it. */
function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
