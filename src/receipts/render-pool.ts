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
  readonly resolve: (pdf: Buffer) => void;
  readonly reject: (reason: Error) => void;
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
 * the same. Threads start at the first render (a process that never renders pays nothing); one
 * that ends (a crash, out of memory) fails its waiting renders, which the callers retry like any
 * failed delivery attempt, and a new one starts at the next render.
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
      else waiting.reject(Object.assign(new Error(reply.error.message), { name: reply.error.name }));
    });
    const fail = (why: string) => {
      if (pool[slot] === thread) pool[slot] = undefined;
      for (const waiting of thread.waiting.values()) waiting.reject(new ReceiptError(`receipt render thread ${why}`));
      thread.waiting.clear();
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

  return {
    render(model: ReceiptModel, xml: string): Promise<Buffer> {
      if (closed) return Promise.reject(new ReceiptError('receipt render threads are closed'));
      const thread = pick();
      const id = nextId++;
      if (thread.waiting.size === 0) thread.worker.ref();
      return new Promise<Buffer>((resolve, reject) => {
        thread.waiting.set(id, { resolve, reject });
        thread.worker.postMessage({ id, model, xml } satisfies RenderRequest);
      }).finally(() => {
        if (thread.waiting.size === 0) thread.worker.unref();
      });
    },
    async close() {
      closed = true;
      const running = pool.filter((t): t is RenderThread => t !== undefined);
      pool.fill(undefined);
      await Promise.all(running.map((t) => t.worker.terminate()));
    },
  };
}
