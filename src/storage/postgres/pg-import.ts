import type { TableBatch, TableValue } from '../table-batch';
import { createPgClient, type PgClientOptions, type PgQueries } from './pg-client';
import { migratePostgres } from './pg-migrate';

/**
 * Writes a whole database read by another adapter (`efa-forms copy-to-postgres`) into
 * PostgreSQL: into a database migrated to this code's schema and empty of data, in ONE
 * transaction (all or nothing), one INSERT per batch. Text is written as it came, binary data
 * (the stored receipts) as bytea byte for byte, times as timestamptz to the millisecond, flags
 * as booleans, NULLs kept.
 */

type PgKind = 'text' | 'integer' | 'time' | 'boolean' | 'bytes';

interface ImportedTable {
  readonly columns: ReadonlyArray<readonly [name: string, kind: PgKind]>;
  /** For the tables of one row the store may have written already (the write probe, the reload generation). */
  readonly onConflict?: string;
}

const text = (...names: string[]) => names.map((n) => [n, 'text'] as const);
const time = (...names: string[]) => names.map((n) => [n, 'time'] as const);

/** The target tables, as pg-migrations.ts creates them. delivery_job_counts is kept by its trigger. */
const TABLES: Readonly<Record<string, ImportedTable>> = {
  submissions: {
    columns: [
      ...text('id', 'token_hash', 'form_id', 'form_version', 'tenant_id', 'authority_id', 'region_ars', 'language', 'data_json', 'payload_xml', 'parameters_json'),
      ['is_test', 'boolean'], ['status', 'text'], ...time('acknowledged_at', 'created_at', 'purged_at'),
    ],
  },
  submission_events: { columns: [['submission_id', 'text'], ['seq', 'integer'], ['type', 'text'], ['at', 'time'], ['detail', 'text']] },
  receipts: { columns: [['submission_id', 'text'], ['pdf', 'bytes'], ['sha256', 'text'], ['created_at', 'time']] },
  delivery_jobs: {
    columns: [
      ...text('id', 'submission_id', 'authority_id', 'channel', 'idempotency_key', 'content_type', 'body', 'state'),
      ['attempts', 'integer'], ['next_attempt_at', 'time'], ['lease_owner', 'text'], ['lease_until', 'time'], ['last_error', 'text'],
      ...time('delivered_at', 'fetched_at', 'give_up_from'), ['is_test', 'boolean'], ['created_at', 'time'], ['purged_at', 'time'],
    ],
  },
  drafts: { columns: [...text('key', 'form_id', 'form_version', 'data_json', 'csrf_token', 'resume_token_hash'), ...time('created_at', 'updated_at', 'expires_at')] },
  operator_audit: { columns: [['seq', 'integer'], ['at', 'time'], ...text('actor', 'tenant_id', 'action', 'target', 'outcome', 'detail')] },
  operator_sessions: { columns: [...text('key', 'token_hash', 'csrf_token'), ...time('created_at', 'expires_at')] },
  test_links: { columns: [...text('token_hash', 'tenant_id', 'authority_id', 'form_id', 'created_by'), ...time('created_at', 'expires_at')] },
  configuration_generation: {
    columns: [['id', 'integer'], ['generation', 'integer'], ['at', 'time']],
    // A server that already ran on the target may have counted reloads: the higher generation wins.
    onConflict: `(id) DO UPDATE SET generation = GREATEST(configuration_generation.generation, excluded.generation),
      at = CASE WHEN excluded.generation > configuration_generation.generation THEN excluded.at ELSE configuration_generation.at END`,
  },
  write_probe: { columns: [['id', 'integer'], ['probed_at', 'time']], onConflict: '(id) DO UPDATE SET probed_at = GREATEST(write_probe.probed_at, excluded.probed_at)' },
};

/** The tables that must be empty before a copy (everything but the one-row bookkeeping tables). */
const DATA_TABLES = ['submissions', 'submission_events', 'receipts', 'delivery_jobs', 'drafts', 'operator_audit', 'operator_sessions', 'test_links'] as const;

/** The target already holds data: a copy would mix two installations. Nothing was written. */
export class PostgresNotEmptyError extends Error {
  override readonly name = 'PostgresNotEmptyError';

  constructor(readonly tables: readonly string[]) {
    super(`the PostgreSQL database is not empty (rows in ${tables.join(', ')})`);
  }
}

// bytea[]: pg sends each Buffer of the array as \\x<hex>, so the bytes arrive unchanged.
const ARRAY_TYPE: Record<PgKind, string> = { text: 'text[]', integer: 'bigint[]', time: 'bigint[]', boolean: 'boolean[]', bytes: 'bytea[]' };

/**
 * One INSERT … SELECT FROM unnest(one array per column): a fixed number of parameters whatever
 * the batch size. Times travel as epoch milliseconds and are converted by the server, exactly
 * (no local time zone on the way).
 */
function insertSql(table: string, spec: ImportedTable): string {
  const names = spec.columns.map(([name]) => `"${name}"`).join(', ');
  const arrays = spec.columns.map(([, kind], i) => `$${i + 1}::${ARRAY_TYPE[kind]}`).join(', ');
  const values = spec.columns.map(([name, kind]) => (kind === 'time' ? `'epoch'::timestamptz + u."${name}" * interval '1 millisecond'` : `u."${name}"`)).join(', ');
  const conflict = spec.onConflict ? ` ON CONFLICT ${spec.onConflict}` : '';
  return `INSERT INTO ${table} (${names}) SELECT ${values} FROM unnest(${arrays}) AS u(${names})${conflict}`;
}

