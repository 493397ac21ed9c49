import { Router } from 'express';
import { StorageUnavailableError, type Store } from '../storage/ports';
import type { Logger } from '../support/logger';

/** What readiness needs to know of a delivery worker (DeliveryWorker has both). */
export interface WorkerLiveness {
  isRunning(): boolean;
  /** When the last poll finished, by the wall clock; undefined before the first. */
  lastPollAt(): Date | undefined;
}

/**
 * How long a worker may be silent before /readyz calls it stalled: three poll intervals plus the
 * store's 5 s busy timeout, so a poll waiting for a lock is not taken for a stalled worker.
 */
export function workerStaleAfter(pollIntervalMs: number): number {
  return 3 * pollIntervalMs + 5_000;
}

export interface Readiness {
  /** The store whose writability GET /readyz probes. */
  readonly store: Pick<Store, 'probeWritable'>;
  /**
   * The delivery worker this process runs, or undefined when it runs none (a web server with
   * DELIVERY_WORKER=off): then the worker is not checked and does not fail readiness.
   */
  readonly worker: WorkerLiveness | undefined;
  /** The worker counts as alive while its last poll finished at most this long ago. */
  readonly workerStaleAfterMs: number;
  /** How long GET /readyz waits for the store's probe before it reports a timeout (default 1000). */
  readonly probeTimeoutMs?: number;
  /** How long a probe's outcome is reused (default DEFAULT_PROBE_REUSE_MS; 0: probe every time). */
  readonly probeReuseMs?: number;
  /** Changes between ready and not ready are logged (as `readiness.changed`), not every probe. */
  readonly logger: Logger;
}

export const DEFAULT_PROBE_TIMEOUT_MS = 1000;
/**
 * A probe's outcome is reused for this long (and a running probe shared): each probe is a real
 * write with fsync, and /readyz is reachable by anyone, who must not be able to keep the write
 * lock busy by asking in a loop.
 */
export const DEFAULT_PROBE_REUSE_MS = 1000;

/** `writable`, or `unwritable: <reason>` (disk full, read-only, I/O error, busy, timed out, …). */
async function storeCheck(readiness: Readiness): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timed out'>((resolve) => {
    timer = setTimeout(() => resolve('timed out'), readiness.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS);
  });
  try {
    // The store probes off the main thread, so a hanging disk cannot keep this timer from firing.
    const outcome = await Promise.race([readiness.store.probeWritable(new Date()).then(() => 'writable' as const), timedOut]);
    return outcome === 'writable' ? outcome : `unwritable: ${outcome}`;
  } catch (err) {
    // Only the reason or the error's class: nothing from a message, which could quote data.
    return `unwritable: ${err instanceof StorageUnavailableError ? err.reason : err instanceof Error ? err.name : 'error'}`;
  } finally {
    clearTimeout(timer);
  }
}

/** `alive`, `not-run-here`, `stopped`, `starting` (no poll finished yet) or `stalled: …`. */
function workerCheck(readiness: Readiness): string {
  const { worker, workerStaleAfterMs } = readiness;
  if (!worker) return 'not-run-here';
  if (!worker.isRunning()) return 'stopped';
  const last = worker.lastPollAt();
  if (!last) return 'starting';
  const silentMs = Date.now() - last.getTime();
  return silentMs <= workerStaleAfterMs ? 'alive' : `stalled: last poll ${Math.round(silentMs / 1000)} s ago`;
}

/**
 * GET /healthz is liveness: 200 `{"status":"ok"}` for as long as the process answers at all, so a
 * supervisor restarts only a process that hangs, never one waiting for disk space.
 *
 * GET /readyz is readiness: 200 `{"status":"ready","checks":{…}}` when the store can be written
 * and this process's delivery worker (if it runs one) polls; else 503 `{"status":"not-ready",
 * "checks":{"store":"unwritable: disk full","worker":"stopped"}}`, so a load balancer sends
 * citizens elsewhere meanwhile. Answers within about probeTimeoutMs even when the disk hangs.
 * Plain JSON (a probe reads the status code), never cached.
 */
export function healthRouter({ readiness }: { readonly readiness: Readiness }): Router {
  const router = Router();
  let wasReady: boolean | undefined;
  let lastProbe: { readonly at: number; readonly outcome: Promise<string> } | undefined;
  const probeStore = (): Promise<string> => {
    const now = Date.now();
    if (!lastProbe || now - lastProbe.at >= (readiness.probeReuseMs ?? DEFAULT_PROBE_REUSE_MS)) lastProbe = { at: now, outcome: storeCheck(readiness) };
    return lastProbe.outcome;
  };

  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/readyz', async (_req, res) => {
    const checks = { store: await probeStore(), worker: workerCheck(readiness) };
    const ready = checks.store === 'writable' && (checks.worker === 'alive' || checks.worker === 'not-run-here');
    if (ready !== wasReady) {
      if (ready) readiness.logger.info('readiness.changed', { ready, ...checks });
      else readiness.logger.warn('readiness.changed', { ready, ...checks });
      wasReady = ready;
    }
    res.status(ready ? 200 : 503).set('cache-control', 'no-store').json({ status: ready ? 'ready' : 'not-ready', checks });
  });

  return router;
}
