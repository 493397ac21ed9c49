import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openPostgresStore } from '../../src/storage/postgres/postgres-store';
import { storeContract } from './store-contract';

/**
 * The storage contract against the real PostgreSQL server of the machine (CI: 127.0.0.1:5432,
 * user postgres, trust; TEST_DATABASE_URL overrides). Every test gets a schema of its own,
 * dropped after it, so runs never see each other's rows.
 */
const URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

storeContract('PostgreSQL (a schema of its own on the real server)', () => {
  const schema = `efa_test_${randomBytes(6).toString('hex')}`;
  const admin = () => new pg.Client({ connectionString: URL });
  let created = false;
  return {
    async open() {
      if (!created) {
        const c = admin();
        await c.connect();
        await c.query(`CREATE SCHEMA ${schema}`);
        await c.end();
        created = true;
      }
      return openPostgresStore({ url: URL, poolSize: 4, statementTimeoutMs: 10_000, schema });
    },
    async destroy() {
      const c = admin();
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
    },
  };
});
