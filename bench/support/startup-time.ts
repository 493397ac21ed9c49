import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { freePort } from '../../test/support/free-port';
import { startAppProcess, type AppProcess } from './app-process';

/**
 * One start-up of the web server, as a supervisor or load balancer sees it: the time from the
 * spawn of `node main.js` until GET /healthz on its port first answers 200, polled every 10 ms
 * (each poll a fresh connection; one refused or unanswered within 1 s is tried again 10 ms
 * later). The process is stopped again before this resolves; it throws when the process ends, or
 * has not answered within `deadlineMs`.
 */
export async function measureStartupMs(options: {
  readonly name: string;
  readonly script: string;
  /** The process's environment for the given port. */
  readonly env: (port: number) => Record<string, string>;
  readonly deadlineMs: number;
}): Promise<number> {
  const port = await freePort();
  const spawnedAt = performance.now();
  const starting = startAppProcess({ name: options.name, script: options.script, env: options.env(port), readyEvent: 'server.listening', deadlineMs: options.deadlineMs });
  let failure: Error | undefined;
  let app: AppProcess | undefined;
  starting.then((p) => {
    app = p;
  }, (err: unknown) => {
    failure = err instanceof Error ? err : new Error(String(err));
  });
  try {
    const deadline = spawnedAt + options.deadlineMs;
    while (performance.now() < deadline) {
      if (failure !== undefined) throw failure;
      try {
        const answer = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(1000) });
        await answer.arrayBuffer();
        if (answer.status === 200) return performance.now() - spawnedAt;
      } catch {
        // Not listening yet (connection refused) or not answering yet: poll again.
      }
      await delay(10);
    }
    throw new Error(`${options.name}: GET /healthz did not answer 200 within ${options.deadlineMs} ms`);
  } finally {
    // startAppProcess settles within its own deadline: then the process is either running (stop
    // it) or already killed by startAppProcess itself.
    await starting.catch(() => undefined);
    await app?.stop();
  }
}
