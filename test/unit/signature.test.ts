import { createHmac } from 'node:crypto';
import { MAX_SIGNATURE_AGE_SECONDS, signPayload, verifyPayloadSignature } from '../../src/delivery/signature';

const SECRET = 'shared-secret-of-the-authority';
const TS = 1_793_620_800; // 2026-11-02T10:00:00Z
const BODY = '<?xml version="1.0"?><antrag id="ABCD-EFGH-J"/>';

function expectedHmac(secret: string, text: string): string {
  return createHmac('sha512', Buffer.from(secret, 'utf8')).update(Buffer.from(text, 'utf8')).digest('hex');
}

function headersFor(timestamp: number | string, signature: string): { timestamp: string; signature: string } {
  return { timestamp: String(timestamp), signature };
}

describe('signPayload', () => {
  it('is the hex HMAC-SHA512 of "<timestamp>.<body>"', () => {
    const signature = signPayload(SECRET, TS, BODY);
    expect(signature).toBe(expectedHmac(SECRET, `${TS}.${BODY}`));
    expect(signature).toMatch(/^[0-9a-f]{128}$/);
  });

  it('joins timestamp and body with a single dot, nothing else', () => {
    expect(signPayload('key', 0, 'x')).toBe(expectedHmac('key', '0.x'));
    expect(signPayload('key', 0, 'x')).not.toBe(expectedHmac('key', '0x'));
    expect(signPayload('key', 0, 'x')).not.toBe(expectedHmac('key', 'x'));
  });

  it('encodes a body with umlauts as UTF-8', () => {
    const body = '{"name":"Jürgen Größe","ort":"Weißensee","stadt":"Łódź"}';
    const signature = signPayload(SECRET, TS, body);
    expect(signature).toBe(expectedHmac(SECRET, `${TS}.${body}`));
    // Latin-1 would give a different MAC for the same text.
    const latin1 = createHmac('sha512', SECRET).update(`${TS}.${body}`, 'latin1').digest('hex');
    expect(signature).not.toBe(latin1);
  });

  it('depends on secret, timestamp and body', () => {
    const base = signPayload(SECRET, TS, BODY);
    expect(signPayload(`${SECRET}x`, TS, BODY)).not.toBe(base);
    expect(signPayload(SECRET, TS + 1, BODY)).not.toBe(base);
    expect(signPayload(SECRET, TS, `${BODY} `)).not.toBe(base);
  });
});

describe('verifyPayloadSignature', () => {
  const signature = signPayload(SECRET, TS, BODY);

  it('accepts a valid signature', () => {
    expect(verifyPayloadSignature(SECRET, headersFor(TS, signature), BODY, TS)).toBe(true);
  });

  it('accepts a UTF-8 body with umlauts signed by signPayload', () => {
    const body = 'Antragstellerin: Käthe Müller-Lüdenscheidt, Straße 5, 99084 Erfurt 🐕';
    const sig = expectedHmac(SECRET, `${TS}.${body}`);
    expect(verifyPayloadSignature(SECRET, headersFor(TS, sig), body, TS)).toBe(true);
    expect(verifyPayloadSignature(SECRET, headersFor(TS, sig), body.replace('ä', 'a'), TS)).toBe(false);
  });

  it('rejects a signature made with another secret', () => {
    expect(verifyPayloadSignature('another-secret', headersFor(TS, signature), BODY, TS)).toBe(false);
  });

  it('rejects a tampered body', () => {
    expect(verifyPayloadSignature(SECRET, headersFor(TS, signature), BODY.replace('ABCD', 'ABCE'), TS)).toBe(false);
    expect(verifyPayloadSignature(SECRET, headersFor(TS, signature), `${BODY}\n`, TS)).toBe(false);
    expect(verifyPayloadSignature(SECRET, headersFor(TS, signature), '', TS)).toBe(false);
  });

  it('rejects a tampered timestamp even within the allowed age', () => {
    expect(verifyPayloadSignature(SECRET, headersFor(TS - 1, signature), BODY, TS)).toBe(false);
    expect(verifyPayloadSignature(SECRET, headersFor(TS + 1, signature), BODY, TS)).toBe(false);
  });

  it('rejects a flipped signature character', () => {
    const last = signature.slice(-1) === '0' ? '1' : '0';
    expect(verifyPayloadSignature(SECRET, headersFor(TS, signature.slice(0, -1) + last), BODY, TS)).toBe(false);
  });

  it('allows up to 300 s of age and rejects anything older', () => {
    expect(MAX_SIGNATURE_AGE_SECONDS).toBe(300);
    expect(verifyPayloadSignature(SECRET, headersFor(TS, signature), BODY, TS + 300)).toBe(true);
    expect(verifyPayloadSignature(SECRET, headersFor(TS, signature), BODY, TS + 301)).toBe(false);
    expect(verifyPayloadSignature(SECRET, headersFor(TS, signature), BODY, TS + 86_400)).toBe(false);
  });

  it('rejects timestamps more than 300 s in the future as well', () => {
    expect(verifyPayloadSignature(SECRET, headersFor(TS, signature), BODY, TS - 300)).toBe(true);
    expect(verifyPayloadSignature(SECRET, headersFor(TS, signature), BODY, TS - 301)).toBe(false);
  });

  it('rejects missing headers', () => {
    expect(verifyPayloadSignature(SECRET, { timestamp: undefined, signature }, BODY, TS)).toBe(false);
    expect(verifyPayloadSignature(SECRET, { timestamp: String(TS), signature: undefined }, BODY, TS)).toBe(false);
    expect(verifyPayloadSignature(SECRET, { timestamp: undefined, signature: undefined }, BODY, TS)).toBe(false);
    expect(verifyPayloadSignature(SECRET, { timestamp: '', signature }, BODY, TS)).toBe(false);
    expect(verifyPayloadSignature(SECRET, { timestamp: String(TS), signature: '' }, BODY, TS)).toBe(false);
  });

  it.each([
    ['timestamp with a fraction', `${TS}.0`],
    ['negative timestamp', `-${TS}`],
    ['timestamp with letters', `${TS}a`],
    ['ISO date as timestamp', '2026-11-02T10:00:00Z'],
    ['timestamp with spaces', ` ${TS}`],
    ['13-digit (milliseconds) timestamp', `${TS}000`],
  ])('rejects a malformed timestamp header: %s', (_label, timestamp) => {
    expect(verifyPayloadSignature(SECRET, { timestamp, signature }, BODY, TS)).toBe(false);
  });

  it.each([
    ['one character short', (s: string) => s.slice(0, -1)],
    ['one character long', (s: string) => `${s}0`],
    ['non-hex character', (s: string) => `${s.slice(0, -1)}g`],
    ['base64 instead of hex', (s: string) => Buffer.from(s, 'hex').toString('base64')],
    ['with a "sha512=" prefix', (s: string) => `sha512=${s}`],
    ['a SHA-256 length signature', (s: string) => s.slice(0, 64)],
  ])('rejects a malformed signature header: %s, without throwing', (_label, mangle) => {
    expect(() => verifyPayloadSignature(SECRET, headersFor(TS, mangle(signature)), BODY, TS)).not.toThrow();
    expect(verifyPayloadSignature(SECRET, headersFor(TS, mangle(signature)), BODY, TS)).toBe(false);
  });
});
