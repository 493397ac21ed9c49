import type { FuzzCase } from './cases';

/**
 * What a run found: one Failure per broken promise, grouped into classes for the report, and
 * the figures (status counts, sizes, times, event-loop delay).
 */
export interface Failure {
  readonly index: number;
  readonly form: string;
  readonly mutation: string;
  readonly description: string;
  /** e.g. `POST /api/forms/:id/submissions`, `GET receipt`, `POST /forms/:id/steps/:step`. */
  readonly route: string;
  /** e.g. `5xx`, `answer too large`, `slow answer`, `not delivered`. */
  readonly problem: string;
  readonly status: number;
  readonly bytes: number;
  readonly ms: number;
  /** A short hint: the problem code, the first error pointer, a tool's message. Never a body. */
  readonly detail?: string;
}

export interface FailureClass {
  readonly problem: string;
  readonly route: string;
  readonly mutation: string;
  readonly status: number;
  readonly count: number;
  readonly maxBytes: number;
  readonly maxMs: number;
  /** The first few cases of the class, to run again with --case. */
  readonly examples: readonly Failure[];
}

export interface Figures {
  readonly seed: number;
  readonly cases: number;
  readonly requests: number;
  readonly statuses: Readonly<Record<string, number>>;
  readonly accepted: number;
  readonly delivered: number;
  readonly maxBytes: number;
  readonly maxBytesAt: string;
  readonly maxMs: number;
  readonly maxMsAt: string;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly eventLoopMaxMs: number;
  readonly eventLoopP99Ms: number;
  readonly wallSeconds: number;
  readonly failures: number;
}

export function failureOf(fuzzCase: FuzzCase, route: string, problem: string, answer: { status: number; bytes: number; ms: number }, detail?: string): Failure {
  return {
    index: fuzzCase.index, form: fuzzCase.form, mutation: fuzzCase.mutation, description: fuzzCase.description,
    route, problem, status: answer.status, bytes: answer.bytes, ms: Math.round(answer.ms), ...(detail !== undefined ? { detail } : {}),
  };
}

export function classify(failures: readonly Failure[], examplesPerClass = 3): FailureClass[] {
  const classes = new Map<string, { problem: string; route: string; mutation: string; status: number; count: number; maxBytes: number; maxMs: number; examples: Failure[] }>();
  for (const f of failures) {
    const key = `${f.problem}\u0000${f.route}\u0000${f.mutation}\u0000${f.status}`;
    const c = classes.get(key) ?? { problem: f.problem, route: f.route, mutation: f.mutation, status: f.status, count: 0, maxBytes: 0, maxMs: 0, examples: [] };
    c.count++;
    c.maxBytes = Math.max(c.maxBytes, f.bytes);
    c.maxMs = Math.max(c.maxMs, f.ms);
    if (c.examples.length < examplesPerClass) c.examples.push(f);
    classes.set(key, c);
  }
  return [...classes.values()].sort((a, b) => b.count - a.count || a.problem.localeCompare(b.problem));
}

/** Nearest-rank percentile of unsorted values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function size(bytes: number): string {
  return bytes >= 1048576 ? `${(bytes / 1048576).toFixed(1)} MiB` : bytes >= 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${bytes} B`;
}

/** The one line of figures. */
export function figuresLine(f: Figures): string {
  const statuses = Object.entries(f.statuses).sort(([a], [b]) => Number(a) - Number(b)).map(([s, n]) => `${s}:${n}`).join(' ');
  return `fuzz seed=${f.seed} cases=${f.cases} requests=${f.requests} statuses{${statuses}} accepted=${f.accepted} delivered=${f.delivered} `
    + `maxAnswer=${size(f.maxBytes)} (${f.maxBytesAt}) maxTime=${Math.round(f.maxMs)}ms (${f.maxMsAt}) p50=${f.p50Ms.toFixed(1)}ms p99=${f.p99Ms.toFixed(1)}ms `
    + `eventLoopMax=${Math.round(f.eventLoopMaxMs)}ms eventLoopP99=${f.eventLoopP99Ms.toFixed(1)}ms wall=${f.wallSeconds.toFixed(1)}s failures=${f.failures}`;
}

export function describeFailure(f: Failure): string {
  return `#${f.index} ${f.route} ${f.status} ${size(f.bytes)} ${f.ms}ms [${f.form}] ${f.mutation}: ${f.description}${f.detail ? ` — ${f.detail}` : ''}`;
}

/** The failure classes, one paragraph each, largest first. */
export function classesReport(classes: readonly FailureClass[], maxClasses = 40): string {
  const lines: string[] = [];
  for (const c of classes.slice(0, maxClasses)) {
    lines.push(`${c.count}× ${c.problem} — ${c.route} status ${c.status} — ${c.mutation} (max ${size(c.maxBytes)}, ${c.maxMs} ms)`);
    for (const e of c.examples) lines.push(`    ${describeFailure(e)}`);
  }
  if (classes.length > maxClasses) lines.push(`… and ${classes.length - maxClasses} more classes`);
  return lines.join('\n');
}
