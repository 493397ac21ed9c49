import { problem, StartupError } from '../../startup-error';
import type { PgClient } from './pg-client';
import { PG_MIGRATIONS } from './pg-migrations';

/** The advisory lock every efa-forms instance takes to migrate (one at a time; arbitrary but fixed). */
const MIGRATION_LOCK = 0x0efa_f0_12;

/**
 * Brings the schema up to this code's version, one migration per transaction, under an advisory
 * lock: instances starting together wait for each other instead of racing. A database newer than
 * the code is refused (an older instance must not write a schema it does not know).
 */
export async function migratePostgres(client: PgClient, where: string): Promise<void> {
  await client.transaction(async (tx) => {
    // A transaction-scoped lock: released with the COMMIT, also if this process dies on the way.
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
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
