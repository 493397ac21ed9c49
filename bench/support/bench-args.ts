/**
 * The command line of `npm run bench`: `--only a,b` (or `--only=a,b`) and `--json`. Anything
 * else is a usage error (exit code 2): a mistyped `--jsno` must not print a table that a script
 * then fails to parse.
 */
export class UsageError extends Error {}

export interface BenchArgs {
  /** The benches to run, in the usual order; all of them without `--only`. */
  readonly only: ReadonlySet<string>;
  /** One JSON object on stdout instead of the table (bench/README.md). */
  readonly json: boolean;
}

export function parseBenchArgs(args: readonly string[], names: readonly string[]): BenchArgs {
  let json = false;
  let only: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--json') json = true;
    else if (arg === '--only') {
      only = args[i + 1] ?? '';
      i++;
    } else if (arg.startsWith('--only=')) only = arg.slice('--only='.length);
    else throw new UsageError(`unknown argument ${arg} (the bench takes --only <names> and --json)`);
  }
  if (only === undefined) return { only: new Set(names), json };
  const wanted = only.split(',').map((n) => n.trim()).filter(Boolean);
  const unknown = wanted.filter((n) => !names.includes(n));
  if (wanted.length === 0 || unknown.length > 0) {
    throw new UsageError(`--only takes a comma-separated list of ${names.join(', ')}${unknown.length > 0 ? ` (unknown: ${unknown.join(', ')})` : ''}`);
  }
  return { only: new Set(wanted), json };
}
