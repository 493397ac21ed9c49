import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { SAMPLE_FORMS } from '../support/test-setup';
import type { ApiCase, FuzzCase } from './cases';
import { withExampleUploads } from './example-uploads';
import { loadCatalog, type CatalogForm } from './form-catalog';
import { startFuzzServer } from './fuzz-server';
import { generateCase, isGiantIndex, type RunShape } from './generate';
import { createTarget } from './http-client';
import { runPageCase } from './page-visit';
import { classify, percentile, type Failure, type FailureClass, type Figures } from './results';
import { DEFAULT_LIMITS, FuzzSession, problemHint, type Limits } from './session';

/**
 * A bounded, seeded fuzz run against the real server in this process: cases are generated one
 * by one, sent over HTTP to 127.0.0.1 with bounded concurrency (large cases alone), every answer
 * and every accepted submission checked; the run ends after `cases` cases and a bounded wait
 * for the deliveries.
 */
export interface FuzzOptions {
  readonly seed: number;
  readonly cases: number;
  /** Large cases (giant arrays, strings, pages, gzip bomb), spread over the run. */
  readonly giantCases: number;
  readonly concurrency: number;
  readonly pageShare?: number;
  readonly limits?: Partial<Limits>;
  /** Run only these case numbers (to reproduce a failure); the rest of the shape is unchanged. */
  readonly only?: readonly number[];
  /** Progress lines (every few hundred cases). */
  readonly progress?: (line: string) => void;
}

export interface FuzzReport {
  readonly figures: Figures;
  readonly failures: readonly Failure[];
  readonly classes: readonly FailureClass[];
  /** Error lines the server logged, grouped: event, route and message with their count. */
  readonly serverErrors: ReadonlyArray<{ readonly line: string; readonly count: number }>;
}

export const PAGE_SHARE = 0.35;
const STALL_TICK_MS = 50;

async function runApiCase(session: FuzzSession, fuzzCase: ApiCase): Promise<void> {
  const route = fuzzCase.request.path.startsWith('/api/forms/') && fuzzCase.request.method === 'POST'
    ? 'POST /api/forms/:id/submissions' : `${fuzzCase.request.method} ${fuzzCase.request.path.split('?')[0]!.replace(/^\/api\/submissions\/[^/]+/, '/api/submissions/:id').replace(/^\/api\/forms\/[^/]+$/, '/api/forms/:id')}`.slice(0, 60);
  const request = await withExampleUploads(session.server, fuzzCase.form, fuzzCase.request);
  const answer = await session.exchange(fuzzCase, route, request);
  if (fuzzCase.expect === 'accepted' && answer.status !== 201) session.fail(fuzzCase, route, 'valid example not accepted', answer, problemHint(answer));
  if (fuzzCase.expect === 'refused' && answer.status >= 200 && answer.status < 300) session.fail(fuzzCase, route, 'accepted what must be refused', answer);
  if (answer.status !== 201) return;
  let accepted: { id?: unknown; receiptUrl?: unknown };
  try {
    accepted = JSON.parse(answer.body.toString('utf8')) as typeof accepted;
  } catch {
    session.fail(fuzzCase, route, '201 without a JSON body', answer);
    return;
  }
  if (typeof accepted.id !== 'string' || typeof accepted.receiptUrl !== 'string') {
    session.fail(fuzzCase, route, '201 without id and receiptUrl', answer);
    return;
  }
  await session.checkAccepted(fuzzCase, route, accepted.id, accepted.receiptUrl, request);
}

/** Resolves to `true` when the work finished within ms, `false` when it did not (it is left running). */
/**
 * CPU time of this process's main thread (the event loop's) in ms: on Linux from
 * /proc/self/task/<pid>/stat (utime + stime, in clock ticks of 10 ms), elsewhere the whole
 * process's (which includes GC and thread-pool threads, so it errs towards blaming us).
 */
function mainThreadCpuMs(): number {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  }
}

