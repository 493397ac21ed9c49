import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';

/**
 * The scale bench's load: JSON API submissions POSTed by one autocannon instance per web process,
 * all at the same time, each body different (`bodyFor(n)`). autocannon runs in the bench's own
 * thread here, not in a worker thread as in pages.bench.ts, because the reference numbers of the
 * 201s must come back to the bench (a worker thread can only be given file paths for its
 * callbacks). The latencies are autocannon's own per-response times, merged over the instances.
 */
export interface LoadResult {
  /** Reference numbers of every 201 (each one a promise that it will be delivered). */
  readonly accepted: readonly string[];
  /** Responses by status code (2xx included). */
  readonly statuses: ReadonlyMap<number, number>;
  /** Socket errors and timeouts as autocannon counts them. */
  readonly errors: number;
  readonly timeouts: number;
  /** Milliseconds of every response, sorted ascending. */
  readonly latenciesMs: readonly number[];
  /** performance.now() when the load started and when the last instance was done. */
  readonly startedAt: number;
  readonly endedAt: number;
}

export async function offerSubmissions(options: {
  readonly urls: readonly string[];
  readonly connectionsEach: number;
  readonly durationS: number;
  readonly bodyFor: (n: number) => string;
}): Promise<LoadResult> {
  const accepted: string[] = [];
  const statuses = new Map<number, number>();
  const latenciesMs: number[] = [];
  let counter = 0;
  const startedAt = performance.now();
  const results = await Promise.all(options.urls.map((url) => new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({
      url,
      connections: options.connectionsEach,
      duration: options.durationS,
      requests: [{
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        setupRequest: (request) => ({ ...request, body: options.bodyFor(counter++) }),
        onResponse: (status, body) => {
          if (status === 201) accepted.push((JSON.parse(body) as { id: string }).id);
        },
      }],
    }, (err: unknown, result) => (err ? reject(err instanceof Error ? err : new Error('autocannon failed')) : resolve(result)));
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      statuses.set(statusCode, (statuses.get(statusCode) ?? 0) + 1);
      latenciesMs.push(responseTime);
    });
  })));
  const endedAt = performance.now();
  latenciesMs.sort((a, b) => a - b);
  return {
    accepted, statuses, latenciesMs, startedAt, endedAt,
    errors: results.reduce((sum, r) => sum + r.errors, 0),
    timeouts: results.reduce((sum, r) => sum + r.timeouts, 0),
  };
}

/** The value below which `share` of the sorted values lie (nearest rank); NaN when there are none. */
export function percentile(sorted: readonly number[], share: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)]!;
}
