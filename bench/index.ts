/**
 * `npm run bench`: every benchmark of efa-forms, one after the other. Performance goals live
 * here, never in timed tests. `npm run bench -- --only scale` (or `--only pages,receipt`) runs
 * only the named ones, in this order.
 */
import { benchHostile } from './hostile.bench';
import { benchOperators } from './operators.bench';
import { benchPages } from './pages.bench';
import { benchReceipt } from './receipt.bench';
import { benchScale } from './scale.bench';

const BENCHES: ReadonlyArray<readonly [string, () => Promise<unknown>]> = [
  ['pages', benchPages],
  ['receipt', benchReceipt],
  ['hostile', benchHostile],
  ['operators', benchOperators],
  ['scale', benchScale],
];

/** A wrong command line: one line and exit code 2, no stack trace. */
class UsageError extends Error {}

/** The benches `--only a,b` (or `--only=a,b`) names; all of them without it. */
function selected(args: readonly string[]): ReadonlySet<string> {
  const names = BENCHES.map(([name]) => name);
  const index = args.findIndex((a) => a === '--only' || a.startsWith('--only='));
  if (index === -1) return new Set(names);
  const arg = args[index]!;
  const value = arg === '--only' ? args[index + 1] : arg.slice('--only='.length);
  const wanted = (value ?? '').split(',').map((n) => n.trim()).filter(Boolean);
  const unknown = wanted.filter((n) => !names.includes(n));
  if (wanted.length === 0 || unknown.length > 0) {
    throw new UsageError(`--only takes a comma-separated list of ${names.join(', ')}${unknown.length > 0 ? ` (unknown: ${unknown.join(', ')})` : ''}`);
  }
  return new Set(wanted);
}

async function main(): Promise<void> {
  const only = selected(process.argv.slice(2));
  for (const [name, bench] of BENCHES) if (only.has(name)) await bench();
}

main().catch((err: unknown) => {
  if (err instanceof UsageError) {
    console.error(`npm run bench: ${err.message}`);
    process.exit(2);
  }
  console.error(err);
  process.exit(1);
});
