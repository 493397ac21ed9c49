/**
 * A receiver's reading of a multipart/mixed push (docs/delivery.md#attachments), written from
 * the documentation and RFC 2046, not from our writer: the boundary from the content type, parts
 * split at CRLF--boundary, each part's headers (names lower-cased) and its bytes.
 */
export interface ReceivedPart {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

export function parseMultipart(contentType: string | undefined, raw: Buffer): ReceivedPart[] {
  const match = /^multipart\/mixed;\s*boundary=("?)([^";]+)\1$/i.exec(contentType ?? '');
  if (!match) throw new Error(`not multipart/mixed with a boundary: ${String(contentType)}`);
  const boundary = match[2]!;
  const opening = Buffer.from(`--${boundary}\r\n`);
  if (!raw.subarray(0, opening.length).equals(opening)) throw new Error('the body does not start with the boundary');
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  const parts: ReceivedPart[] = [];
  let at = opening.length;
  for (;;) {
    const end = raw.indexOf(delimiter, at);
    if (end === -1) throw new Error('no closing delimiter');
    const part = raw.subarray(at, end);
    const split = part.indexOf('\r\n\r\n');
    if (split === -1) throw new Error('a part without headers');
    const headers: Record<string, string> = {};
    for (const line of part.subarray(0, split).toString('latin1').split('\r\n')) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    parts.push({ headers, body: Buffer.from(part.subarray(split + 4)) });
    const after = raw.subarray(end + delimiter.length, end + delimiter.length + 2).toString('latin1');
    if (after === '--') {
      if (!raw.subarray(end + delimiter.length + 2).equals(Buffer.from('\r\n'))) throw new Error('bytes after the closing delimiter');
      return parts;
    }
    if (after !== '\r\n') throw new Error('a delimiter not followed by CRLF');
    at = end + delimiter.length + 2;
  }
}

/** The file name a part's Content-Disposition gives: filename* (RFC 8187) when present, else filename. */
export function dispositionFileName(disposition: string | undefined): string | undefined {
  const extended = /filename\*=UTF-8''([^;]+)/i.exec(disposition ?? '');
  if (extended) return decodeURIComponent(extended[1]!);
  return /filename="([^"]*)"/.exec(disposition ?? '')?.[1];
}
