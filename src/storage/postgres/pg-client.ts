import { createHash } from 'node:crypto';
import pg from 'pg';
import { StorageUnavailableError, type StorageUnavailableReason } from '../ports';

/** Runs statements on the pool, or inside one transaction; every error is mapped as the port reports it. */
export interface PgQueries {
  query<R extends object = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<R[]>;
}

export interface PgClient extends PgQueries {
  /** BEGIN … COMMIT on one connection; any rejection rolls back and is passed on (mapped). */
  transaction<T>(work: (tx: PgQueries) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface PgClientOptions {
  /** postgres://… (DATABASE_URL; a secret). */
  readonly url: string;
  readonly poolSize: number;
  /** Every statement is cancelled after this long (statement_timeout): a hung query never holds a request. */
  readonly statementTimeoutMs: number;
  /** A schema to use instead of the user's default (tests give each run its own). */
  readonly schema?: string;
}

/**
 * SQLSTATE classes and codes of a database that cannot be used just now (PostgreSQL appendix A),
 * and Node's socket errors of a server that is not there. Everything else is a bug or a
 * constraint and passes unchanged.
 */
const UNAVAILABLE_CODES: ReadonlyArray<readonly [code: string, reason: StorageUnavailableReason]> = [
  ['53100', 'disk full'],
  ['53', 'disk full'], // insufficient resources
  ['25006', 'read-only'],
  ['58030', 'I/O error'],
  ['08', 'unreachable'], // connection exceptions
  ['57P01', 'unreachable'], // admin shutdown
  ['57P02', 'unreachable'], // crash shutdown
  ['57P03', 'unreachable'], // cannot connect now (starting up, recovering)
  ['57014', 'busy'], // statement timeout
  ['55P03', 'busy'], // lock not available
  ['40001', 'busy'], // serialization failure
  ['40P01', 'busy'], // deadlock
  ['ECONNREFUSED', 'unreachable'],
  ['ECONNRESET', 'unreachable'],
  ['ETIMEDOUT', 'unreachable'],
  ['EPIPE', 'unreachable'],
  ['ENOTFOUND', 'unreachable'],
  ['EHOSTUNREACH', 'unreachable'],
];

/** The port's error for a pg or socket error: StorageUnavailableError for availability faults. */
export function toPgStorageError(err: unknown): unknown {
  if (err instanceof StorageUnavailableError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : '';
  // pg reports a connection that ended under it without a code.
  if (typeof code !== 'string') {
    // Every connection of the pool busy for connectionTimeoutMillis: the database is overloaded.
    if (/timeout exceeded when trying to connect/i.test(message)) return new StorageUnavailableError('busy', 'POOL_TIMEOUT', { cause: err });
    return /Connection terminated|connection timeout|Client has encountered a connection error/i.test(message)
      ? new StorageUnavailableError('unreachable', 'CONNECTION_LOST', { cause: err })
      : err;
  }
  const found = UNAVAILABLE_CODES.find(([prefix]) => code === prefix || (prefix.length === 2 && code.startsWith(prefix)));
  return found ? new StorageUnavailableError(found[1], code, { cause: err }) : err;
}

/**
 * Whether `value` can be a key stored in PostgreSQL at all. PostgreSQL's text cannot hold U+0000:
 * a bound parameter containing it fails the whole statement with SQLSTATE 22021 (a 500 for the
 * caller), where SQLite simply finds no row. Since no stored id, reference or key can contain a
 * NUL, a lookup by such a value finds nothing *by definition*, so the adapters' functions that
 * take a raw id from outside answer "not found" (undefined, [], false, no change) before asking
 * the database. This is checked per lookup and not by mapping 22021 afterwards: a write that
 * carries a NUL (copy-to-postgres moving a draft) is a real error and must stay one.
 */
export function isStorableKey(value: string): boolean {
  return !value.includes('\0');
}

function mapped<T>(work: () => Promise<T>): Promise<T> {
  return work().catch((err: unknown) => {
    throw toPgStorageError(err);
  });
}

/** At most this many statement texts are prepared per connection; rarer ones run unnamed. */
const MAX_PREPARED = 256;

/**
 * Names for the adapters' parameterised statements, so that each connection parses and plans
 * one only once (pg prepares a named statement on first use per connection and reuses it): for
 * the short statements of a submission or a claim, parsing and planning were a large part of
 * PostgreSQL's CPU. The name is derived from the text, so one name never means two statements;
 * the count is bounded, because statements built per call (the copy's row batches) must not
 * fill every connection with prepared statements used once.
 */
function preparedNames(): (sql: string) => string | undefined {
  const known = new Map<string, string>();
  return (sql) => {
    const found = known.get(sql);
    if (found !== undefined || known.size >= MAX_PREPARED) return found;
    const name = `efa_${createHash('sha256').update(sql).digest('hex').slice(0, 24)}`;
    known.set(sql, name);
    return name;
  };
}

/** One pool per store, bounded in size; a lost connection is dropped by the pool and replaced on the next query. */
export function createPgClient(options: PgClientOptions): PgClient {
  const schemaOption = options.schema ? ` -c search_path=${options.schema}` : '';
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize,
    connectionTimeoutMillis: 5_000,
    options: `-c statement_timeout=${options.statementTimeoutMs}${schemaOption}`,
  });
  // An idle connection that dies (server restart) emits here; the pool has already dropped it.
  pool.on('error', () => undefined);
  let closing: Promise<void> | undefined;
  const names = preparedNames();
  const run = async <R extends object>(on: pg.Pool | pg.PoolClient, sql: string, params: readonly unknown[] = []): Promise<R[]> => {
    const name = params.length > 0 ? names(sql) : undefined;
    return (await on.query<R>(name ? { name, text: sql, values: params as unknown[] } : { text: sql, values: params as unknown[] })).rows;
  };

  return {
    query: <R extends object>(sql: string, params?: readonly unknown[]) => mapped(() => run<R>(pool, sql, params)),
    transaction: <T>(work: (tx: PgQueries) => Promise<T>) => mapped(async () => {
      const connection = await pool.connect();
      let broken = false;
      // A checked-out client has no 'error' listener of the pool's: a server that dies under it
      // (crash, restart, network) would emit an unhandled 'error' and end the process. The
      // running statement rejects anyway (and is mapped); the connection must not be reused.
      const onError = (): void => {
        broken = true;
      };
      connection.on('error', onError);
      try {
        await connection.query('BEGIN');
        const result = await work({ query: <R extends object>(sql: string, params?: readonly unknown[]) => run<R>(connection, sql, params) });
        await connection.query('COMMIT');
        return result;
      } catch (err) {
        try {
          await connection.query('ROLLBACK');
        } catch {
          broken = true; // the connection is gone: never hand it out again
        }
        throw err;
      } finally {
        connection.removeListener('error', onError);
        connection.release(broken);
      }
    }),
    // Safe to call twice, as the SQLite store's close is (a test's afterEach may close again).
    close: () => {
      closing ??= pool.end();
      return closing;
    },
  };
}
