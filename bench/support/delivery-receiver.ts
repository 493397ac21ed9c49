import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

/**
 * The authorities' HTTP endpoint for the scale bench: a node:http server in the bench process
 * that reads each pushed payload, notes which submission it carries (the payload header's
 * `<reference>`) and when it arrived, and answers 204 at once. It checks no signature: it stands
 * for an authority that is never the bottleneck.
 */
export interface DeliveryReceiver {
  readonly url: string;
  /** performance.now() of every delivery request that carried a reference, in arrival order. */
  readonly arrivals: readonly number[];
  /** Distinct submissions delivered, with the arrival time of the first delivery of each. */
  readonly firstArrival: ReadonlyMap<string, number>;
  /** Deliveries of a submission that had already arrived once (at-least-once resends). */
  readonly repeats: () => number;
  /** Requests whose body held no reference (would be a bug in the payload or the bench). */
  readonly withoutReference: () => number;
  close(): Promise<void>;
}

const REFERENCE = /<reference>([^<]+)<\/reference>/;

export function startDeliveryReceiver(): Promise<DeliveryReceiver> {
  const arrivals: number[] = [];
  const firstArrival = new Map<string, number>();
  let repeats = 0;
  let withoutReference = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const at = performance.now();
      const reference = REFERENCE.exec(Buffer.concat(chunks).toString('utf8'))?.[1];
      if (reference === undefined) withoutReference++;
      else {
        arrivals.push(at);
        if (firstArrival.has(reference)) repeats++;
        else firstArrival.set(reference, at);
      }
      res.writeHead(204).end();
    });
  });
  // The workers keep connections alive; the default 5 s would only add reconnects.
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        arrivals,
        firstArrival,
        repeats: () => repeats,
        withoutReference: () => withoutReference,
        close: () => new Promise((done) => {
          server.closeAllConnections();
          server.close(() => done());
        }),
      });
    });
  });
}
