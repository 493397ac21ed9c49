/**
 * A Content-Disposition header value for a file name (RFC 6266): an ASCII `filename` for old
 * readers (every other character, and a quote or backslash, as `_`) and, when the name is not
 * plain ASCII, `filename*` in UTF-8 percent-encoding (RFC 8187, which replaced RFC 5987), which
 * readers that know it prefer. Header values never carry a control character this way.
 */

/** RFC 8187 attr-char: what may stand unencoded in `filename*`. */
const ATTR_CHAR = /[A-Za-z0-9!#$&+.^_`|~-]/;

function percentEncoded(name: string): string {
  let out = '';
  for (const char of name) {
    if (ATTR_CHAR.test(char)) out += char;
    else for (const byte of Buffer.from(char, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function asciiFallback(name: string): string {
  return name.replace(/[^\x20-\x7e]|["\\]/gu, '_');
}

export function contentDisposition(type: 'attachment' | 'inline', fileName: string): string {
  const fallback = asciiFallback(fileName);
  const plain = `${type}; filename="${fallback}"`;
  return fallback === fileName ? plain : `${plain}; filename*=UTF-8''${percentEncoded(fileName)}`;
}
