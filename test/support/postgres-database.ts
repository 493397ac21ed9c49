import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The machine's PostgreSQL (CI: 127.0.0.1:5432, user postgres, trust); TEST_DATABASE_URL overrides. */
export const TEST_SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  readonly name: string;
  /** DATABASE_URL of the new database (the server's URL with its name). */
  readonly url: string;
  /** One statement on the new database (on a connection of its own), for what a test checks directly. */
  query<R extends object>(sql: string): Promise<R[]>;
  /** A raw connection of the test's own on the new database (holding locks, watching pg_locks); drop() ends it. */
  connect(): Promise<pg.Client>;
  /** Drops it, connections still open included; safe to call twice. */
  drop(): Promise<void>;
}

async function onServer<T>(work: (client: pg.Client) => Promise<T>, connectionString = TEST_SERVER_URL): Promise<T> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * A fresh, empty database on the machine's server, for tests of the whole application on
 * PostgreSQL (migrations from nothing, several containers on one database). The name is random,
 * so parallel runs never meet.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `efa_test_${randomBytes(6).toString('hex')}`;
  await onServer((c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(TEST_SERVER_URL);
  url.pathname = `/${name}`;
  let dropped: Promise<void> | undefined;
  const clients: pg.Client[] = [];
  return {
    name,
    url: url.toString(),
    query: <R extends object>(sql: string) => onServer(async (c) => (await c.query<R>(sql)).rows, url.toString()),
    async connect() {
      const client = new pg.Client({ connectionString: url.toString() });
      await client.connect();
      clients.push(client);
      return client;
    },
    drop() {
      // FORCE: a container a failed test did not close must not keep the database alive.
      dropped ??= onServer(async (c) => {
        await Promise.all(clients.splice(0).map((client) => client.end().catch(() => undefined)));
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      });
      return dropped;
    },
  };
}
