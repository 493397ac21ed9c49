import { readFile } from 'node:fs/promises';
import { formatChangeReport, type ImportOutcome } from '../../directory/change-report-text';
import { checkTenantSet } from '../../directory/check-tenant-set';
import { InputError } from '../../directory/input-error';
import { planMunicipalityImport, type MunicipalityImportPlan } from '../../directory/plan-import';
import { readInputFile } from '../../directory/read-input-file';
import { loadTenantFiles } from '../../routing/load-tenants';
import type { TenantSource } from '../../routing/routing-table';
import { StartupError } from '../../startup-error';
import { writeFileAtomically } from '../../support/atomic-write';
import type { CliCommand, CliInput, CliResult } from '../command';
import { failure } from '../failure';

export const importMunicipalitiesCommand: CliCommand = {
  name: 'import-municipalities',
  summary: "Set a tenant's municipalities, associations and districts from the official directory (GV100AD)",
  help: `Usage: efa-forms import-municipalities --tenant <id> --directory <GV100AD file>
                                        [--postal-codes <CSV file>] [--dry-run] [--json]

Sets a tenant's municipalities, municipal associations and districts from the official
municipality directory of Destatis (Gemeindeverzeichnis, GV100AD fixed-width format; UTF-8 or
ISO-8859-1, LF or CRLF). Only records inside the tenant's regions are taken:
  municipalities (Satzart 60)   ARS, the name citizens search for ("Erfurt"), the official name
                                ("Erfurt, Stadt"), population, the seat's postal code
  associations (Satzart 50)     9-digit keys: responsibilities per Verwaltungsgemeinschaft,
                                erfüllende Gemeinde, Amt, Verbandsgemeinde ...
  districts (Satzart 40)        5-digit keys: responsibilities per Kreis
Gemeindefreie Gebiete (Satzart 60 with Textkennzeichen 65, inhabited) are imported like
municipalities, since people live there (the report counts them); uninhabited ones (66) are
skipped, as nobody can apply from there.
Municipalities the directory no longer has are removed. The authorities stay as they are.

Before writing, it prints a change report against the tenant as it was: municipalities,
associations and districts added (+), removed (-) and renamed (~), postal codes changed (*), and
every region in an authority's "serves" that matches no municipality any more (!), as happens
when municipalities merge and get new keys. The file is written only if the tenant set then
passes the server's start-up checks (the problems of "efa-forms check"), atomically, with one
municipality, association or district per line, sorted by ARS, so git shows a new directory
line by line.

Options:
  --tenant <id>             the tenant to update: TENANTS_DIR/<id>.json
  --directory <file>        the GV100AD file (a line that does not fit the layout stops the
                            import with file:line: reason; nothing is written)
  --postal-codes <file>     CSV with a header row naming at least the columns ags and plz
                            (any order, more columns allowed; "," or ";"): every postal code it
                            gives for a municipality's AGS is added to the seat's
                            Both files may be pipes (<(unzip -p ...)); a binary file (one with
                            NUL bytes) or one of more than 64 MB is refused
  --dry-run                 print the change report, write nothing
  --json                    the report as one JSON object on stdout
  --tenants <dir>           instead of TENANTS_DIR
  --forms <dir>             instead of FORMS_DIR (the forms the check needs)

Exit codes:
  0  imported, unchanged, or dry run (the report says which)
  1  bad option, input file or configuration: one line per problem on stderr, nothing written
`,
  valueOptions: ['tenant', 'directory', 'postal-codes'],
  flags: ['dry-run'],
  run: importMunicipalities,
};

