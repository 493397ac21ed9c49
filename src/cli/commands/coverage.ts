import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { computeCoverage, coverageForms, unknownCoverageScope, type CoverageReport } from '../../coverage/coverage';
import { renderCoverageCsv } from '../../coverage/coverage-csv';
import { renderCoverageHtml } from '../../coverage/coverage-html';
import { renderCoverageTable } from '../../coverage/coverage-table';
import { loadFormRegistry } from '../../forms/form-registry';
import { loadTenantFiles } from '../../routing/load-tenants';
import { buildRoutingTable } from '../../routing/routing-table';
import { StartupError } from '../../startup-error';
import type { CliCommand, CliInput, CliResult } from '../command';

const FORMATS = ['table', 'csv', 'json', 'html'] as const;
type Format = (typeof FORMATS)[number];

const RENDERERS: Readonly<Record<Format, (report: CoverageReport) => string>> = {
  table: renderCoverageTable,
  csv: renderCoverageCsv,
  json: (report) => `${JSON.stringify(report, null, 2)}\n`,
  html: renderCoverageHtml,
};

function refuse(...problems: string[]): CliResult {
  return { exitCode: 1, stdout: '', problems };
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
    if (value === true || value === '') problems.push(`--${name}: needs a value`);
    else options[name] = value;
  }
  return problems.length > 0 ? { problems } : options;
}

/**
 * Written under a temporary name beside the target and renamed over it: a reader (a browser, a
 * web server publishing the report) never sees half a file, and a failed write leaves the old
 * report as it was.
 */
async function writeAtomically(file: string, content: string): Promise<void> {
  const part = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.part`);
  try {
    await writeFile(part, content, { encoding: 'utf8', flag: 'wx' });
    await rename(part, file);
  } catch (err) {
    await rm(part, { force: true }).catch(() => undefined);
    throw err;
  }
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
  if (input.args.length > 0) return refuse(`coverage: unexpected argument "${input.args[0] ?? ''}" (see efa-forms coverage --help)`);
  const options = readOptions(input);
  if ('problems' in options) return refuse(...options.problems);
  const { tenant: tenantId, form: formId, format: formatOption, out } = options;
  const format = formatOption ?? (input.json ? 'json' : 'table');
  if (!(FORMATS as readonly string[]).includes(format)) return refuse(`--format: "${format}" is not one of ${FORMATS.join(', ')}`);
  if (input.json && format !== 'json') return refuse(`--json and --format ${format} contradict each other`);

  let report: CoverageReport;
  try {
    const registry = await loadFormRegistry(input.formsDir);
    const routing = buildRoutingTable(await loadTenantFiles(input.tenantsDir), new Set(registry.ids()));
    const forms = coverageForms(registry);
    const unknown = unknownCoverageScope({ routing, forms, tenantId, formId });
    if (unknown) {
      const where = unknown.parameter === 'tenant' ? input.tenantsDir : input.formsDir;
      return refuse(`--${unknown.parameter}: unknown ${unknown.parameter} "${unknown.value}" in ${where} (known: ${unknown.known.join(', ') || 'none'})`);
    }
    report = computeCoverage({ routing, forms, tenantId, formId, now: input.now() });
  } catch (err) {
    if (err instanceof StartupError) return refuse(...err.problems);
    throw err;
  }

  const text = RENDERERS[format as Format](report);
  if (out === undefined) return { exitCode: 0, stdout: text };
  const file = path.resolve(out);
  try {
    await writeAtomically(file, text);
  } catch (err) {
    return refuse(`${file}: ${writeReason(err)}`);
  }
  return { exitCode: 0, stdout: '', notes: [`coverage: wrote ${format} report to ${file}`] };
}

export const coverageCommand: CliCommand = {
  name: 'coverage',
  summary: 'How many municipalities and inhabitants can apply online, per form, tenant and district',
  help: [
    'Usage: efa-forms coverage [--tenant <id>] [--form <id>] [--format table|csv|json|html] [--out FILE]',
    '',
    'For each form and tenant: how many municipalities and how many inhabitants can apply online,',
    'per district (Kreis: the first 5 digits of the ARS) and for the whole tenant; whether coverage',
    'is complete (flaechendeckend: every municipality of the area can apply online); and the',
    'municipalities still missing. A municipality can apply online for a form when the routing',
    'table finds an authority for its ARS, exactly as for a submission. Municipalities without a',
    'population count as 0 inhabitants; the report says for how many that is.',
    '',
    'Options:',
    '  --tenant <id>      only this tenant (TENANTS_DIR/<id>.json)',
    '  --form <id>        only this form (FORMS_DIR/<id>/form.json)',
    '  --format <format>  table  plain text for a terminal (the default)',
    '                     csv    RFC 4180, comma-separated, header row, one row per form, tenant',
    '                            and area (level "state" or "district"), dot decimals',
    '                     json   the report as JSON (the same as GET /api/admin/coverage)',
    '                     html   one accessible page for a ministry: German with English headings,',
    '                            a table and a bar per district, no JavaScript',
    '  --json             the same as --format json',
    '  --out FILE         write the report to FILE (atomically: a temporary file renamed over it)',
    '                     instead of stdout',
    '  --forms DIR        forms folder (default FORMS_DIR, else ./forms)',
    '  --tenants DIR      tenants folder (default TENANTS_DIR, else ./tenants)',
    '',
    'Exit codes: 0 the report was printed or written; 1 bad option, unknown tenant or form, a',
    'configuration problem (one "file: pointer: reason" line each) or FILE could not be written.',
  ].join('\n'),
  valueOptions: ['tenant', 'form', 'format', 'out'],
  flags: [],
  run,
};
