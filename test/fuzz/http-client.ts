import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { RequestSpec } from './cases';

/**
 * One real HTTP request to the server under test. The answer's size is counted in full, but
 * only the first `keepBytes` are kept, so a 190 MB answer costs the fuzzer no memory.
 */
export interface Answer {
  /** The HTTP status; 0 when no answer came (connection error, time-out, our own hang-up). */
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** Size of the whole body in bytes. */
  readonly bytes: number;
  /** The first keepBytes of the body. */
  readonly body: Buffer;
  /** From the first byte sent to the last byte received. */
  readonly ms: number;
  readonly error?: string;
}

export interface Target {
  readonly port: number;
  readonly agent: Agent;
}

export function createTarget(port: number, sockets: number): Target {
  return { port, agent: new Agent({ keepAlive: true, maxSockets: sockets }) };
}

function once(target: Target, spec: RequestSpec, keepBytes: number, timeoutMs: number): Promise<Answer & { reusedSocket: boolean }> {
  const started = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    let reusedSocket = false;
    const finish = (answer: Omit<Answer, 'ms'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...answer, ms: performance.now() - started, reusedSocket });
    };
    const headers: Record<string, string> = { ...spec.headers };
    if (spec.body) headers['content-length'] = String(spec.body.length);
    let req: ReturnType<typeof request>;
    try {
      req = request({ host: '127.0.0.1', port: target.port, method: spec.method, path: spec.path, headers, agent: target.agent }, (res) => {
        const kept: Buffer[] = [];
        let keptBytes = 0;
        let bytes = 0;
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          if (keptBytes < keepBytes) {
            const part = chunk.subarray(0, keepBytes - keptBytes);
            kept.push(part);
            keptBytes += part.length;
          }
        });
        const done = (error?: string) => finish({ status: res.statusCode ?? 0, headers: res.headers, bytes, body: Buffer.concat(kept), ...(error ? { error } : {}) });
        res.on('end', () => done());
        res.on('error', (err) => done(`answer broken off: ${err.message}`));
        res.on('aborted', () => done('answer broken off'));
        // Whatever else ends the connection first: the answer is over (finish runs once).
        res.on('close', () => done(res.complete ? undefined : 'answer broken off'));
      });
    } catch (err) {
      finish({ status: -1, headers: {}, bytes: 0, body: Buffer.alloc(0), error: `not sent: ${err instanceof Error ? err.message : String(err)}` });
      return;
    }
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    req.on('socket', () => {
      reusedSocket = req.reusedSocket;
    });
    req.on('error', (err: NodeJS.ErrnoException) => finish({ status: 0, headers: {}, bytes: 0, body: Buffer.alloc(0), error: err.code ?? err.message }));
    if (spec.body && spec.abortAfterBytes !== undefined) {
      req.write(spec.body.subarray(0, spec.abortAfterBytes), () => {
        setTimeout(() => {
          req.destroy(new Error('hung up on purpose'));
        }, 20);
      });
      return;
    }
    req.end(spec.body);
  });
}

function withoutSocketFlag(answer: Answer & { reusedSocket: boolean }): Answer {
  const { status, headers, bytes, body, ms, error } = answer;
  return { status, headers, bytes, body, ms, ...(error !== undefined ? { error } : {}) };
}

/**
 * Sends the request; a keep-alive socket the server closed just as it was reused (ECONNRESET
 * before anything came back) is retried once on a new one, as any HTTP client would.
 */
export async function send(target: Target, spec: RequestSpec, keepBytes: number, timeoutMs: number): Promise<Answer> {
  const first = await once(target, spec, keepBytes, timeoutMs);
  if (first.status === 0 && first.reusedSocket && first.error === 'ECONNRESET' && spec.abortAfterBytes === undefined) {
    return withoutSocketFlag(await once(target, spec, keepBytes, timeoutMs));
  }
  return withoutSocketFlag(first);
}
