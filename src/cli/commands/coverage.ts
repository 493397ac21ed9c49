import path from 'node:path';
import { computeCoverage, coverageForms, unknownCoverageScope, type CoverageReport, type LastDeliveries } from '../../coverage/coverage';
import { renderCoverageAuthoritiesCsv } from '../../coverage/coverage-authorities-csv';
import { renderCoverageCsv } from '../../coverage/coverage-csv';
import { renderCoverageHtml } from '../../coverage/coverage-html';
import { renderCoverageTable } from '../../coverage/coverage-table';
import { loadFormRegistry } from '../../forms/form-registry';
import { loadTenantFiles } from '../../routing/load-tenants';
import { buildRoutingTable } from '../../routing/routing-table';
import { StartupError } from '../../startup-error';
import { openStore } from '../../storage/open-store';
import { openSqliteStore } from '../../storage/sqlite/sqlite-store';
import { writeFileAtomically } from '../../support/atomic-write';
import type { CliCommand, CliInput, CliResult } from '../command';
import { failure } from '../failure';
import { COMMON_OPTIONS_HELP } from '../parse-args';
import { noteLogger } from '../server-container';
import { DATABASE_FILE, hasDatabase, storeSettings } from '../server-settings';
import { currentChannels } from '../../routing/authority-channels';
import type { DeliveryChannel, Store } from '../../storage/ports';

const FORMATS = ['table', 'csv', 'json', 'html'] as const;
type Format = (typeof FORMATS)[number];

const RENDERERS: Readonly<Record<Format, (report: CoverageReport) => string>> = {
  table: renderCoverageTable,
  csv: renderCoverageCsv,
  json: (report) => `${JSON.stringify(report, null, 2)}\n`,
  html: renderCoverageHtml,
};

/** The last deliveries per authority from an open store, closed again afterwards. */
async function readLastDeliveries(store: Store, channels: ReadonlyMap<string, DeliveryChannel>): Promise<LastDeliveries> {
  try {
    return await store.deliveries.lastDeliveries(channels);
  } finally {
    await store.close();
  }
}

/**
 * The last deliveries per authority from the running server's database, or why there are none
 * (one note line). With DATABASE_URL that is PostgreSQL, opened as the server opens it
 * (openStore), and DATA_DIR is not looked at: a SQLite file left there after copy-to-postgres
 * holds stale deliveries. A PostgreSQL that cannot be used is thrown (StartupError, one line
 * without the URL; exit 1): the operator named that database, so a report silently without its
 * deliveries would mislead. On SQLite only an existing database is opened, so a mistyped
 * DATA_DIR never gets an empty one; a database that cannot be opened (newer schema, unreadable)
 * leaves the report without delivery times instead of without a report.
 */
async function lastDeliveriesOf(env: CliInput['env'], channels: ReadonlyMap<string, DeliveryChannel>, notes: string[]): Promise<{ readonly last?: LastDeliveries; readonly note?: string }> {
  const settings = storeSettings(env);
  if (settings.databaseUrl !== '') return { last: await readLastDeliveries(await openStore(settings, noteLogger(notes)), channels) };
  const dataDir = path.resolve(settings.dataDir);
  const without = 'the authorities\' last deliveries are not shown (run with the server\'s DATA_DIR or DATABASE_URL to see them)';
  if (!hasDatabase(dataDir)) return { note: `coverage: no database in DATA_DIR ${dataDir} (${DATABASE_FILE}): ${without}` };
  let store: Store;
  try {
    store = openSqliteStore(dataDir);
  } catch (err) {
    const reason = err instanceof StartupError ? err.problems.join('; ') : err instanceof Error ? err.message.split('\n')[0] ?? '' : String(err);
    return { note: `coverage: the database in DATA_DIR cannot be opened (${reason}): ${without}` };
  }
  return { last: await readLastDeliveries(store, channels) };
}

interface Options {
  readonly tenant?: string | undefined;
  readonly form?: string | undefined;
  readonly format?: string | undefined;
  readonly out?: string | undefined;
}

/** The value options; one given as a bare flag (`--tenant` without a value) is a mistake, not "all". */
function readOptions(input: CliInput): Options | { readonly problems: string[] } {
  const options: Record<string, string | undefined> = {};
  const problems: string[] = [];
  for (const name of ['tenant', 'form', 'format', 'out']) {
    const value = input.options[name];
    if (value === true || value === '') problems.push(`efa-forms coverage: --${name} needs a value (see efa-forms coverage --help)`);
    else options[name] = value;
  }
  return problems.length > 0 ? { problems } : options;
}

function writeReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  switch (code) {
    case 'ENOENT': return 'cannot be written: its folder does not exist (ENOENT)';
    case 'EACCES':
    case 'EPERM': return `cannot be written: permission denied (${code})`;
    case 'EISDIR': return 'is a folder, not a file (EISDIR)';
    case 'ENOSPC': return 'cannot be written: no space left on the device (ENOSPC)';
    default: return `cannot be written (${code ?? String(err)})`;
  }
}

