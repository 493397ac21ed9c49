/**
 * Compares stored answers with those sent, as data: same keys (in any order), same array items
 * in order, same numbers and strings. A stored text may also be the sent text trimmed and in
 * Unicode NFC, and a sent text that is empty after that may be missing: the server's documented
 * normalisation of answers. Returns the pointer of the first difference, or undefined.
 */
export function normalizedText(text: string): string {
  return text.trim().normalize('NFC');
}

export function firstDifference(stored: unknown, sent: unknown, pointer = ''): string | undefined {
  if (stored === sent) return undefined;
  if (typeof stored === 'string' && typeof sent === 'string') return stored === normalizedText(sent) ? undefined : pointer || '/';
  if (stored === null || sent === null || typeof stored !== 'object' || typeof sent !== 'object') return pointer || '/';
  if (Array.isArray(stored) !== Array.isArray(sent)) return pointer || '/';
  if (Array.isArray(stored) && Array.isArray(sent)) {
    if (stored.length !== sent.length) return `${pointer}/length`;
    for (let i = 0; i < stored.length; i++) {
      const d = firstDifference(stored[i], sent[i], `${pointer}/${i}`);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  const x = stored as Record<string, unknown>;
  const y = sent as Record<string, unknown>;
  for (const key of new Set([...Object.keys(x), ...Object.keys(y)])) {
    const sentValue = y[key];
    if (!Object.hasOwn(x, key) && Object.hasOwn(y, key) && typeof sentValue === 'string' && normalizedText(sentValue) === '') continue;
    if (!Object.hasOwn(x, key) || !Object.hasOwn(y, key)) return `${pointer}/${key}`;
    const d = firstDifference(x[key], sentValue, `${pointer}/${key}`);
    if (d !== undefined) return d;
  }
  return undefined;
}
