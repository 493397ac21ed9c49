/** The character encodings the official directory and postal-code lists come in. */
export type TextEncoding = 'UTF-8' | 'ISO-8859-1';

export interface DecodedText {
  readonly text: string;
  readonly encoding: TextEncoding;
}

/**
 * Decodes a file that is either UTF-8 (current Destatis files) or ISO-8859-1 (older years).
 * Valid UTF-8 is taken as UTF-8: a Latin-1 file with umlauts is almost never valid UTF-8 (an
 * "ü" is the lone byte 0xFC, which UTF-8 forbids), while a UTF-8 file read as Latin-1 would
 * silently turn "Thüringen" into "ThÃ¼ringen". A byte-order mark is dropped.
 *
 * ISO-8859-1 is decoded by Buffer's `latin1`, which maps every byte to the code point of the
 * same number; TextDecoder's "latin1" would be windows-1252 and differ for 0x80–0x9F.
 */
export function decodeText(bytes: Uint8Array): DecodedText {
  try {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
    return { text, encoding: 'UTF-8' };
  } catch {
    return { text: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1'), encoding: 'ISO-8859-1' };
  }
}

/**
 * The lines of a text with LF or CRLF ends (the last line break is not a line of its own), so
 * line numbers match what an editor shows.
 */
export function splitLines(text: string): string[] {
  const lines = text.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}