function columnValue(table: string, column: string, kind: PgKind, value: TableValue | undefined): string | number | boolean | Buffer | null {
  if (value === undefined) throw new Error(`${table}: the rows read have no column ${column}`);
  if (value === null) return null;
  const ok = kind === 'time' ? value instanceof Date : kind === 'boolean' ? typeof value === 'boolean' : kind === 'integer' ? Number.isSafeInteger(value)
    : kind === 'bytes' ? Buffer.isBuffer(value) : typeof value === 'string';
  if (!ok) throw new Error(`${table}.${column}: a value that is not ${kind}`);
  return value instanceof Date ? value.getTime() : value;
}

/** The batch as one array per column, checking that the rows have exactly the target's columns. */
function columnArrays(batch: TableBatch, spec: ImportedTable): unknown[][] {
  const arrays = spec.columns.map(() => [] as unknown[]);
  for (const row of batch.rows) {
    const extra = Object.keys(row).filter((name) => !spec.columns.some(([column]) => column === name));
    if (extra.length > 0) throw new Error(`${batch.table}: the rows read have columns the target lacks: ${extra.join(', ')}`);
    spec.columns.forEach(([column, kind], i) => arrays[i]!.push(columnValue(batch.table, column, kind, row[column])));
  }
  return arrays;
}

async function nonEmptyTables(tx: PgQueries): Promise<string[]> {
  const probes = DATA_TABLES.map((t) => `SELECT '${t}' AS name WHERE EXISTS (SELECT 1 FROM ${t})`).join(' UNION ALL ');
  return (await tx.query<{ name: string }>(probes)).map((r) => r.name);
}

async function deliveredCounts(tx: PgQueries): Promise<Map<string, number>> {
  const rows = await tx.query<{ channel: string; delivered: string }>('SELECT channel, SUM(delivered) AS delivered FROM delivery_job_counts GROUP BY channel');
  return new Map(rows.map((r) => [r.channel, Number(r.delivered)]));
}

/**
 * Migrates the target (as every efa-forms process does at start), then copies the batches in
 * one transaction: the data tables locked against writers and checked empty first
 * (PostgresNotEmptyError otherwise), each batch one INSERT, operator_audit's sequence moved past
 * the copied entries, and the delivered counts the trigger kept checked against the delivered
 * jobs copied. Any failure rolls everything back. Returns the rows copied per table, in order.
 */
export async function importIntoPostgres(options: PgClientOptions, batches: Iterable<TableBatch> | AsyncIterable<TableBatch>): Promise<Record<string, number>> {
  const client = createPgClient(options);
  try {
    await migratePostgres(client, 'DATABASE_URL');
    return await client.transaction(async (tx) => {
      // The count trigger is deferred to the commit; immediate, its queue drains per batch
      // instead of growing with every delivered job of the whole copy.
      await tx.query('SET CONSTRAINTS ALL IMMEDIATE');
      // A process writing to the target meanwhile waits for the copy (up to its statement timeout).
      await tx.query(`LOCK TABLE ${DATA_TABLES.join(', ')} IN SHARE ROW EXCLUSIVE MODE`);
      const filled = await nonEmptyTables(tx);
      if (filled.length > 0) throw new PostgresNotEmptyError(filled);
      const countsBefore = await deliveredCounts(tx);
      const copied: Record<string, number> = {};
      const deliveredCopied = new Map<string, number>();
      for await (const batch of batches) {
        const spec = TABLES[batch.table];
        if (!spec) throw new Error(`no table ${batch.table} in the PostgreSQL schema`);
        copied[batch.table] = (copied[batch.table] ?? 0) + batch.rows.length;
        if (batch.rows.length === 0) continue;
        await tx.query(insertSql(batch.table, spec), columnArrays(batch, spec));
        if (batch.table === 'delivery_jobs') {
          for (const row of batch.rows) {
            if (row.state === 'delivered') deliveredCopied.set(String(row.channel), (deliveredCopied.get(String(row.channel)) ?? 0) + 1);
          }
        }
      }
      // New audit entries continue after the copied ones (is_called false: the next is 1 on an empty log).
      await tx.query(`SELECT setval(pg_get_serial_sequence('operator_audit', 'seq'), COALESCE((SELECT MAX(seq) FROM operator_audit), 1), (SELECT MAX(seq) FROM operator_audit) IS NOT NULL)`);
      const countsAfter = await deliveredCounts(tx);
      for (const channel of new Set([...countsBefore.keys(), ...countsAfter.keys(), ...deliveredCopied.keys()])) {
        const grown = (countsAfter.get(channel) ?? 0) - (countsBefore.get(channel) ?? 0);
        if (grown !== (deliveredCopied.get(channel) ?? 0)) {
          throw new Error(`delivery_job_counts for ${channel} grew by ${grown}, but ${deliveredCopied.get(channel) ?? 0} delivered jobs were copied`);
        }
      }
      return copied;
    });
  } finally {
    await client.close();
  }
}
