import type { HttpDelivery } from '../routing/tenant';
import type { DeliveryJob } from '../storage/ports';
import { parseRetryAfter } from './retry-policy';
import { signPayload } from './signature';

export type DeliveryOutcome =
  | { readonly ok: true; readonly status: number }
  | { readonly ok: false; readonly error: string; readonly retryAfterMs?: number; readonly permanent?: boolean };

/**
 * Pushes one payload to an authority's endpoint. The outcome's error text is for operators and
 * holds only status codes and error classes, never the body (it contains personal data).
 */
export async function deliverOverHttp(
  job: DeliveryJob,
  target: HttpDelivery,
  secret: string | undefined,
  options: { readonly timeoutMs: number; readonly now: () => Date },
): Promise<DeliveryOutcome> {
  if (secret === undefined || secret === '') {
    return { ok: false, error: `secret variable ${target.secretEnv} is not set` };
  }
  const now = options.now();
  const timestamp = Math.floor(now.getTime() / 1000);
  let response: Response;
  try {
    response = await fetch(target.url, {
      method: 'POST',
      headers: {
        'content-type': job.contentType,
        'idempotency-key': job.idempotencyKey,
        'efa-timestamp': String(timestamp),
        'efa-signature': signPayload(secret, timestamp, job.body),
      },
      body: job.body,
      redirect: 'error', // a redirect could carry the payload to an unintended host
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    const name = err instanceof Error ? err.name : 'Error';
    return { ok: false, error: `request failed: ${cause ?? name}` };
  }
  // Drain the body so the connection can be reused; its content is not needed.
  await response.arrayBuffer().catch(() => undefined);
  if (response.status >= 200 && response.status < 300) return { ok: true, status: response.status };
  const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), now);
  // A 4xx says the request itself is wrong; sending it again cannot help (but 408 and 429 can).
  const permanent = response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429;
  return {
    ok: false, error: `receiver answered HTTP ${response.status}`, permanent,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  };
}
