import { ConfigError, loadConfig } from '../../config/load-config';
import { loadOperatorFiles, type OperatorFiles } from '../../operator-files';
import type { TenantSource } from '../../routing/routing-table';
import { loadTenantFiles } from '../../routing/load-tenants';
import { tenantWarnings } from '../../routing/tenant-warnings';
import { problem, StartupError } from '../../startup-error';
import type { LogFields, Logger } from '../../support/logger';
import type { CliCommand, CliInput, CliResult } from '../command';
import { COMMON_OPTIONS_HELP } from '../parse-args';

const HELP = `Usage: efa-forms check [--forms <dir>] [--tenants <dir>] [--json]

Checks everything the server checks at start-up, with the same code and the same
environment: the settings, every form in the forms folder, every tenant file and the
routing table they make, the authorities' secrets, keys and certificates named by the
tenant files, page and e-mail templates (TEMPLATES_DIR), the receipt fonts and
SITE_TENANT. It does not open DATA_DIR or the database. Run it with the server's
environment (NODE_ENV=production included) to check what production would refuse.

Warnings (the server starts with them):
  - an authority no municipality is routed to, for any form
  - a municipality no authority serves for any form
  - a 12-digit region in "serves" that is not a municipality of the tenant, or a
    shorter one that matches none
  - a secret or certificate variable that is not set (deliveries would wait)
  - a municipality with responsible authorities, none of whose routes is live (citizens
    there can apply for nothing online yet), naming each form's rollout state
  - a "planned" responsibility whose plannedFrom date has passed (citizens are still told
    it is not yet online: set rollout to "testing" or "live", or a later date); today is
    the date in UTC when the check runs

Output: a summary on stdout; each problem on stderr as "file: pointer: reason", then
each warning as "warning: file: pointer: reason".
With --json, stdout holds {"ok", "problems": [lines], "warnings": [lines], "summary":
{"problems", "warnings", "forms", "tenants", "municipalities", "authorities",
"siteTenant"}} (the counts of what loaded).

${COMMON_OPTIONS_HELP}

Exit codes:
  0  no problems (warnings allowed)
  1  a problem the server would refuse to start with, or a bad command line`;

interface Logged {
  readonly event: string;
  readonly fields: LogFields;
}

/** Keeps what the loaders log, to show as warnings instead of JSON log lines. */
function collectingLogger(into: Logged[]): Logger {
  const keep = (event: string, fields: LogFields = {}): void => {
    into.push({ event, fields });
  };
  return { info: () => undefined, warn: keep, error: keep };
}

/** Where in the authority's delivery the variable is named, e.g. `/delivery/secretEnv`. */
function pointerOfVariable(value: unknown, variable: string, at: string): string | undefined {
  if (value === variable) return at;
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, inner] of Object.entries(value)) {
    const found = pointerOfVariable(inner, variable, `${at}/${key}`);
    if (found) return found;
  }
  return undefined;
}

/** A logged warning as a `file: pointer: reason` line where it names an authority's variable. */
function describeLogged({ event, fields }: Logged, sources: readonly TenantSource[]): string {
  const { authority, variable } = fields;
  if (event === 'config.secret_missing' && typeof authority === 'string' && typeof variable === 'string') {
    for (const { file, tenant } of sources) {
      const index = tenant.authorities.findIndex((a) => a.id === authority);
      const found = tenant.authorities[index];
      if (!found) continue;
      const pointer = pointerOfVariable(found.delivery, variable, `/authorities/${index}/delivery`) ?? `/authorities/${index}`;
      return problem(file, pointer, `${variable} is not set in the environment; deliveries to "${authority}" would wait and retry until it is`);
    }
  }
  return `${event} ${JSON.stringify(fields)}`;
}

function summaryOf(files: OperatorFiles | undefined, problems: number, warnings: number): Record<string, number | string> {
  if (!files) return { problems, warnings };
  const tenants = files.tenants.map((s) => s.tenant);
  return {
    problems,
    warnings,
    forms: files.forms.ids().length,
    tenants: tenants.length,
    municipalities: tenants.reduce((sum, t) => sum + t.municipalities.length, 0),
    authorities: tenants.reduce((sum, t) => sum + t.authorities.length, 0),
    siteTenant: files.siteTenant.id,
  };
}

const count = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

async function run(input: CliInput): Promise<CliResult> {
  if (input.args.length > 0) return { exitCode: 1, stdout: '', problems: [`efa-forms check: unexpected argument "${input.args[0] ?? ''}" (see efa-forms check --help)`] };
  const problems: string[] = [];
  const logged: Logged[] = [];
  let sources: readonly TenantSource[] = [];
  let files: OperatorFiles | undefined;
  try {
    const config = loadConfig({ ...input.env, FORMS_DIR: input.formsDir, TENANTS_DIR: input.tenantsDir });
    files = await loadOperatorFiles(config, input.env, collectingLogger(logged)).catch(async (err: unknown) => {
      // Warnings logged before another part failed still name their tenant file and pointer.
      sources = await loadTenantFiles(config.tenantsDir).catch(() => []);
      throw err;
    });
    // The agents of http authorities would keep the process alive; the check sends nothing.
    files.credentials.close();
  } catch (err) {
    if (err instanceof StartupError) problems.push(...err.problems);
    else if (err instanceof ConfigError) problems.push(`configuration error: ${err.message}`);
    else throw err;
  }
  const warnings = files
    ? [...logged.map((l) => describeLogged(l, files.tenants)), ...tenantWarnings(files.tenants, files.routing, files.forms.ids(), input.now())]
    : logged.map((l) => describeLogged(l, sources));
  const ok = problems.length === 0;
  const summary = summaryOf(files, problems.length, warnings.length);

  const stdout = input.json
    ? `${JSON.stringify({ ok, problems, warnings, summary }, null, 2)}\n`
    : ok && files
      ? `ok: ${count(files.forms.ids().length, 'form', 'forms')}, ${count(files.tenants.length, 'tenant', 'tenants')} (${count(Number(summary.municipalities), 'municipality', 'municipalities')}, `
        + `${count(Number(summary.authorities), 'authority', 'authorities')}), site tenant ${files.siteTenant.id}; ${count(warnings.length, 'warning', 'warnings')}\n`
      : `not ok: ${count(problems.length, 'problem', 'problems')}, ${count(warnings.length, 'warning', 'warnings')}\n`;
  return { exitCode: ok ? 0 : 1, stdout, problems, notes: warnings.map((w) => `warning: ${w}`) };
}

export const checkCommand: CliCommand = {
  name: 'check',
  summary: 'Check settings, forms, tenants and templates as the server does at start-up, with warnings',
  help: HELP,
  valueOptions: [],
  flags: [],
  run,
};
