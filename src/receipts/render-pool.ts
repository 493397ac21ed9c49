import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { ReceiptError } from './receipt-error';
import type { ReceiptModel } from './receipt-model';
import type { ReceiptRenderer } from './render-receipt';
import type { RenderReply, RenderRequest } from './render-thread';

/** A receipt renderer on threads of its own, closed with the process's container. */
export interface ReceiptRenderPool extends ReceiptRenderer {
  /** Ends the threads; renders still waiting are rejected. */
  close(): Promise<void>;
}

interface Waiting {
  readonly request: RenderRequest;
  readonly resolve: (pdf: Buffer) => void;
  readonly reject: (reason: Error) => void;
  /** Set once the render was handed to a second thread after its first one ended. */
  readonly retried: boolean;
}

/**
 * The render thread's V8 heap ceiling, set as a hint to V8's heap sizing rather than as a limit
 * to be reached. Before its next full collection V8 lets an isolate's old generation grow to up
 * to four times what survived the last one when the ceiling is 2 GB or more (Node's default
 * here: about 4 GB), and to at most 1.3 to 2 times below that (about 1.6 at 1,024 MB). A render
 * leaves garbage that outlives young-generation collections, so with the default ceiling the
 * thread's heap grew to about 120 MB for some 20 MB alive, and the process's RSS does not shrink
 * when the heap does (issue 14 goal 5). With 1,024 MB it stays near 75 MB (about 50 MB less
 * RSS), for about 0.06 ms more garbage collection per receipt. The largest receipt the body
 * limit allows (about 1 MB of answers, 420 pages) takes some 250 MB of heap, one twice that size
 * still rendered within the ceiling; a thread that does run out ends, and its renders go to a
 * new thread once, as for any crash.
 */
export const RENDER_THREAD_MAX_OLD_GENERATION_MB = 1024;

interface RenderThread {
  readonly worker: Worker;
  readonly waiting: Map<number, Waiting>;
}

/**
 * Renders receipts on `threads` worker threads (RECEIPT_THREADS), issue 14 point 1. Rendering
 * a PDF is the largest piece of CPU work per submission (several milliseconds, pdfkit and
 * fontkit), and on the event loop it held up every request and delivery meanwhile: on a thread it
 * runs on another core, and the event loop only sends the model and gets the bytes back. The
 * thread runs the same renderer as the main thread would (render-thread.ts), so the bytes are
 * the same. Threads start at the first render (a process that never renders pays nothing). When
 * a thread ends (a crash, out of memory), each of its waiting renders is handed to a new thread
 * once; only a render whose second thread ends too fails (a ReceiptError). An error the renderer
 * itself threw keeps its class (ReceiptError) and message.
 */
export function createReceiptRenderPool(threads: number): ReceiptRenderPool {
  const pool: Array<RenderThread | undefined> = Array.from({ length: threads }, () => undefined);
  let nextId = 1;
  let closed = false;

  const start = (slot: number): RenderThread => {
    // Compiled, this file is .js next to render-thread.js. Under ts-jest or tsx it is .ts, and the
    // thread loads the TypeScript through tsx's require hook (a devDependency; production runs
    // the .js): a worker's own --import of tsx does not reach its entry module on Node 20.
    const resourceLimits = { maxOldGenerationSizeMb: RENDER_THREAD_MAX_OLD_GENERATION_MB };
    const worker = __filename.endsWith('.ts')
      ? new Worker(`require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(path.join(__dirname, 'render-thread.ts'))});`, { eval: true, resourceLimits })
      : new Worker(path.join(__dirname, 'render-thread.js'), { resourceLimits });
    const thread: RenderThread = { worker, waiting: new Map() };
    worker.on('message', (reply: RenderReply) => {
      const waiting = thread.waiting.get(reply.id);
      if (!waiting) return;
      thread.waiting.delete(reply.id);
      if ('pdf' in reply) waiting.resolve(Buffer.from(reply.pdf.buffer, reply.pdf.byteOffset, reply.pdf.byteLength));
      else if (reply.error.name === 'ReceiptError') waiting.reject(new ReceiptError(reply.error.message));
      else waiting.reject(Object.assign(new Error(reply.error.message), { name: reply.error.name }));
    });
    let ended = false;
    const fail = (why: string) => {
      if (ended) return;
      ended = true;
      if (pool[slot] === thread) pool[slot] = undefined;
      const orphans = [...thread.waiting.values()];
      thread.waiting.clear();
      for (const waiting of orphans) {
        if (waiting.retried || closed) waiting.reject(new ReceiptError(`receipt render thread ${why}`));
        else dispatch({ ...waiting, retried: true });
      }
    };
    worker.on('error', (err) => fail(`failed (${err.name})`));
    worker.on('exit', (code) => fail(`ended (exit code ${code})`));
    // An idle thread does not keep the process alive; one with renders waiting does (see render()).
    worker.unref();
    pool[slot] = thread;
    return thread;
  };

  /** The thread with the fewest renders waiting, started if need be. */
  const pick = (): RenderThread => {
    let best: RenderThread | undefined;
    for (let slot = 0; slot < pool.length; slot++) {
      const thread = pool[slot] ?? start(slot);
      if (!best || thread.waiting.size < best.waiting.size) best = thread;
    }
    return best!;
  };

  /** Hands a render to the least busy thread; a thread with renders waiting keeps the process alive. */
  function dispatch(waiting: Waiting): void {
    const thread = pick();
    try {
      // Posted before it is noted: a model that cannot be cloned throws here and waits for nothing.
      thread.worker.postMessage(waiting.request);
    } catch (err) {
      waiting.reject(err instanceof Error ? err : new ReceiptError('the receipt could not be handed to its thread'));
      return;
    }
    if (thread.waiting.size === 0) thread.worker.ref();
    thread.waiting.set(waiting.request.id, {
      ...waiting,
      resolve: (pdf) => settled(thread, () => waiting.resolve(pdf)),
      reject: (reason) => settled(thread, () => waiting.reject(reason)),
    });
  }

  function settled(thread: RenderThread, then: () => void): void {
    if (thread.waiting.size === 0) thread.worker.unref();
    then();
  }

  return {
    render(model: ReceiptModel, xml: string): Promise<Buffer> {
      if (closed) return Promise.reject(new ReceiptError('receipt render threads are closed'));
      const request: RenderRequest = { id: nextId++, model, xml };
      return new Promise<Buffer>((resolve, reject) => dispatch({ request, resolve, reject, retried: false }));
    },
    async close() {
      closed = true;
      const running = pool.filter((t): t is RenderThread => t !== undefined);
      pool.fill(undefined);
      await Promise.all(running.map((t) => t.worker.terminate()));
    },
  };
}
