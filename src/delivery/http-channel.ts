import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { HttpDelivery } from '../routing/tenant';
import type { DeliveryJob } from '../storage/ports';
import type { ClientIdentity } from './client-identity';
import { boundaryOf, delimiterOf, expectedDelimiters, multipartBody, OccurrenceCounter } from './multipart-body';
import type { OutboundFile } from './outbound-payload';
import { parseRetryAfter } from './retry-policy';
import { signPayload, signStream } from './signature';

export type { ClientIdentity } from './client-identity';

export type DeliveryOutcome =
  | { readonly ok: true; readonly status: number }
  | { readonly ok: false; readonly error: string; readonly retryAfterMs?: number; readonly permanent?: boolean };

/** The statuses fetch treats as redirects; other 3xx (300, 304) are ordinary failed answers. */
const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/**
 * Builds the connection pool for one authority's endpoint, built once at start-up and passed
 * to every deliverOverHttp call for that authority. Connections are kept alive, so a busy
 * authority does not pay a TLS handshake per payload.
 *
 * With `identity`, the agent presents that client certificate (mutual TLS); `identity.ca`, when
 * given, becomes the only trust anchor for the authority's server certificate, otherwise Node's
 * default CAs apply. The certificate, key and CA are parsed here, so a key that does not fit its
 * certificate, or a file that is not PEM, fails at start-up instead of at every delivery.
 * Throws for a client certificate on a plain http URL: it could never be presented there.
 */
export function createDeliveryAgent(url: string, identity?: ClientIdentity): HttpAgent | HttpsAgent {
  const { protocol } = new URL(url);
  if (protocol === 'http:') {
    if (identity) throw new Error('a client certificate needs an https delivery URL, but this one uses http:');
    return new HttpAgent({ keepAlive: true });
  }
  if (protocol !== 'https:') throw new Error(`delivery URLs must use http: or https:, not ${protocol}`);
  if (!identity) return new HttpsAgent({ keepAlive: true });
  let secureContext: SecureContext;
  try {
    secureContext = createSecureContext({
      cert: identity.cert,
      key: identity.key,
      ...(identity.ca !== undefined ? { ca: identity.ca } : {}),
    });
  } catch (err) {
    // OpenSSL's reason (e.g. "key values mismatch") names the problem, never the key material.
    const message = (err as { message?: unknown } | null)?.message;
    const reason = typeof message === 'string' ? message : String(err);
    throw new Error(`the client certificate, key or CA cannot be used: ${reason}`, { cause: err });
  }
  return new HttpsAgent({ keepAlive: true, secureContext });
}

/** The time limits of a push (from DELIVERY_TIMEOUT_MS and DELIVERY_MIN_BYTES_PER_SECOND). */
export interface PushTimeouts {
  /** The limit of a push without files, and the part of every limit that is not transfer time. */
  readonly timeoutMs: number;
  /** With files, the body's size at this rate is added; absent: no allowance, `timeoutMs` for every push. */
  readonly minBytesPerSecond?: number;
  /** No push is given longer (what the worker's lease of the job covers); absent: no such bound. */
  readonly maxTimeoutMs?: number;
}

/** The longest delay setTimeout keeps (about 24.8 days); a longer one would fire at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * How long one push may take as a whole. Without files it is `timeoutMs`, as it always was.
 * With files, `timeoutMs` (connecting, the receiver's answer) plus the time the body takes at
 * the slowest rate still counted as progress: a 70 MB body (50 MB of files as JWEs) at the
 * default 256 KiB/s gets 30 s + 267 s, not a bare 30 s that only 19 Mbit/s would meet. A
 * receiver that stalls is still cut off, once its average rate has fallen below the minimum.
 * No idle timeout instead: the kernel's socket buffers (several MB either side) take in bytes
 * the receiver has not read, so "no write for a while" says little about a receiver's progress.
 * `bodyBytes` is 0 for a push without files.
 */
export function pushTimeLimitMs(limits: PushTimeouts, bodyBytes: number): number {
  const transferMs = bodyBytes > 0 && limits.minBytesPerSecond !== undefined ? Math.ceil((bodyBytes * 1000) / limits.minBytesPerSecond) : 0;
  const limit = Math.min(limits.timeoutMs + transferMs, limits.maxTimeoutMs ?? Infinity);
  // A bound below timeoutMs would cut off pushes without files too: they keep timeoutMs.
  return Math.min(Math.max(limit, limits.timeoutMs), MAX_TIMER_MS);
}

/** The body of one push and what its headers say about it. */
interface PushBody {
  readonly contentType: string;
  readonly length: number;
  readonly signature: string;
  /** The bytes, or a fresh reading of them (the same bytes every call). */
  readonly bytes: Buffer | (() => AsyncIterable<Buffer>);
}

/** How many boundaries are tried before a body is given up on (each a reading of every file). */
const BOUNDARY_ROUNDS = 3;

/**
 * The body of a job: the payload as it is without files; with files, the multipart body
 * (multipart-body.ts), read once here to sign it and count it, and again when it is sent. That
 * first reading also makes sure the boundary occurs nowhere inside the content.
 */
async function pushBody(job: DeliveryJob, files: readonly OutboundFile[], secret: string, timestamp: number): Promise<PushBody> {
  const payload = Buffer.from(job.body, 'utf8');
  if (files.length === 0) return { contentType: job.contentType, length: payload.length, signature: signPayload(secret, timestamp, job.body), bytes: payload };
  for (let round = 0; round < BOUNDARY_ROUNDS; round++) {
    const boundary = boundaryOf(job.idempotencyKey, round);
    const read = () => multipartBody(boundary, { contentType: job.contentType, body: payload }, files);
    const delimiters = new OccurrenceCounter(delimiterOf(boundary));
    const { signature, length } = await signStream(secret, timestamp, read(), (chunk) => delimiters.push(chunk));
    if (delimiters.count === expectedDelimiters(files)) {
      return { contentType: `multipart/mixed; boundary=${boundary}`, length, signature, bytes: read };
    }
  }
  throw new Error('no multipart boundary fits the content');
}

