import type { DeliveryReceiver } from './delivery-receiver';
import { figure, type BenchFigure } from './figures';
import { percentile, type LoadResult } from './submission-load';

/** One configuration's figures, as the scale bench prints and returns them (keys are stable). */
export interface ScaleFigures {
  readonly key: 'sqlite-1' | 'postgres-1web-1worker' | 'postgres-2web-2worker';
  readonly label: string;
  readonly durationS: number;
  /** 201s per second of load. */
  readonly acceptedPerS: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Distinct submissions that reached the receiver while the load ran, per second of load. */
  readonly deliveredPerSDuringLoad: number;
  /** Distinct submissions delivered, per second from the load's start to the last delivery. */
  readonly deliveredPerSOverall: number;
  /** Seconds from the load's end until the last accepted submission arrived; null: not within the deadline. */
  readonly drainS: number | null;
  readonly accepted: number;
  /** Distinct submissions delivered (including ones whose 201 the load generator never saw). */
  readonly delivered: number;
  /** Accepted (201 seen) but not delivered when the bench stopped waiting: must be 0. */
  readonly lost: number;
  /** Delivered, but the 201 was not seen: requests cut off when the load stopped. Not a loss. */
  readonly deliveredWithout201: number;
  /** Second and later deliveries of one submission (at-least-once resends). */
  readonly repeatedDeliveries: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  /** CPU seconds used while the load ran, by role; the machine had `cores × durationS` in all. */
  readonly cpuSeconds: {
    readonly web: number; readonly worker: number; readonly postgres: number | null; readonly bench: number;
    /** The whole machine (all processes, other users' included); null without /proc. */
    readonly machine: number | null;
  };
  /** 1-minute load average before and right after the load. */
  readonly loadAverage: { readonly before: number; readonly after: number };
  /** warn/error log events of the processes, by event name. */
  readonly problems: Readonly<Record<string, number>>;
}

export interface ScaleMeasurement {
  readonly load: LoadResult;
  readonly receiver: DeliveryReceiver;
  /** Reference numbers accepted outside the load (the bench's check before it). */
  readonly alsoAccepted: readonly string[];
}

/** The figures that follow from one load and what the receiver saw until the bench stopped waiting. */
export function computeFigures(m: ScaleMeasurement): Pick<ScaleFigures, 'durationS' | 'acceptedPerS' | 'p50Ms' | 'p99Ms' | 'deliveredPerSDuringLoad' | 'deliveredPerSOverall' | 'drainS' | 'accepted' | 'delivered' | 'lost' | 'deliveredWithout201' | 'repeatedDeliveries' | 'non2xx' | 'errors' | 'timeouts'> {
  const { load, receiver } = m;
  const durationS = (load.endedAt - load.startedAt) / 1000;
  const acceptedIds = new Set([...load.accepted, ...m.alsoAccepted]);
  let lost = 0;
  let lastAccepted = load.startedAt;
  for (const id of acceptedIds) {
    const at = receiver.firstArrival.get(id);
    if (at === undefined) lost++;
    else lastAccepted = Math.max(lastAccepted, at);
  }
  let duringLoad = 0;
  let last = load.startedAt;
  for (const at of receiver.firstArrival.values()) {
    if (at >= load.startedAt && at <= load.endedAt) duringLoad++;
    last = Math.max(last, at);
  }
  let deliveredWithout201 = 0;
  for (const id of receiver.firstArrival.keys()) if (!acceptedIds.has(id)) deliveredWithout201++;
  let non2xx = 0;
  for (const [status, count] of load.statuses) if (status < 200 || status > 299) non2xx += count;
  const delivered = receiver.firstArrival.size;
  return {
    durationS,
    acceptedPerS: load.accepted.length / durationS,
    p50Ms: percentile(load.latenciesMs, 0.5),
    p99Ms: percentile(load.latenciesMs, 0.99),
    deliveredPerSDuringLoad: duringLoad / durationS,
    deliveredPerSOverall: last > load.startedAt ? delivered / ((last - load.startedAt) / 1000) : 0,
    drainS: lost > 0 ? null : Math.max(0, lastAccepted - load.endedAt) / 1000,
    accepted: acceptedIds.size,
    delivered,
    lost,
    deliveredWithout201,
    repeatedDeliveries: receiver.repeats(),
    non2xx,
    errors: load.errors,
    timeouts: load.timeouts,
  };
}

