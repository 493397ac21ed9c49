import type { RequestHandler } from 'express';
import { AppError } from '../errors';

/** What a client is limited in (settings RATE_LIMIT_DRAFTS, _STEPS, _SUBMISSIONS). */
export type RateLimitBucket = 'drafts' | 'steps' | 'submissions' | 'sign-in';

export interface RateLimiterOptions {
  readonly windowMs: number;
  /** Requests per window and client; 0 means no limit. */
  readonly limits: Readonly<Record<RateLimitBucket, number>>;
  readonly now: () => Date;
  /** Clients remembered at most; the least recently counted are forgotten first. */
  readonly maxClients?: number;
}

export interface RateLimiter {
  /**
   * Counts one request of this client; returns the seconds until it may try again when the
   * request is over the limit (and is not counted), otherwise undefined.
   */
  take(bucket: RateLimitBucket, client: string): number | undefined;
  /**
   * Middleware counting the request under req.ip (the connection's address, or the one the
   * trusted proxies name); over the limit it sets Retry-After and fails with RATE_LIMITED.
   */
  middleware(bucket: RateLimitBucket): RequestHandler;
}

/**
 * Whom a request is counted for: an IPv4 address as it is (also when written as ::ffff:a.b.c.d),
 * an IPv6 address by its /64 network, since one subscriber is routinely given a whole /64 and
 * could otherwise use 2^64 addresses to escape every limit.
 */
export function clientKey(address: string): string {
  const mapped = /^::ffff:([0-9]+\.[0-9]+\.[0-9]+\.[0-9]+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!address.includes(':')) return address;
  const [head = '', tail] = address.toLowerCase().split('%')[0]!.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

interface Window {
  readonly startedAt: number;
  count: number;
}

/**
 * Fixed-window counters per client and bucket, in this process's memory: several web processes
 * each count on their own (so the effective limit is the setting times the processes), which is
 * enough to stop one client from filling the disk or the queue. Memory is bounded by maxClients.
 */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const maxClients = options.maxClients ?? 100_000;
  const windows = new Map<string, Window>();

  function take(bucket: RateLimitBucket, client: string): number | undefined {
    const limit = options.limits[bucket];
    if (limit === 0) return undefined;
    const now = options.now().getTime();
    const key = `${bucket} ${client}`;
    let window = windows.get(key);
    if (!window || now - window.startedAt >= options.windowMs) {
      windows.delete(key); // re-inserted last: Map order is then least recently started first
      window = { startedAt: now, count: 0 };
      windows.set(key, window);
      if (windows.size > maxClients) windows.delete(windows.keys().next().value as string);
    }
    if (window.count >= limit) return Math.max(1, Math.ceil((window.startedAt + options.windowMs - now) / 1000));
    window.count++;
    return undefined;
  }

  return {
    take,
    middleware(bucket) {
      return (req, res, next) => {
        const wait = take(bucket, clientKey(req.ip ?? req.socket.remoteAddress ?? 'unknown'));
        if (wait === undefined) {
          next();
          return;
        }
        // Set here too, so that a page rendered by another error handler carries it.
        res.set('retry-after', String(wait));
        next(new AppError('RATE_LIMITED', `rate limit ${bucket}`, { retryAfterSeconds: wait }));
      };
    },
  };
}