/**
 * Pushes one payload, and the submission's files when it has some (`options.files`, from
 * OutboundPayloads.withFiles), to an authority's endpoint. The outcome's error text is for
 * operators and holds only status codes and error classes, never the body (it contains
 * personal data).
 *
 * `options.agent` carries the connection pool and, for mutual TLS, the client certificate
 * (see createDeliveryAgent); without it Node's global agents are used. Redirects are never
 * followed: a redirect could carry the payload to an unintended host. The request's time limit
 * is pushTimeLimitMs: `timeoutMs` without files, more with them.
 */
export async function deliverOverHttp(
  job: DeliveryJob,
  target: HttpDelivery,
  secret: string | undefined,
  options: PushTimeouts & {
    readonly now: () => Date; readonly agent?: HttpAgent | HttpsAgent;
    readonly files?: readonly OutboundFile[];
  },
): Promise<DeliveryOutcome> {
  if (secret === undefined || secret === '') {
    return { ok: false, error: `secret variable ${target.secretEnv} is not set` };
  }
  const now = options.now();
  const timestamp = Math.floor(now.getTime() / 1000);
  let answer: Answer;
  try {
    const files = options.files ?? [];
    const body = await pushBody(job, files, secret, timestamp);
    answer = await post(target.url, {
      'content-type': body.contentType,
      'content-length': body.length,
      'idempotency-key': job.idempotencyKey,
      'efa-timestamp': String(timestamp),
      'efa-signature': body.signature,
      // A test delivery or a tester's submission: the receiver can filter on this (the payload's header says so too).
      ...(job.test === true ? { 'efa-test': 'true' } : {}),
    }, body.bytes, pushTimeLimitMs(options, files.length > 0 ? body.length : 0), options.agent);
  } catch (err) {
    return { ok: false, error: `request failed: ${errorCode(err)}` };
  }
  const { status } = answer;
  if (status >= 200 && status < 300) return { ok: true, status };
  // Retryable, like a network error: the authority may fix its endpoint, but we never follow.
  if (REDIRECT_STATUSES.has(status)) return { ok: false, error: `receiver answered HTTP ${status}, a redirect, which is not followed` };
  const retryAfterMs = parseRetryAfter(answer.retryAfter, now);
  // A 4xx says the request itself is wrong; sending it again cannot help (but 408 and 429 can).
  const permanent = status >= 400 && status < 500 && status !== 408 && status !== 429;
  return {
    ok: false, error: `receiver answered HTTP ${status}`, permanent,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  };
}

interface Answer {
  readonly status: number;
  readonly retryAfter: string | null;
}

/**
 * One POST, bounded as a whole (connect, TLS handshake, sending the body, answer and draining
 * its body) by timeoutMs. Resolves with the status as soon as it arrives; the body is read and
 * dropped after that, which lets a kept-alive connection serve the next payload. Rejects when no
 * status arrives.
 */
function post(
  url: string, headers: OutgoingHttpHeaders, body: Buffer | (() => AsyncIterable<Buffer>), timeoutMs: number, agent: HttpAgent | undefined,
): Promise<Answer> {
  return new Promise<Answer>((resolve, reject) => {
    const parsed = new URL(url);
    const send = parsed.protocol === 'https:' ? httpsRequest : parsed.protocol === 'http:' ? httpRequest : undefined;
    if (!send) throw Object.assign(new Error(`unsupported protocol ${parsed.protocol}`), { code: 'ERR_INVALID_PROTOCOL' });
    let answer: Answer | undefined;
    const settle = (err?: Error): void => {
      clearTimeout(timer);
      if (answer) resolve(answer);
      else reject(err ?? new Error('connection closed before an answer'));
    };
    const req = send(parsed, { method: 'POST', headers, ...(agent ? { agent } : {}) }, (res: IncomingMessage) => {
      const retryAfter = res.headers['retry-after'];
      answer = { status: res.statusCode ?? 0, retryAfter: retryAfter ?? null };
      res.on('error', settle);
      res.on('close', settle);
      res.resume();
      // The status decides; the body is drained in the background (bounded by the same timer),
      // so a receiver that answers 2xx and then trickles its body is not counted as timed out.
      resolve(answer);
    });
    const timer = setTimeout(() => {
      req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { name: 'TimeoutError' }));
    }, timeoutMs);
    req.on('error', settle);
    // Ends without an answer when the connection closes early; after an answer, the response's close settles.
    req.on('close', () => {
      if (!answer) settle();
    });
    if (Buffer.isBuffer(body)) req.end(body);
    // Streamed at the connection's pace; a file that cannot be read destroys the request, which
    // settles through its error (or, once an answer came, is of no concern any more).
    else pipeline(Readable.from(body()), req).catch((err: unknown) => req.destroy(err instanceof Error ? err : new Error(String(err))));
  });
}

/**
 * The error's code (ECONNREFUSED, a TLS alert) or class: never its message, which may quote data.
 * Read by duck typing: errors made inside Node's core fail `instanceof Error` in another realm
 * (a Jest sandbox, a vm context), and their code must not be lost there.
 */
function errorCode(err: unknown): string {
  const { code, name } = (typeof err === 'object' && err !== null ? err : {}) as { code?: unknown; name?: unknown };
  if (typeof code === 'string') return code;
  return typeof name === 'string' ? name : 'Error';
}
