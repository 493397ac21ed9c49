/**
 * encodeURIComponent, except that it never throws: a lone surrogate becomes the three bytes of
 * its generalised UTF-8 form (WTF-8, e.g. %ED%A0%80), which is what a sloppy client would send.
 */
export function percentEncode(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    let out = '';
    for (const char of text) {
      const code = char.codePointAt(0)!;
      if (code >= 0xd800 && code <= 0xdfff) {
        out += [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
      } else {
        out += encodeURIComponent(char);
      }
    }
    return out;
  }
}