async function importMunicipalities(input: CliInput): Promise<CliResult> {
  const options = readOptions(input);
  if ('problems' in options) return failure(input.json, options.problems);
  const { tenantId, directoryFile, postalCodesFile, dryRun } = options;

  let sources: TenantSource[];
  try {
    sources = await loadTenantFiles(input.tenantsDir);
  } catch (err) {
    if (err instanceof StartupError) return failure(input.json, err.problems);
    throw err;
  }
  const source = sources.find((s) => s.tenant.id === tenantId);
  if (source === undefined) {
    return failure(input.json, [`${input.tenantsDir}: has no tenant "${tenantId}" (tenants: ${sources.map((s) => s.tenant.id).join(', ')})`]);
  }

  const directory = await readInputFile(directoryFile);
  const postalCodes = postalCodesFile === undefined ? undefined : await readInputFile(postalCodesFile);
  if ('problem' in directory || (postalCodes !== undefined && 'problem' in postalCodes)) {
    return failure(input.json, [directory, postalCodes].flatMap((read) => (read !== undefined && 'problem' in read ? [read.problem] : [])));
  }

  let plan: MunicipalityImportPlan;
  try {
    plan = planMunicipalityImport({ tenant: source.tenant, directory, ...(postalCodes === undefined ? {} : { postalCodes }) });
  } catch (err) {
    if (err instanceof InputError) return failure(input.json, err.problems);
    throw err;
  }

  const problems = await checkTenantSet(input.formsDir, sources, source.file, plan.text);
  const current = await readFile(source.file, 'utf8');
  const outcome: ImportOutcome = problems.length > 0 ? 'not-written' : current === plan.text ? 'unchanged' : dryRun ? 'dry-run' : 'written';
  if (outcome === 'written') await writeFileAtomically(source.file, plan.text);

  const notes = warnings(plan);
  const stdout = input.json
    ? `${JSON.stringify(jsonReport(tenantId, source.file, plan, outcome, problems), null, 2)}\n`
    : formatChangeReport(tenantId, source.file, plan, outcome);
  return { exitCode: problems.length > 0 ? 1 : 0, stdout, ...(problems.length > 0 ? { problems } : {}), ...(notes.length > 0 ? { notes } : {}) };
}

type Options =
  | { readonly tenantId: string; readonly directoryFile: string; readonly postalCodesFile?: string; readonly dryRun: boolean }
  | { readonly problems: string[] };

function readOptions(input: CliInput): Options {
  const problems: string[] = [];
  if (input.args.length > 0) problems.push(`import-municipalities: takes no arguments, got "${input.args.join(' ')}" (see --help)`);
  const value = (name: string, required: boolean): string | undefined => {
    const given = input.options[name];
    if (typeof given === 'string' && given !== '') return given;
    if (given !== undefined || required) problems.push(`import-municipalities: --${name} <${name === 'tenant' ? 'id' : 'file'}> is required${given === undefined ? '' : ' with a value'}`);
    return undefined;
  };
  const tenantId = value('tenant', true);
  const directoryFile = value('directory', true);
  const postalCodesFile = value('postal-codes', false);
  if (problems.length > 0 || tenantId === undefined || directoryFile === undefined) return { problems };
  return { tenantId, directoryFile, ...(postalCodesFile === undefined ? {} : { postalCodesFile }), dryRun: input.options['dry-run'] === true };
}

function warnings(plan: MunicipalityImportPlan): string[] {
  const broken = plan.report.unmatchedRegions.filter((region) => region.matchedBefore > 0).length;
  const notes: string[] = [];
  if (broken > 0) notes.push(`warning: ${broken} ${broken === 1 ? 'responsibility matches' : 'responsibilities match'} no municipality any more (lines with ! in the report)`);
  const unknown = plan.postalCodes?.unknownAgs.length ?? 0;
  if (unknown > 0) notes.push(`warning: ${plan.postalCodes?.file}: ${unknown} AGS ${unknown === 1 ? "is" : "are"} not in the directory; ${unknown === 1 ? "its" : "their"} postal codes are not used`);
  return notes;
}

/** The --json form of the report: the same content as the text, as one object. */
function jsonReport(tenantId: string, file: string, plan: MunicipalityImportPlan, outcome: ImportOutcome, problems: readonly string[]): object {
  return {
    ok: problems.length === 0,
    tenant: tenantId,
    file,
    outcome,
    written: outcome === 'written',
    directory: plan.directory,
    postalCodes: plan.postalCodes ?? null,
    unincorporated: plan.unincorporated,
    ...plan.report,
    problems,
  };
}