async function run(input: CliInput): Promise<CliResult> {
  const options = readOptions(input);
  // A script that asked for JSON gets a JSON document on stdout even when nothing can be counted.
  const refuse = (...problems: string[]) => failure(input.json || ('format' in options && options.format === 'json'), problems);
  if ('problems' in options) return refuse(...options.problems);
  if (input.args.length > 0) return refuse(`efa-forms coverage: unexpected argument "${input.args[0] ?? ''}" (see efa-forms coverage --help)`);
  const { tenant: tenantId, form: formId, out } = options;
  const format = options.format ?? (input.json ? 'json' : 'table');
  if (!(FORMATS as readonly string[]).includes(format)) return refuse(`efa-forms coverage: --format "${format}" is not one of ${FORMATS.join(', ')}`);
  if (input.json && format !== 'json') return refuse(`efa-forms coverage: --json and --format ${format} contradict each other`);
  const authorities = input.options.authorities === true;
  if (authorities && format !== 'csv') return refuse(`efa-forms coverage: --authorities chooses the CSV table; the ${format} report always shows the authorities (use --format csv --authorities)`);
  const notes: string[] = [];

  let report: CoverageReport;
  try {
    const registry = await loadFormRegistry(input.formsDir);
    const routing = buildRoutingTable(await loadTenantFiles(input.tenantsDir), new Set(registry.ids()));
    const forms = coverageForms(registry);
    const unknown = unknownCoverageScope({ routing, forms, tenantId, formId });
    if (unknown) {
      const where = unknown.parameter === 'tenant' ? input.tenantsDir : input.formsDir;
      return refuse(`efa-forms coverage: ${unknown.parameter} "${unknown.value}" is not in ${where} (there: ${unknown.known.join(', ') || 'none'})`);
    }
    const deliveries = await lastDeliveriesOf(input.env, currentChannels(routing), notes);
    if (deliveries.note !== undefined) notes.push(deliveries.note);
    report = computeCoverage({ routing, forms, tenantId, formId, now: input.now(), lastDeliveries: deliveries.last });
  } catch (err) {
    if (err instanceof StartupError) return refuse(...err.problems);
    throw err;
  }

  const text = authorities ? renderCoverageAuthoritiesCsv(report) : RENDERERS[format as Format](report);
  if (out === undefined) return { exitCode: 0, stdout: text, notes };
  const file = path.resolve(out);
  try {
    await writeFileAtomically(file, text);
  } catch (err) {
    return refuse(`${file}: ${writeReason(err)}`);
  }
  return { exitCode: 0, stdout: '', notes: [...notes, `coverage: wrote the ${format} report${authorities ? ' of the authorities' : ''} to ${file}`] };
}

export const coverageCommand: CliCommand = {
  name: 'coverage',
  summary: 'How many municipalities and inhabitants can apply online, per form, tenant and district',
  help: `Usage: efa-forms coverage [--tenant <id>] [--form <id>] [--format table|csv|json|html] [--out <file>]

For each form and tenant: how many municipalities and how many inhabitants can apply online,
per district (Kreis: the first 5 digits of the ARS) and for the whole tenant; whether coverage
is complete (flaechendeckend: every municipality of the area can apply online); and the
municipalities still missing. A municipality can apply online for a form when the routing table
finds a live route for its ARS, exactly as a submission from there would; planned, testing and
paused routes are counted apart ("not live yet"). Municipalities without a population count as
0 inhabitants; the report says for how many that is.

Then, per tenant, its authorities: channel, responsibilities by rollout state, and, read from
the server's database (as the server reads it: the PostgreSQL database of DATABASE_URL when
that is set, else the SQLite file in DATA_DIR), the last successful test delivery and the last
real delivery; an authority with a live route whose channel never took a delivery is flagged
(send it one with efa-forms test-delivery). On SQLite without a database in DATA_DIR (it is
never created here) the report has no delivery times, and a note on stderr says so.

Options:
  --tenant <id>      only this tenant (TENANTS_DIR/<id>.json)
  --form <id>        only this form (FORMS_DIR/<id>/form.json)
  --format <format>  table  plain text for a terminal (the default)
                     csv    RFC 4180: comma-separated, a header row, one row per form, tenant and
                            area (level "state" or "district"), plain numbers, dot decimals
                     json   the report as JSON, as GET /api/admin/coverage answers it
                     html   one accessible page for a ministry: German with English headings, a
                            table and a bar per district, no JavaScript, nothing loaded from outside
  --authorities      with --format csv: the authorities' table instead (one row per authority:
                     rollout counts, last_successful_test_at, last_real_delivery_at,
                     live_without_delivery)
  --out <file>       write the report to <file> instead of stdout (atomically: written beside it
                     under a temporary name, then renamed over it)
  (--json is the same as --format json)

${COMMON_OPTIONS_HELP}

Exit codes:
  0  the report was printed or written
  1  bad option, unknown tenant or form, a configuration problem (one "file: pointer: reason"
     line each, as the server reports it at start-up), the PostgreSQL database of DATABASE_URL
     cannot be used (one line, never the URL), or <file> could not be written
`,
  valueOptions: ['tenant', 'form', 'format', 'out'],
  flags: ['authorities'],
  run,
};
