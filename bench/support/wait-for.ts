import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import type { AppProcess } from './app-process';

/**
 * Polls `done` every `everyMs` until it answers true (resolves true) or `deadline`
 * (performance.now() time) has passed (resolves false). Throws as soon as one of `processes`
 * has ended by itself: what it would have done will then never happen.
 */
export async function waitFor(done: () => boolean, options: { readonly deadline: number; readonly processes: readonly AppProcess[]; readonly everyMs?: number; readonly what: string }): Promise<boolean> {
  for (;;) {
    if (done()) return true;
    const gone = options.processes.find((p) => p.exited());
    if (gone) throw new Error(`${gone.name} ended while waiting for ${options.what}`);
    if (performance.now() >= options.deadline) return false;
    await delay(options.everyMs ?? 50);
  }
}

/** POSTs one JSON body and returns the 201's reference number; throws with the answer otherwise. */
export async function submitOnce(url: string, body: string, what: string): Promise<string> {
  const answer = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(30_000) });
  const text = await answer.text();
  if (answer.status !== 201) throw new Error(`${what}: the check submission answered ${answer.status}, not 201: ${text.slice(0, 300)}`);
  return (JSON.parse(text) as { id: string }).id;
}