async function within(ms: number, work: Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([work.then(() => true as const), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** A case that has not finished after this long (every request has its own time-out) is hung. */
const CASE_TIMEOUT_MS = 180_000;
/** After this many hung cases the server is taken to hang as a whole and the run stops. */
const MAX_HUNG_CASES = 3;

async function runCase(session: FuzzSession, fuzzCase: FuzzCase, forms: readonly CatalogForm[]): Promise<void> {
  session.inFlight.set(fuzzCase.index, fuzzCase);
  try {
    const work = fuzzCase.kind === 'api' ? runApiCase(session, fuzzCase) : runPageCase(session, fuzzCase, forms);
    if (!(await within(CASE_TIMEOUT_MS, work))) {
      session.hungCases++;
      session.fail(fuzzCase, 'case', `case did not finish within ${CASE_TIMEOUT_MS / 1000} s`, { status: 0, bytes: 0, ms: CASE_TIMEOUT_MS });
    }
  } catch (err) {
    // A check of ours that threw: reported like any failure, the run goes on.
    session.fail(fuzzCase, 'fuzzer', 'case threw', undefined, err instanceof Error ? `${err.name}: ${err.message}`.slice(0, 160) : String(err));
  } finally {
    session.inFlight.delete(fuzzCase.index);
  }
}

function groupServerErrors(lines: ReadonlyArray<{ level: string; event: string; fields: Readonly<Record<string, unknown>> }>): Array<{ line: string; count: number }> {
  const counts = new Map<string, number>();
  for (const l of lines) {
    if (l.level !== 'error' && !(l.level === 'warn' && l.event.startsWith('delivery.'))) continue;
    const text = (name: string) => {
      const value = l.fields[name];
      return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
    };
    const error = text('error').split('\n')[0]!.slice(0, 140);
    const key = [`${l.level} ${l.event}`, text('method'), text('route')].filter(Boolean).join(' ') + (error ? `: ${error}` : '');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([line, count]) => ({ line, count })).sort((a, b) => b.count - a.count);
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const limits: Limits = { ...DEFAULT_LIMITS, ...options.limits };
  const began = performance.now();
  const server = await startFuzzServer();
  const session = new FuzzSession(server, createTarget(server.port, options.concurrency * 2), limits);
  const forms = loadCatalog(server.container.forms, SAMPLE_FORMS);
  const shape: RunShape = { seed: options.seed, cases: options.cases, giantCases: options.giantCases, pageShare: options.pageShare ?? PAGE_SHARE };
  const ctx = { forms, bodyLimitBytes: server.bodyLimitBytes };
  const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).join();

  // The process must survive every case: anything thrown out of a callback is a failure.
  const crashes: string[] = [];
  const onCrash = (err: unknown) => crashes.push(err instanceof Error ? `${err.name}: ${err.message}`.slice(0, 200) : String(err));
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);

  // Event-loop delay: the histogram for the figures, a ticking timer to blame the cases in flight.
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  let lastTick = performance.now();
  let lastCpu = mainThreadCpuMs();
  // Building a giant case (a 64 MiB gzip bomb) is the fuzzer's own work: not measured.
  let measuring = true;
  const stalls: Array<{ lag: number; cpuMs: number; cases: FuzzCase[] }> = [];
  const ticker = setInterval(() => {
    const now = performance.now();
    const cpu = mainThreadCpuMs();
    const lag = now - lastTick - STALL_TICK_MS;
    lastTick = now;
    // A stall counts only when the event loop's thread spent the time computing: on a machine
    // busy with other work (CI running beside other jobs) the loop also "stalls" while the thread
    // simply gets no CPU, which says nothing about our code. Its own CPU time over the gap must
    // itself exceed the limit (the process's would also count GC and thread-pool threads).
    const cpuMs = cpu - lastCpu;
    lastCpu = cpu;
    if (measuring && lag > limits.eventLoopMs && cpuMs > limits.eventLoopMs) stalls.push({ lag, cpuMs, cases: [...session.inFlight.values()] });
  }, STALL_TICK_MS);
  ticker.unref();

  const only = options.only ? new Set(options.only) : undefined;
  let ran = 0;
  try {
    const running = new Set<Promise<void>>();
    for (let index = 0; index < options.cases; index++) {
      if (only && !only.has(index)) continue;
      if (session.hungCases >= MAX_HUNG_CASES) {
        session.fail(generateCase(ctx, shape, index), 'run', `stopped after ${MAX_HUNG_CASES} hung cases`);
        break;
      }
      if (isGiantIndex(shape, index)) {
        // Alone: nothing else in flight while it is built and while it runs.
        await Promise.all(running);
        measuring = false;
        histogram.disable();
        const fuzzCase = generateCase(ctx, shape, index);
        histogram.enable();
        lastTick = performance.now();
        measuring = true;
        ran++;
        await runCase(session, fuzzCase, forms);
      } else {
        const fuzzCase = generateCase(ctx, shape, index);
        ran++;
        while (running.size >= options.concurrency) await Promise.race(running);
        const promise: Promise<void> = runCase(session, fuzzCase, forms).finally(() => running.delete(promise));
        running.add(promise);
      }
      if (ran % 250 === 0) {
        options.progress?.(`… ${ran} cases, ${session.requests} requests, ${session.failures.length} failures, ${Math.round((performance.now() - began) / 1000)} s`);
        await session.verifyDeliveries(false);
      }
    }
    await Promise.all(running);

    const end = { index: -1, form: '-', mutation: '-', description: 'after the run', kind: 'api', giant: false, request: { method: 'GET', path: '', headers: {} } } as FuzzCase;
    // Every accepted submission must reach the receiver; wait a bounded time for the worker.
    const deadline = performance.now() + limits.deliveryWaitMs;
    const settled = within(limits.deliveryWaitMs + 60_000, (async () => {
      for (;;) {
        await session.verifyDeliveries(false);
        if (session.pending.length === 0 || performance.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      await session.verifyDeliveries(true);
    })());
    if (!(await settled)) session.fail(end, 'store', 'checking the deliveries did not finish (store hangs)');

    const health = await session.exchange(end, 'GET /healthz', { method: 'GET', path: '/healthz', headers: {} });
    if (health.status !== 200) session.fail(end, 'GET /healthz', 'server not healthy after the run', health);
    if (Object.getOwnPropertyNames(Object.prototype).join() !== prototypeKeys || ({} as Record<string, unknown>).polluted !== undefined) {
      session.fail(end, 'process', 'Object.prototype was changed', undefined, Object.getOwnPropertyNames(Object.prototype).join().slice(0, 160));
    }
    for (const crash of crashes) session.fail(end, 'process', 'uncaught exception', undefined, crash);
    for (const stall of stalls) {
      const blamed = stall.cases.length > 0 ? stall.cases : [end];
      for (const c of blamed) session.fail(c, 'event loop', `event loop blocked longer than ${limits.eventLoopMs} ms`, { status: 0, bytes: 0, ms: stall.lag }, `${Math.round(stall.lag)} ms (${Math.round(stall.cpuMs)} ms of CPU) with ${stall.cases.length} case(s) in flight`);
    }
  } finally {
    clearInterval(ticker);
    histogram.disable();
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
    session.target.agent.destroy();
    if (!(await within(30_000, server.close()))) {
      session.fail({ index: -1, form: '-', mutation: '-', description: 'after the run', kind: 'api', giant: false, request: { method: 'GET', path: '', headers: {} } }, 'process', 'server did not close within 30 s');
    }
  }

  const statuses: Record<string, number> = {};
  for (const [status, count] of [...session.statuses].sort(([a], [b]) => a - b)) statuses[String(status)] = count;
  const figures: Figures = {
    seed: options.seed, cases: ran, requests: session.requests, statuses, accepted: session.accepted, delivered: session.delivered,
    maxBytes: session.maxBytes, maxBytesAt: session.maxBytesAt, maxMs: session.maxMs, maxMsAt: session.maxMsAt,
    p50Ms: percentile(session.times, 50), p99Ms: percentile(session.times, 99),
    eventLoopMaxMs: histogram.max / 1e6, eventLoopP99Ms: histogram.percentile(99) / 1e6,
    wallSeconds: (performance.now() - began) / 1000, failures: session.failures.length,
  };
  return { figures, failures: session.failures, classes: classify(session.failures), serverErrors: groupServerErrors(server.container.logger.lines) };
}
