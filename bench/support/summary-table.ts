/**
 * The table `npm run bench` prints at the end: every figure of every bench with its unit, its
 * target and whether the target is met, each bench's notes under its figures, then the total.
 * The column widths follow the longest entry, so the table stays aligned whatever ran.
 */
import type { BenchFigure, Target } from './figures';
import { runPasses, type BenchOutcome } from './bench-report';

const grouped = (digits: number) => new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** Ratios with 2 decimals, counts and bytes whole, everything else with ~3 significant digits. */
export function formatValue(value: number | null, unit: string): string {
  if (value === null) return 'n/a';
  if (unit === 'ratio') return grouped(2).format(value);
  if (unit === 'count' || unit === 'bytes') return grouped(0).format(value);
  const size = Math.abs(value);
  return grouped(size >= 100 ? 0 : size >= 10 ? 1 : 2).format(value);
}

/** `≥ 0.50`, `≤ 50`, `≤ 65,536`: whole targets without decimals, ratios always with two. */
export function formatTarget(target: Target | undefined, unit: string): string {
  if (!target) return '—';
  const value = unit !== 'ratio' && Number.isInteger(target.value) ? grouped(0).format(target.value) : formatValue(target.value, unit);
  return `${target.op === '>=' ? '≥' : '≤'} ${value}`;
}

export function verdict(f: BenchFigure): 'PASS' | 'FAIL' | '—' {
  if (f.pass === undefined) return '—';
  return f.pass ? 'PASS' : 'FAIL';
}

const cellsOf = (f: BenchFigure): readonly string[] => [f.key, formatValue(f.value, f.unit), f.unit, formatTarget(f.target, f.unit), verdict(f), f.label];

export function formatSummaryTable(outcomes: readonly BenchOutcome[], durationS: number): string[] {
  const head = ['figure', 'value', 'unit', 'target', 'result', 'what'];
  const rows = outcomes.flatMap((o) => o.figures.map(cellsOf));
  const widths = [0, 1, 2, 3, 4].map((column) => Math.max(head[column]!.length, ...rows.map((r) => r[column]!.length)));
  const line = (cells: readonly string[]) => [
    cells[0]!.padEnd(widths[0]!),
    cells[1]!.padStart(widths[1]!),
    cells[2]!.padEnd(widths[2]!),
    cells[3]!.padEnd(widths[3]!),
    cells[4]!.padEnd(widths[4]!),
    cells[5]!,
  ].join('  ');

  const lines = ['', 'Summary: every figure with its target (PASS: met, FAIL: not met, —: no target)', line(head)];
  for (const outcome of outcomes) {
    for (const f of outcome.figures) lines.push(line(cellsOf(f)));
    // An error of several lines (a start-up refusal lists every problem) stays indented.
    if (outcome.error !== undefined) lines.push(`  ${outcome.name} FAILED: ${outcome.error.split('\n').join('\n    ')}`);
    for (const note of outcome.notes) lines.push(`  ${outcome.name}: ${note}`);
  }
  const targets = outcomes.flatMap((o) => o.figures).filter((f) => f.pass !== undefined);
  const met = targets.filter((f) => f.pass).length;
  const failedBenches = outcomes.filter((o) => o.error !== undefined).map((o) => o.name);
  lines.push('', `total wall time ${formatValue(durationS, 's')} s; targets: ${met} of ${targets.length} met`
    + `${failedBenches.length > 0 ? `; failed benches: ${failedBenches.join(', ')}` : ''}; run ${runPasses(outcomes) ? 'PASS' : 'FAIL'}`);
  return lines;
}
