/**
 * What one `npm run bench` run produced, bench by bench, and the one JSON object `--json`
 * prints (documented key by key in bench/README.md; `version` changes when its shape does).
 * Kept apart from index.ts so that the assembly is unit-tested without running a bench.
 */
import os from 'node:os';
import { figure, type BenchFigure, type BenchResult, type Target } from './figures';

/** One bench of the run: its figures (its wall time last), notes, and the error if it failed. */
export interface BenchOutcome {
  readonly name: string;
  readonly figures: readonly BenchFigure[];
  readonly notes: readonly string[];
  /** The failed bench's error message; its figures are then only its wall time. */
  readonly error?: string;
}

/** The machine the figures were measured on: they mean little without it. */
export interface MachineInfo {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryMB: number;
  readonly node: string;
  /** 1-minute load average when the run started: above ~0.5 the machine was not quiet. */
  readonly loadAverageBefore: number;
}

export interface JsonFigure {
  readonly value: number | null;
  readonly unit: string;
  readonly target: Target | null;
  /** null: the figure has no target. */
  readonly pass: boolean | null;
}

export interface BenchReport {
  readonly version: 1;
  readonly startedAt: string;
  readonly machine: MachineInfo;
  readonly durationS: number;
  readonly benches: Readonly<Record<string, { readonly notes: readonly string[]; readonly error?: string }>>;
  readonly figures: Readonly<Record<string, JsonFigure>>;
  /** Every target met and no bench failed. */
  readonly pass: boolean;
}

export function describeMachine(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpus: os.availableParallelism(),
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryMB: Math.round(os.totalmem() / 1024 / 1024),
    node: process.version,
    loadAverageBefore: os.loadavg()[0] ?? 0,
  };
}

/** The outcome of a bench that returned: its figures and `<name>.wallS`. */
export function succeeded(name: string, result: BenchResult, wallS: number): BenchOutcome {
  return { name, figures: [...result.figures, wallTime(name, wallS)], notes: [...(result.notes ?? [])] };
}

/** The outcome of a bench that threw: only its wall time, and the error. */
export function failed(name: string, error: unknown, wallS: number): BenchOutcome {
  const message = error instanceof Error ? error.message : String(error);
  return { name, figures: [wallTime(name, wallS)], notes: [], error: message };
}

function wallTime(name: string, wallS: number): BenchFigure {
  return figure(`${name}.wallS`, `wall time of the ${name} bench`, wallS, 's');
}

/** Whether the run met every target: a failed bench or a figure that missed its target fails it. */
export function runPasses(outcomes: readonly BenchOutcome[]): boolean {
  return outcomes.every((o) => o.error === undefined && o.figures.every((f) => f.pass !== false));
}

/**
 * The `--json` object. Throws when a key is used twice or does not start with its bench's name:
 * keys are what scripts compare between runs, so a clash is a bug in a bench, not a figure.
 */
export function assembleReport(run: { readonly startedAt: Date; readonly machine: MachineInfo; readonly durationS: number; readonly outcomes: readonly BenchOutcome[] }): BenchReport {
  const benches: Record<string, { notes: readonly string[]; error?: string }> = {};
  const figures: Record<string, JsonFigure> = {};
  for (const outcome of run.outcomes) {
    benches[outcome.name] = outcome.error === undefined ? { notes: outcome.notes } : { notes: outcome.notes, error: outcome.error };
    for (const f of outcome.figures) {
      if (!f.key.startsWith(`${outcome.name}.`)) throw new Error(`figure key ${f.key} of the ${outcome.name} bench does not start with "${outcome.name}."`);
      if (Object.hasOwn(figures, f.key)) throw new Error(`figure key ${f.key} is used twice`);
      figures[f.key] = { value: f.value, unit: f.unit, target: f.target ?? null, pass: f.pass ?? null };
    }
  }
  return {
    version: 1,
    startedAt: run.startedAt.toISOString(),
    machine: run.machine,
    durationS: run.durationS,
    benches,
    figures,
    pass: runPasses(run.outcomes),
  };
}
