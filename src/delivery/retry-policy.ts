/**
 * When to try a failed delivery again: exponential backoff from 2 s doubling up to one hour,
 * with "equal jitter" (half fixed, half random) so that many jobs failing together at an outage
 * do not all come back in the same second. A receiver's Retry-After wins when it asks for more.
 */
export interface RetryPolicy {
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseDelayMs: 2_000, maxDelayMs: 3_600_000 };

export function nextRetryDelayMs(
  attempts: number,
  policy: RetryPolicy,
  random: () => number,
  retryAfterMs?: number,
): number {
  const exponent = Math.min(Math.max(attempts - 1, 0), 30);
  const ceiling = Math.min(policy.baseDelayMs * 2 ** exponent, policy.maxDelayMs);
  const delay = Math.round(ceiling / 2 + (random() * ceiling) / 2);
  return retryAfterMs !== undefined ? Math.min(Math.max(delay, retryAfterMs), policy.maxDelayMs * 24) : delay;
}

/** Parses Retry-After (seconds or an HTTP date) into milliseconds from now. */
export function parseRetryAfter(value: string | null, now: Date): number | undefined {
  if (!value) return undefined;
  if (/^[0-9]+$/.test(value.trim())) return Number(value.trim()) * 1000;
  // Anything else must look like an HTTP date (it has a weekday or month name), not "-5" or "1.5".
  if (!/[A-Za-z]/.test(value)) return undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(date - now.getTime(), 0);
}
