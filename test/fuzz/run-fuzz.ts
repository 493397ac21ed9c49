import { parseArgs } from 'node:util';
import { loadFormRegistry } from '../../src/forms/form-registry';
import { SAMPLE_FORMS } from '../support/test-setup';
import { loadCatalog } from './form-catalog';
import { generateCase } from './generate';
import { classesReport, describeFailure, figuresLine } from './results';
import { PAGE_SHARE, runFuzz } from './runner';

/**
 * `npm run fuzz -- --cases N [--seed S]`: a longer fuzz run than the one in `npm test`.
 * Prints the figures, the failure classes and the first failing cases; exit code 0 when every
 * check held, 1 when any failed, 2 for a usage error.
 */
const USAGE = `usage: npm run fuzz -- [--cases N] [--seed S] [--giant G] [--concurrency C] [--case I[,I…]] [--json]

  --cases N        how many cases (default 2000)
  --seed S         seed of the run (default 1); the same seed gives the same cases
  --giant G        how many of them are giant payloads run alone (default: cases/400, at least 6)
  --concurrency C  requests in flight at once (default 4)
  --case I,J       run only these case numbers of the run (to reproduce a failure)
  --json           print the report as JSON instead of text
  --list           print the cases (number, kind, form, mutation, description) without running them

exit codes: 0 all checks held, 1 some failed, 2 usage error`;

/** The default BODY_LIMIT (1mb), which the listed cases are sized for. */
const BODY_LIMIT = 1024 * 1024;

function whole(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  if (!/^[0-9]+$/.test(raw) || Number(raw) < min) throw new Error(`--${name} must be a whole number of at least ${min}, not ${JSON.stringify(raw)}`);
  return Number(raw);
}

async function main(): Promise<number> {
  let options;
  try {
    const { values } = parseArgs({
      options: {
        cases: { type: 'string' }, seed: { type: 'string' }, giant: { type: 'string' }, concurrency: { type: 'string' },
        case: { type: 'string' }, json: { type: 'boolean' }, list: { type: 'boolean' }, help: { type: 'boolean' },
      },
      strict: true,
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const cases = whole('cases', values.cases, 2000, 1);
    const only = values.case?.split(',').map((c) => whole('case', c.trim(), 0, 0));
    options = {
      cases: only ? Math.max(cases, ...only.map((i) => i + 1)) : cases,
      seed: whole('seed', values.seed, 1, 0),
      giantCases: whole('giant', values.giant, Math.max(6, Math.round(cases / 400)), 0),
      concurrency: whole('concurrency', values.concurrency, 4, 1),
      json: values.json === true,
      list: values.list === true,
      ...(only ? { only } : {}),
    };
  } catch (err) {
    console.error(`fuzz: ${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
    return 2;
  }
  if (options.list) {
    const forms = loadCatalog(await loadFormRegistry(SAMPLE_FORMS), SAMPLE_FORMS);
    const shape = { seed: options.seed, cases: options.cases, giantCases: options.giantCases, pageShare: PAGE_SHARE };
    for (let i = 0; i < options.cases; i++) {
      if (options.only && !options.only.includes(i)) continue;
      const c = generateCase({ forms, bodyLimitBytes: BODY_LIMIT }, shape, i);
      console.log(`#${i} ${c.kind}${c.giant ? ' (giant)' : ''} [${c.form}] ${c.mutation}: ${c.description}`);
    }
    return 0;
  }
  const report = await runFuzz({ ...options, progress: (line) => console.error(line) });
  if (options.json) {
    console.log(JSON.stringify({ figures: report.figures, classes: report.classes, serverErrors: report.serverErrors }, null, 2));
  } else {
    console.log(figuresLine(report.figures));
    if (report.classes.length > 0) {
      console.log(`\nfailure classes (${report.classes.length}):\n${classesReport(report.classes)}`);
      console.log(`\nfirst failing cases:\n${report.failures.slice(0, 10).map((f) => `  ${describeFailure(f)}`).join('\n')}`);
      console.log(`\nrun one again: npm run fuzz -- --seed ${report.figures.seed} --cases ${options.cases} --giant ${options.giantCases} --case ${report.failures[0]!.index}`);
    }
    if (report.serverErrors.length > 0) {
      console.log(`\nserver log (errors, delivery warnings):\n${report.serverErrors.slice(0, 30).map((e) => `  ${e.count}× ${e.line}`).join('\n')}`);
    }
  }
  return report.failures.length > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
    // Should anything of the server still hold the event loop open, end anyway.
    setTimeout(() => process.exit(code), 5000).unref();
  },
  (err: unknown) => {
    console.error(`fuzz: the run itself failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 2;
  },
);
