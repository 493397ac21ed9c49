import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';

/**
 * A closed-loop load: `connections` keep-alive connections, each sending its next JSON POST as
 * soon as the previous one is answered, for `durationS` seconds or until `amount` requests were
 * sent (autocannon, in the bench's own thread, because the reference numbers of the 201s must
 * come back to the bench). Body number n is `bodyFor(n)`, so no two are alike; latencies are
 * autocannon's own per-response times.
 */
export interface ClosedLoopResult {
  /** Reference numbers (`id`) of every 201 whose body was JSON with one. */
  readonly accepted: readonly string[];
  /** Answers by status code. */
  readonly statuses: ReadonlyMap<number, number>;
  readonly errors: number;
  readonly timeouts: number;
  /** Milliseconds of every answer, sorted ascending. */
  readonly latenciesMs: readonly number[];
  readonly durationS: number;
  /** 2xx answers per second of load. */
  readonly okPerS: number;
}

export async function runClosedLoop(options: {
  readonly url: string;
  readonly connections: number;
  readonly durationS?: number;
  readonly amount?: number;
  readonly bodyFor: (n: number) => string;
  /** Collect the `id` of each 201 (the submissions' reference numbers). */
  readonly collectIds?: boolean;
  /** Added to the body numbers, so two loads on one store make different bodies. */
  readonly firstNumber?: number;
}): Promise<ClosedLoopResult> {
  const accepted: string[] = [];
  const statuses = new Map<number, number>();
  const latenciesMs: number[] = [];
  let counter = options.firstNumber ?? 0;
  let ok = 0;
  const startedAt = performance.now();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({
      url: options.url,
      connections: options.connections,
      ...(options.amount !== undefined ? { amount: options.amount } : { duration: options.durationS ?? 10 }),
      timeout: 30,
      requests: [{
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        setupRequest: (request) => ({ ...request, body: options.bodyFor(counter++) }),
        ...(options.collectIds ? {
          onResponse: (status: number, body: string) => {
            if (status !== 201) return;
            try {
              const id = (JSON.parse(body) as { id?: unknown }).id;
              if (typeof id === 'string') accepted.push(id);
            } catch {
              // Counted below as a 201 without a reference (accepted stays shorter than the 201s).
            }
          },
        } : {}),
      }],
    }, (err: unknown, res) => (err ? reject(err instanceof Error ? err : new Error('autocannon failed')) : resolve(res)));
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      statuses.set(statusCode, (statuses.get(statusCode) ?? 0) + 1);
      if (statusCode >= 200 && statusCode < 300) ok++;
      latenciesMs.push(responseTime);
    });
  });
  const durationS = (performance.now() - startedAt) / 1000;
  latenciesMs.sort((a, b) => a - b);
  return { accepted, statuses, errors: result.errors, timeouts: result.timeouts, latenciesMs, durationS, okPerS: ok / durationS };
}
