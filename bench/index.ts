/**
 * `npm run bench`: every benchmark of efa-forms, one after the other, then one table of every
 * figure with its target (bench/README.md). Performance goals live here, never in timed tests.
 * `npm run bench -- --only scale` (or `--only pages,receipt`) runs only the named ones, in this
 * order; `--json` prints one JSON object of the same figures on stdout instead of the table.
 * Exit code 0 when the benches ran (missed targets included: the run is a measurement), 1 when
 * a bench failed, 2 on a wrong command line.
 */
import { performance } from 'node:perf_hooks';
import { parseBenchArgs, UsageError } from './support/bench-args';
import { assembleReport, describeMachine, failed, succeeded, type BenchOutcome } from './support/bench-report';
import type { BenchResult } from './support/figures';
import { formatSummaryTable } from './support/summary-table';
import { benchHostile } from './hostile.bench';
import { benchOperators } from './operators.bench';
import { benchPages } from './pages.bench';
import { benchReceipt } from './receipt.bench';
import { benchScale } from './scale.bench';
import { benchThroughput } from './throughput.bench';
import { benchUploads } from './uploads.bench';

const BENCHES: ReadonlyArray<readonly [string, () => Promise<BenchResult>]> = [
  ['pages', benchPages],
  ['receipt', benchReceipt],
  ['hostile', benchHostile],
  ['operators', benchOperators],
  ['throughput', benchThroughput],
  ['scale', benchScale],
  ['uploads', benchUploads],
];

/** Writes the last output and exits once it is flushed (a pipe may take it in pieces). */
function finish(stdout: string, code: number): void {
  process.stdout.write(stdout, () => process.exit(code));
}

async function main(): Promise<void> {
  const args = parseBenchArgs(process.argv.slice(2), BENCHES.map(([name]) => name));
  if (args.json) {
    // The benches print their detail lines with console.log; with --json stdout carries the JSON
    // object alone, so those lines (every bench's, whoever wrote it) go to stderr instead.
    console.log = console.info = (...values: unknown[]) => console.error(...values);
  }
  const startedAt = new Date();
  const machine = describeMachine();
  const runStarted = performance.now();
  const outcomes: BenchOutcome[] = [];
  for (const [name, bench] of BENCHES) {
    if (!args.only.has(name)) continue;
    const started = performance.now();
    try {
      const result = await bench();
      outcomes.push(succeeded(name, result, (performance.now() - started) / 1000));
    } catch (err: unknown) {
      // The other benches still run: a failure late in a 5-minute run should not lose the figures.
      console.error(`npm run bench: the ${name} bench failed:`, err);
      outcomes.push(failed(name, err, (performance.now() - started) / 1000));
    }
  }
  const durationS = (performance.now() - runStarted) / 1000;
  const report = assembleReport({ startedAt, machine, durationS, outcomes });
  const table = formatSummaryTable(outcomes, durationS).join('\n');
  const code = outcomes.some((o) => o.error !== undefined) ? 1 : 0;
  if (args.json) {
    console.error(table);
    finish(`${JSON.stringify(report, null, 2)}\n`, code);
  } else {
    finish(`${table}\n`, code);
  }
}

main().catch((err: unknown) => {
  if (err instanceof UsageError) {
    console.error(`npm run bench: ${err.message}`);
    process.exit(2);
  }
  console.error(err);
  process.exit(1);
});
