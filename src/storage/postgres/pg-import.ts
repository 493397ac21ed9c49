import { createHash } from 'node:crypto';
import type { FileTransfer, TableBatch, TableValue } from '../table-batch';
import { fileChunks, putFileUnderId } from './pg-attachment-files';
import { createPgClient, type PgClientOptions, type PgQueries } from './pg-client';
import { migratePostgres } from './pg-migrate';

/**
 * Writes a whole database read by another adapter (`efa-forms copy-to-postgres`) into
 * PostgreSQL: into a database migrated to this code's schema and empty of data, in ONE
 * transaction (all or nothing), one INSERT per batch. Text is written as it came, binary data
 * (the stored receipts) as bytea byte for byte, times as timestamptz to the millisecond, flags
 * as booleans, NULLs kept. Then the stored files (the attachments' bytes and sealed copies) under
 * the ids their rows name, streamed into attachment_chunks as the store writes them, each checked
 * against its row (size, SHA-512) on the way in and once more read back before the commit.
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
  attachments: {
    columns: [
      ...text('id', 'form_id', 'field_pointer', 'draft_key', 'file_name', 'media_type'), ['size', 'integer'], ['sha512', 'text'],
      ['scanned', 'boolean'], ['created_at', 'time'], ['submission_id', 'text'], ['position', 'integer'],
      ['sealed_file_id', 'text'], ['sealed_size', 'integer'], ['sealed_kid', 'text'], ...time('held_at', 'fetched_at'),
    ],
  },
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
const DATA_TABLES = [
  'submissions', 'submission_events', 'receipts', 'delivery_jobs', 'drafts', 'attachments', 'operator_audit', 'operator_sessions', 'test_links',
  'attachment_files', 'attachment_chunks',
] as const;

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

/** What a copy wrote: the rows per table (in the order they came) and the files with their bytes in all. */
export interface ImportResult {
  readonly tables: Record<string, number>;
  readonly files: { readonly count: number; readonly bytes: number };
}

function sha512Of(): { update(chunk: Buffer): void; readonly size: number; digest(): string } {
  const hash = createHash('sha512');
  let size = 0;
  return {
    update(chunk) {
      size += chunk.length;
      hash.update(chunk);
    },
    get size() {
      return size;
    },
    digest: () => hash.digest('hex'),
  };
}

/**
 * One file under its id, streamed into chunks as the store writes them (never whole), counted
 * and hashed on the way: it must have the size (and SHA-512) its row records. Then it is read
 * back from PostgreSQL, as the store will read it, and must give the same bytes (by SHA-512).
 * Answers its size.
 */
async function copyFile(tx: PgQueries, file: FileTransfer): Promise<number> {
  const read = sha512Of();
  await putFileUnderId(tx, file.id, (async function* hashed() {
    for await (const chunk of file.open()) {
      read.update(chunk);
      yield chunk;
    }
  })(), file.storedAt);
  if (read.size !== file.size) throw new Error(`${file.label}: ${read.size} bytes were read, its row says ${file.size}`);
  const sha512 = read.digest();
  if (file.sha512 !== undefined && sha512 !== file.sha512) throw new Error(`${file.label}: its bytes do not have the SHA-512 its row records (the file was changed)`);
  const stored = sha512Of();
  for await (const chunk of fileChunks(tx, file.id)) stored.update(chunk);
  if (stored.size !== read.size || stored.digest() !== sha512) throw new Error(`${file.label}: the bytes read back from PostgreSQL differ from those copied`);
  return read.size;
}

/**
 * Attachments whose bytes or sealed copy are not in attachment_files with the size the row
 * records (whatever the reader sent): the copy would leave submissions whose files no one can
 * fetch. At most 5 ids.
 */
async function attachmentsWithoutFiles(tx: PgQueries): Promise<string[]> {
  const rows = await tx.query<{ id: string }>(`
    SELECT a.id FROM attachments a LEFT JOIN attachment_files f ON f.file_id = a.id
     WHERE f.file_id IS NULL OR f.size <> a.size
    UNION
    SELECT a.id FROM attachments a LEFT JOIN attachment_files f ON f.file_id = a.sealed_file_id
     WHERE a.sealed_file_id IS NOT NULL AND (f.file_id IS NULL OR f.size IS DISTINCT FROM a.sealed_size)
    ORDER BY 1 LIMIT 5`);
  return rows.map((r) => r.id);
}

/**
 * Migrates the target (as every efa-forms process does at start), then copies the batches and
 * the files in one transaction: the data tables locked against writers and checked empty first
 * (PostgresNotEmptyError otherwise), each batch one INSERT, each file in chunks under its id
 * (checked against its row, read back), operator_audit's sequence moved past the copied entries,
 * the delivered counts the trigger kept checked against the delivered jobs copied, and every
 * attachment checked to have its files. Any failure rolls everything back. Returns the rows
 * copied per table, in order, and the files copied.
 */
export async function importIntoPostgres(
  options: PgClientOptions,
  batches: Iterable<TableBatch> | AsyncIterable<TableBatch>,
  files: Iterable<FileTransfer> | AsyncIterable<FileTransfer>,
): Promise<ImportResult> {
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
      const filesCopied = { count: 0, bytes: 0 };
      for await (const file of files) {
        filesCopied.bytes += await copyFile(tx, file);
        filesCopied.count += 1;
      }
      const lacking = await attachmentsWithoutFiles(tx);
      if (lacking.length > 0) throw new Error(`attachments without their files (or of another size) after the copy: ${lacking.join(', ')}`);
      // New audit entries continue after the copied ones (is_called false: the next is 1 on an empty log).
      await tx.query(`SELECT setval(pg_get_serial_sequence('operator_audit', 'seq'), COALESCE((SELECT MAX(seq) FROM operator_audit), 1), (SELECT MAX(seq) FROM operator_audit) IS NOT NULL)`);
      const countsAfter = await deliveredCounts(tx);
      for (const channel of new Set([...countsBefore.keys(), ...countsAfter.keys(), ...deliveredCopied.keys()])) {
        const grown = (countsAfter.get(channel) ?? 0) - (countsBefore.get(channel) ?? 0);
        if (grown !== (deliveredCopied.get(channel) ?? 0)) {
          throw new Error(`delivery_job_counts for ${channel} grew by ${grown}, but ${deliveredCopied.get(channel) ?? 0} delivered jobs were copied`);
        }
      }
      return { tables: copied, files: filesCopied };
    });
  } finally {
    await client.close();
  }
}
