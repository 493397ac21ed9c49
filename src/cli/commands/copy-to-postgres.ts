import { SETTINGS, type Config } from '../../config/config-schema';
import { ConfigError } from '../../config/load-config';
import { StartupError } from '../../startup-error';
import { StorageUnavailableError } from '../../storage/ports';
import { importIntoPostgres, PostgresNotEmptyError, type ImportResult } from '../../storage/postgres/pg-import';
import { openSqliteExport } from '../../storage/sqlite/sqlite-export';
import type { CliCommand, CliInput, CliResult } from '../command';
import { failure } from '../failure';
import { COMMON_OPTIONS_HELP } from '../parse-args';

const NAME = 'efa-forms copy-to-postgres';

const HELP = `Usage: efa-forms copy-to-postgres [--json]

Copies the SQLite database of an installation (DATA_DIR/efa-forms.sqlite) into the
PostgreSQL database of DATABASE_URL, to move the installation to PostgreSQL: every table
and every row (submissions with their events and stored PDF receipts, delivery jobs in
whatever state, authority inboxes, drafts, the uploaded attachments, the operators' audit
trail, console sessions, testers' links), text and receipts byte for byte, times to the
millisecond; and every file an attachment names (its bytes and its sealed copy, from
DATA_DIR/attachments) under the same id, streamed, its SHA-512 (a sealed copy's size)
checked against its row and read back before the commit. The SQLite file and the
attachments' files are only read.

Stop every efa-forms process using the SQLite file first (servers, workers, commands):
the copy refuses while another process has it open, and holds it locked while it copies,
so no server can start on it meanwhile. Start the servers with DATABASE_URL afterwards.

The target is migrated to this version's schema, as every efa-forms process does at start,
and must hold no data (no submissions, events, receipts, jobs, drafts, attachments or files,
audit entries, sessions or links; refused otherwise). Every file an attachment names must be in
DATA_DIR/attachments with the size its row records (refused otherwise, one line per file).
Everything is copied in ONE transaction, in batches of at most 500 rows and files in chunks:
it is all there afterwards, or (after any error) none of it.

Settings (read as the server reads them):
  DATA_DIR                       the folder of the SQLite database (default ./data)
  DATABASE_URL                   the PostgreSQL database (postgres://user:password@host/db;
                                 never printed)
  DATABASE_STATEMENT_TIMEOUT_MS  the longest any one statement may take (default 10000)

Output: the rows copied per table and the files. With --json:
{"ok": true, "from", "tables": {name: rows}, "files": {"count", "bytes"}}.

${COMMON_OPTIONS_HELP}

Exit codes:
  0  copied
  1  bad input or refused: no database in DATA_DIR, the SQLite file in use by another
     process or of another schema version, a file an attachment names missing or of
     another size, DATABASE_URL not set or unusable, PostgreSQL unreachable or refusing,
     the target not empty, a file whose bytes differ from its row (one line each; nothing
     was written)`;

/** One setting parsed exactly as the server parses it (secrets never echoed). */
function setting<K extends 'dataDir' | 'databaseUrl' | 'databaseStatementTimeoutMs'>(key: K, env: CliInput['env']): Config[K] {
  const spec = SETTINGS.find((s) => s.key === key);
  if (!spec) throw new Error(`no setting ${key}`);
  const raw = env[spec.env];
  try {
    return spec.parse(raw !== undefined && raw !== '' ? raw : spec.default) as Config[K];
  } catch (err) {
    throw new ConfigError(`${spec.env}=${spec.secret ? '(secret)' : JSON.stringify(raw)} ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** The message without the URL or its password, should a driver ever quote them. */
function scrubbed(message: string, url: string): string {
  let out = message.split('\n')[0] ?? '';
  const secrets = [url];
  try {
    const password = decodeURIComponent(new URL(url).password);
    if (password !== '') secrets.push(password, new URL(url).password);
  } catch {
    // an unparsable URL was refused by the setting already
  }
  for (const secret of secrets) out = out.split(secret).join('(secret)');
  return out;
}

/** The one line for a failed copy; nothing was written in any case (one transaction). */
function copyProblem(err: unknown, url: string): string[] {
  if (err instanceof StartupError) return err.problems.map((p) => scrubbed(p, url));
  if (err instanceof PostgresNotEmptyError) {
    return [`${NAME}: the PostgreSQL database of DATABASE_URL is not empty (rows in ${err.tables.join(', ')}): copy only into a new, empty database; nothing was written`];
  }
  if (err instanceof StorageUnavailableError) {
    return [`${NAME}: PostgreSQL cannot be used (${err.reason}, ${err.code}); nothing was written`];
  }
  const code = (err as { code?: unknown } | null)?.code;
  const message = scrubbed(err instanceof Error ? err.message : String(err), url);
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) {
    // PostgreSQL's own refusals (authentication, unknown database, missing rights, a value it cannot store).
    return [`${NAME}: PostgreSQL refused (${code}: ${message}); nothing was written`];
  }
  return [`${NAME}: ${message}; nothing was written`];
}

function report(file: string, { tables, files }: ImportResult): string {
  const entries = Object.entries(tables);
  const total = entries.reduce((sum, [, n]) => sum + n, 0);
  const width = Math.max(...entries.map(([name]) => name.length), 'total'.length);
  const rows = [...entries, ['total', total] as const].map(([name, n]) => `  ${name.padEnd(width)}  ${String(n).padStart(9)}`);
  const copiedFiles = `  files of the attachments: ${files.count} (${files.bytes} bytes), each checked against its row`;
  return `copied ${file} into PostgreSQL (DATABASE_URL) in one transaction:\n${rows.join('\n')}\n${copiedFiles}\n`;
}

async function run(input: CliInput): Promise<CliResult> {
  if (input.args.length > 0) return failure(input.json, [`${NAME}: unexpected argument "${input.args[0]}" (see efa-forms copy-to-postgres --help)`]);
  const url = setting('databaseUrl', input.env);
  if (url === '') {
    return failure(input.json, [`${NAME}: DATABASE_URL is not set: set it to the PostgreSQL database to copy into (postgres://user:password@host:5432/db)`]);
  }
  const dataDir = setting('dataDir', input.env);
  const statementTimeoutMs = setting('databaseStatementTimeoutMs', input.env);
  let source;
  try {
    source = openSqliteExport(dataDir);
  } catch (err) {
    return failure(input.json, copyProblem(err, url));
  }
  try {
    const copied = await importIntoPostgres({ url, poolSize: 2, statementTimeoutMs }, source.batches(), source.files());
    const stdout = input.json ? `${JSON.stringify({ ok: true, from: source.file, ...copied }, null, 2)}\n` : report(source.file, copied);
    return { exitCode: 0, stdout };
  } catch (err) {
    return failure(input.json, copyProblem(err, url));
  } finally {
    source.close();
  }
}

export const copyToPostgresCommand: CliCommand = {
  name: 'copy-to-postgres',
  summary: 'Copy the SQLite database of DATA_DIR into the (empty) PostgreSQL database of DATABASE_URL',
  help: HELP,
  valueOptions: [],
  flags: [],
  run,
};
