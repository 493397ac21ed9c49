import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signatureHeaders, verifyPayloadSignature } from '../../../src/delivery/signature';

/** What one idempotency key brought: every body sent with it, and how often it was answered 2xx. */
export interface KeyRecord {
  readonly bodies: string[];
  /** The payload's header reference of the first body (the submission's reference). */
  readonly reference: string | undefined;
  answered: number;
}

export interface CheckingReceiver {
  readonly url: string;
  /** Per idempotency key, in order of first arrival. */
  readonly keys: ReadonlyMap<string, KeyRecord>;
  /** References whose payload was answered 2xx at least once. */
  readonly deliveredReferences: ReadonlySet<string>;
  /** A request for a key arrived while an earlier request for the same key was still open. */
  readonly overlaps: ReadonlyArray<{ readonly key: string; readonly at: number }>;
  /** Requests without an idempotency key, with a bad signature or without a reference in the body. */
  readonly malformed: ReadonlyArray<string>;
  /** Requests received but not yet answered (or dropped by the sender). */
  openRequests(): number;
  /** Requests whose sender closed the connection before the answer (a killed worker's). */
  droppedRequests(): number;
  /** The idempotency keys of the requests held open now (see hold()); each stays open until release() or its sender goes. */
  heldKeys(): string[];
  /**
   * From now on requests are not answered until release(): they stay open for as long as the
   * test needs to kill a worker that has one of them open. Requests already waiting are kept too.
   */
  hold(): void;
  /** Answers the held requests (each after its delay) and stops holding. */
  release(): void;
  requestCount(): number;
  close(): Promise<void>;
}

const REFERENCE = /<reference>([^<]+)<\/reference>/;

/**
 * A real HTTP endpoint for the authorities' http channel that checks what several workers send it
 * at once: the signature (secret per authority, the path's last segment), one body per
 * idempotency key, and no two requests for one key open at the same time. It answers 204 after
 * `delayMs()` (a few tens of milliseconds), so deliveries are in flight long enough for a kill to
 * meet them and for an overlap to be seen. A request counts as open from its headers until its
 * answer is written or its connection closes (a killed worker's socket closes with it). While
 * `hold()` is on, answers wait for `release()`, so a test can kill a worker whose request is open
 * for certain instead of by luck.
 */
export async function startCheckingReceiver(secretOf: (authorityId: string) => string | undefined, delayMs: () => number): Promise<CheckingReceiver> {
  const keys = new Map<string, KeyRecord>();
  const deliveredReferences = new Set<string>();
  const overlaps: Array<{ key: string; at: number }> = [];
  const malformed: string[] = [];
  const openPerKey = new Map<string, number>();
  let open = 0;
  let count = 0;
  let dropped = 0;
  let holding = false;
  let held: Array<{ readonly key: string | undefined; readonly answer: () => void; readonly gone: () => boolean }> = [];

  const server: Server = createServer((req, res) => {
    count += 1;
    open += 1;
    const header = req.headers['idempotency-key'];
    const key = typeof header === 'string' ? header : undefined;
    if (key !== undefined) {
      const already = openPerKey.get(key) ?? 0;
      if (already > 0) overlaps.push({ key, at: Date.now() });
      openPerKey.set(key, already + 1);
    }
    let ended = false;
    // Closed before our answer was written: the sender went away (killed, or timed out).
    let gone = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      open -= 1;
      if (key !== undefined) {
        const left = (openPerKey.get(key) ?? 1) - 1;
        if (left > 0) openPerKey.set(key, left);
        else openPerKey.delete(key);
      }
    };
    res.on('finish', end);
    res.on('close', () => {
      if (!res.writableFinished) {
        gone = true;
        dropped += 1;
      }
      end();
    });

    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const authorityId = (req.url ?? '/').split('/').pop() ?? '';
      const secret = secretOf(authorityId);
      const signed = secret !== undefined && verifyPayloadSignature(secret, signatureHeaders(req.headers), body, Math.floor(Date.now() / 1000));
      const reference = REFERENCE.exec(body)?.[1];
      if (key === undefined || !signed || reference === undefined) {
        malformed.push(`${req.url ?? '/'}: key ${key ?? 'missing'}, signature ${signed ? 'valid' : 'invalid'}, reference ${reference ?? 'missing'}`);
      }
      let record: KeyRecord | undefined;
      if (key !== undefined) {
        record = keys.get(key) ?? { bodies: [], reference, answered: 0 };
        record.bodies.push(body);
        keys.set(key, record);
      }
      const answer = (): void => {
        setTimeout(() => {
          // The sender may be gone (SIGKILLed while waiting): then nothing was delivered.
          if (gone) return;
          res.writeHead(204).end();
          if (record) record.answered += 1;
          if (reference !== undefined) deliveredReferences.add(reference);
        }, delayMs());
      };
      if (holding) held.push({ key, answer, gone: () => gone });
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    keys,
    deliveredReferences,
    overlaps,
    malformed,
    openRequests: () => open,
    droppedRequests: () => dropped,
    heldKeys: () => held.filter((h) => !h.gone() && h.key !== undefined).map((h) => h.key!),
    hold: () => {
      holding = true;
    },
    release: () => {
      holding = false;
      const waiting = held;
      held = [];
      for (const { answer } of waiting) answer();
    },
    requestCount: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
