/**
 * What every bench returns: its figures, each with a stable key (the `--json` output's and
 * bench/README.md's), a unit and, where an issue sets one, the target it is checked against.
 * index.ts prints all of them as one table at the end and, with `--json`, as one JSON object.
 */
export interface Target {
  /** `>=`: the figure must reach the value; `<=`: it must stay at or below it. */
  readonly op: '>=' | '<=';
  readonly value: number;
}

export interface BenchFigure {
  /** Stable, dotted, `<bench>.<figure>` (e.g. `pages.questionGet.ratio`); documented in bench/README.md. */
  readonly key: string;
  /** What a reader of the table sees. */
  readonly label: string;
  /** null: not measured (the bench says why in its notes). */
  readonly value: number | null;
  /** `req/s`, `ms`, `MB`, `s`, `ratio`, `count`, `deliveries/s`, … */
  readonly unit: string;
  readonly target?: Target;
  /** Whether the target is met; absent when the figure has none. A null value never passes. */
  readonly pass?: boolean;
}

export interface BenchResult {
  /** The bench's name as `--only` takes it. */
  readonly name: string;
  readonly figures: readonly BenchFigure[];
  /** Lines worth printing under the table (settings used, why a figure is null). */
  readonly notes?: readonly string[];
}

/** One figure, with `pass` worked out from its target. */
export function figure(key: string, label: string, value: number | null, unit: string, target?: Target): BenchFigure {
  if (value !== null && !Number.isFinite(value)) value = null;
  if (!target) return { key, label, value, unit };
  const pass = value !== null && (target.op === '>=' ? value >= target.value : value <= target.value);
  return { key, label, value, unit, target, pass };
}
