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
    const worker = __filename.endsWith('.ts')
      ? new Worker(`require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(path.join(__dirname, 'render-thread.ts'))});`, { eval: true })
      : new Worker(path.join(__dirname, 'render-thread.js'));
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
