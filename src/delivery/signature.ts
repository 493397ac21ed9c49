import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Message authentication for pushed payloads, the scheme FIT-Connect uses for callbacks:
 * hex HMAC-SHA512 with the authority's shared secret over `<unix-seconds>.<body>`, sent as the
 * headers efa-timestamp and efa-signature. Receivers reject old timestamps to stop replays.
 */
export function signPayload(secret: string, timestamp: number | string, body: string | Buffer): string {
  const hmac = createHmac('sha512', secret).update(`${timestamp}.`, 'utf8');
  return (typeof body === 'string' ? hmac.update(body, 'utf8') : hmac.update(body)).digest('hex');
}

/**
 * The same signature over a body read as a stream (a push with files, read once to sign and
 * once to send), so the body is never whole in memory. Answers the byte count too, for the
 * request's content-length, and passes every chunk to `inspect`.
 */
export async function signStream(
  secret: string,
  timestamp: number | string,
  body: AsyncIterable<Buffer>,
  inspect: (chunk: Buffer) => void = () => undefined,
): Promise<{ readonly signature: string; readonly length: number }> {
  const hmac = createHmac('sha512', secret).update(`${timestamp}.`, 'utf8');
  let length = 0;
  for await (const chunk of body) {
    hmac.update(chunk);
    length += chunk.length;
    inspect(chunk);
  }
  return { signature: hmac.digest('hex'), length };
}

export const MAX_SIGNATURE_AGE_SECONDS = 300;

/** For receivers (and our tests): checks signature and age in constant time. */
export function verifyPayloadSignature(
  secret: string,
  headers: { readonly timestamp: string | undefined; readonly signature: string | undefined },
  body: string | Buffer,
  nowSeconds: number,
): boolean {
  const { timestamp, signature } = headers;
  if (!timestamp || !signature || !/^[0-9]{1,12}$/.test(timestamp) || !/^[0-9a-f]{128}$/.test(signature)) return false;
  const ts = Number(timestamp);
  if (Math.abs(nowSeconds - ts) > MAX_SIGNATURE_AGE_SECONDS) return false;
  // Signed over the header text exactly as sent, not over a re-printed number.
  const expected = Buffer.from(signPayload(secret, timestamp, body), 'hex');
  return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
}

/** The signature headers as a Node HTTP server sees them (repeated headers count as missing). */
export function signatureHeaders(headers: Readonly<Record<string, string | string[] | undefined>>): {
  timestamp: string | undefined;
  signature: string | undefined;
} {
  const one = (name: string): string | undefined => {
    const value = headers[name];
    return typeof value === 'string' ? value : undefined;
  };
  return { timestamp: one('efa-timestamp'), signature: one('efa-signature') };
}
