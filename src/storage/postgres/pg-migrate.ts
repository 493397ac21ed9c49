import { problem, StartupError } from '../../startup-error';
import type { PgClient } from './pg-client';
import { PG_MIGRATIONS } from './pg-migrations';

/** The advisory lock every efa-forms instance takes to migrate (one at a time; arbitrary but fixed). */
export const PG_MIGRATION_LOCK = 0x0efa_f0_12;

/**
 * Brings the schema up to this code's version, one migration per transaction, under an advisory
 * lock: instances starting together wait for each other instead of racing. A database newer than
 * the code is refused (an older instance must not write a schema it does not know).
 *
 * Neither the wait for the lock nor a migration is cut off by DATABASE_STATEMENT_TIMEOUT_MS:
 * that bound is for requests, while an instance starting during another's long migration must
 * wait for it, and a migration on a grown table (an index over millions of rows) may take
 * minutes; cancelled, it would roll back and fail again at every start. The wait has no bound
 * of its own: the holder is another instance migrating, and its lock ends with its transaction,
 * also when it dies (the server ends a lost connection's transaction). An operator who wants a
 * bound sets `lock_timeout` for the database user; it is left as configured.
 */
export async function migratePostgres(client: PgClient, where: string): Promise<void> {
  await client.transaction(async (tx) => {
    // For this transaction only: the pool's connections keep the statement timeout afterwards.
    await tx.query('SET LOCAL statement_timeout = 0');
    // A transaction-scoped lock: released with the COMMIT, also if this process dies on the way.
    await tx.query('SELECT pg_advisory_xact_lock($1)', [PG_MIGRATION_LOCK]);
    await tx.query('CREATE TABLE IF NOT EXISTS efa_schema_version (version INTEGER NOT NULL)');
    const rows = await tx.query<{ version: number }>('SELECT version FROM efa_schema_version');
    let current = rows[0]?.version ?? 0;
    if (rows.length === 0) await tx.query('INSERT INTO efa_schema_version (version) VALUES (0)');
    if (current > PG_MIGRATIONS.length) {
      throw new StartupError([problem(where, '', `the database has schema version ${current}, newer than this efa-forms (${PG_MIGRATIONS.length})`)]);
    }
    for (const sql of PG_MIGRATIONS.slice(current)) {
      await tx.query(sql);
      current += 1;
      await tx.query('UPDATE efa_schema_version SET version = $1', [current]);
    }
  });
}