const num = (value: number, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

/** The table of the scale bench, one line per configuration, then where the CPU went. */
export function formatScaleTable(rows: readonly ScaleFigures[], cores: number): string[] {
  const head = `${'configuration'.padEnd(30)} ${'accepted/s'.padStart(10)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'delivered/s load / overall'.padStart(27)} ${'drain s'.padStart(8)} ${'lost'.padStart(5)} ${'non-2xx'.padStart(8)} ${'errors'.padStart(7)}`;
  const lines = [head];
  for (const r of rows) {
    lines.push(`${r.label.padEnd(30)} ${num(r.acceptedPerS).padStart(10)} ${num(r.p50Ms).padStart(7)} ${num(r.p99Ms).padStart(7)} ${`${num(r.deliveredPerSDuringLoad)} / ${num(r.deliveredPerSOverall)}`.padStart(27)} ${(r.drainS === null ? 'no' : num(r.drainS, 1)).padStart(8)} ${String(r.lost).padStart(5)} ${String(r.non2xx).padStart(8)} ${String(r.errors + r.timeouts).padStart(7)}`);
  }
  lines.push('');
  for (const r of rows) {
    const cpu = r.cpuSeconds;
    const ours = cpu.web + cpu.worker + (cpu.postgres ?? 0) + cpu.bench;
    const others = cpu.machine === null ? 'n/a' : num(Math.max(0, cpu.machine - ours), 1);
    const problems = Object.entries(r.problems).map(([event, count]) => `${event} ×${count}`).join(', ');
    lines.push(`${r.label}: ${r.accepted} accepted, ${r.delivered} delivered (${r.deliveredWithout201} without a seen 201, ${r.repeatedDeliveries} repeated); `
      + `CPU s in the ${num(r.durationS, 1)} s load (of ${num(cores * r.durationS)}): web ${num(cpu.web, 1)}, worker ${num(cpu.worker, 1)}, postgres ${cpu.postgres === null ? 'n/a' : num(cpu.postgres, 1)}, bench ${num(cpu.bench, 1)}, everything else on the machine ${others}; `
      + `load average ${num(r.loadAverage.before, 2)} before, ${num(r.loadAverage.after, 2)} after${problems ? `; warnings/errors: ${problems}` : ''}`);
  }
  return lines;
}

/** 2 web + 2 workers divided by SQLite single-process (issue 13's comparison). */
export interface ScaleRatios {
  readonly acceptedPerS: number;
  readonly deliveredPerSOverall: number;
  readonly deliveredPerSDuringLoad: number;
}

/** Target of issue 13: 2 web + 2 workers at least as fast as SQLite single-process. */
export const SCALE_TARGET_RATIO = 1;

export function scaleRatios(rows: readonly ScaleFigures[]): ScaleRatios {
  const sqlite = rows.find((r) => r.key === 'sqlite-1');
  const pg22 = rows.find((r) => r.key === 'postgres-2web-2worker');
  if (!sqlite || !pg22) throw new Error('the scale ratios need the sqlite-1 and postgres-2web-2worker configurations');
  return {
    acceptedPerS: pg22.acceptedPerS / sqlite.acceptedPerS,
    deliveredPerSOverall: pg22.deliveredPerSOverall / sqlite.deliveredPerSOverall,
    deliveredPerSDuringLoad: pg22.deliveredPerSDuringLoad / sqlite.deliveredPerSDuringLoad,
  };
}

/**
 * The scale bench's figures for the summary: per configuration `scale.<configuration>.<figure>`
 * (lost with the target 0), then the ratios with issue 13's target.
 */
export function scaleBenchFigures(rows: readonly ScaleFigures[], ratios: ScaleRatios): BenchFigure[] {
  const perConfiguration = rows.flatMap((r) => [
    figure(`scale.${r.key}.acceptedPerS`, `${r.label}: accepted`, r.acceptedPerS, 'submissions/s'),
    figure(`scale.${r.key}.p50Ms`, `${r.label}: submission p50`, r.p50Ms, 'ms'),
    figure(`scale.${r.key}.p99Ms`, `${r.label}: submission p99`, r.p99Ms, 'ms'),
    figure(`scale.${r.key}.deliveredPerSDuringLoad`, `${r.label}: delivered during the load`, r.deliveredPerSDuringLoad, 'deliveries/s'),
    figure(`scale.${r.key}.deliveredPerSOverall`, `${r.label}: delivered, start to last delivery`, r.deliveredPerSOverall, 'deliveries/s'),
    figure(`scale.${r.key}.drainS`, `${r.label}: last delivery after the load's end`, r.drainS, 's'),
    figure(`scale.${r.key}.lost`, `${r.label}: accepted but not delivered`, r.lost, 'count', { op: '<=', value: 0 }),
  ]);
  const target = { op: '>=', value: SCALE_TARGET_RATIO } as const;
  return [
    ...perConfiguration,
    figure('scale.ratio.acceptedPerS', '2 web + 2 workers / SQLite, accepted/s', ratios.acceptedPerS, 'ratio', target),
    figure('scale.ratio.deliveredPerSOverall', '2 web + 2 workers / SQLite, delivered/s overall', ratios.deliveredPerSOverall, 'ratio', target),
    figure('scale.ratio.deliveredPerSDuringLoad', '2 web + 2 workers / SQLite, delivered/s during load', ratios.deliveredPerSDuringLoad, 'ratio'),
  ];
}
