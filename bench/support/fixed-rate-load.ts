import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

/**
 * An open-loop load: POST number n is due at `startedAt + n / ratePerS` and is sent then,
 * whether or not earlier ones were answered, over a keep-alive agent (node:http). Each
 * latency is measured from the request's due time, not from when a socket took it, so time a
 * request waited behind slow answers (in the agent's queue when every socket is busy) counts:
 * a closed-loop load generator would instead slow down with the server and hide that wait
 * ("coordinated omission"). A request not answered within `timeoutMs` of its due time is
 * aborted and counts as failed with that latency.
 */
export interface Accepted {
  /** The submission number (bodyFor's n). */
  readonly n: number;
  /** The reference number of the 201. */
  readonly id: string;
  /** performance.now() of the answer. */
  readonly at: number;
}

export interface FixedRateResult {
  readonly ratePerS: number;
  readonly offered: number;
  /** Every 201 (grows while the load runs: the bench samples its length every second). */
  readonly accepted: readonly Accepted[];
  /** Answers by status code; -201 counts 201s whose body held no reference number. */
  readonly statuses: ReadonlyMap<number, number>;
  /** Requests that got no answer: socket errors and aborts after `timeoutMs`. */
  readonly failed: number;
  /** Latency of request n in ms from its due time to its answer (or failure). */
  readonly latencyMs: Float64Array;
  /** performance.now() of request 0's due time and of the last request's. */
  readonly startedAt: number;
  readonly offeredUntil: number;
  /** performance.now() when the last request was answered or failed. */
  readonly answeredAt: number;
}

export interface FixedRateLoad {
  /** Live view while it runs (accepted grows); complete once `finished` resolves. */
  readonly result: FixedRateResult;
  readonly finished: Promise<FixedRateResult>;
}

export function startFixedRateLoad(options: {
  readonly url: string;
  readonly ratePerS: number;
  readonly durationS: number;
  readonly bodyFor: (n: number) => string;
  /** Sockets the agent may open at once; beyond that requests queue in the agent (and their wait counts). */
  readonly maxSockets?: number;
  readonly timeoutMs?: number;
}): FixedRateLoad {
  const total = Math.round(options.ratePerS * options.durationS);
  const intervalMs = 1000 / options.ratePerS;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const agent = new Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 256, scheduling: 'lifo' });
  const latencyMs = new Float64Array(total).fill(Number.NaN);
  const accepted: Accepted[] = [];
  const statuses = new Map<number, number>();
  const startedAt = performance.now() + 20;
  const result = {
    ratePerS: options.ratePerS, offered: 0, accepted, statuses, failed: 0, latencyMs,
    startedAt, offeredUntil: startedAt + (total - 1) * intervalMs, answeredAt: Number.NaN,
  };
  let outstanding = 0;
  let next = 0;
  let allAnswered: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    allAnswered = resolve;
  });

  const settle = (n: number, dueAt: number): boolean => {
    if (!Number.isNaN(latencyMs[n]!)) return false;
    latencyMs[n] = performance.now() - dueAt;
    outstanding--;
    if (outstanding === 0 && next === total) allAnswered();
    return true;
  };

  const send = (n: number): void => {
    const dueAt = startedAt + n * intervalMs;
    const body = Buffer.from(options.bodyFor(n));
    outstanding++;
    result.offered++;
    const req = request(options.url, {
      method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': body.length },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.once('end', () => {
        clearTimeout(timer);
        if (!settle(n, dueAt)) return;
        const status = res.statusCode ?? 0;
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (status !== 201) return;
        const id = referenceOf(Buffer.concat(chunks).toString('utf8'));
        if (id === undefined) statuses.set(-201, (statuses.get(-201) ?? 0) + 1);
        else accepted.push({ n, id, at: performance.now() });
      });
      res.once('error', () => undefined);
    });
    const timer = setTimeout(() => req.destroy(new Error('timeout')), Math.max(1, dueAt + timeoutMs - performance.now()));
    req.once('error', () => {
      clearTimeout(timer);
      if (settle(n, dueAt)) result.failed++;
    });
    req.end(body);
  };

  // Sends whatever is due, then sleeps until the next one is: a late tick (the bench's event
  // loop was busy) sends the requests it missed at once, and their latency counts from due time.
  const tick = (): void => {
    const due = Math.min(total, Math.floor((performance.now() - startedAt) / intervalMs) + 1);
    while (next < due) send(next++);
    if (next < total) setTimeout(tick, Math.max(0, startedAt + next * intervalMs - performance.now()));
    else if (outstanding === 0) allAnswered();
  };
  setTimeout(tick, Math.max(0, startedAt - performance.now()));

  const finished = done.then(() => {
    result.answeredAt = performance.now();
    agent.destroy();
    return result;
  });
  return { result, finished };
}

/** The `id` of a 201's JSON body; undefined when the body is not what the API promises. */
function referenceOf(body: string): string | undefined {
  try {
    const id = (JSON.parse(body) as { id?: unknown }).id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

/** Sorted copy of the latencies (NaN left out: requests not sent). */
export function sortedLatencies(values: ArrayLike<number>): number[] {
  return Array.from(values).filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
}
