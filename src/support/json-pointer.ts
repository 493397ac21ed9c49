/** RFC 6901 JSON pointers: the addresses used for fields in errors, ui hints and routing. */

export function escapeToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function unescapeToken(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`not a JSON pointer: ${pointer}`);
  return pointer.slice(1).split('/').map(unescapeToken);
}

export function joinPointer(base: string, token: string | number): string {
  return `${base}/${escapeToken(String(token))}`;
}

/** Reads the value at a pointer, or undefined when any step is missing. Own properties only. */
export function getAtPointer(value: unknown, pointer: string): unknown {
  let current: unknown = value;
  for (const token of parsePointer(pointer)) {
    if (Array.isArray(current)) {
      if (!/^(0|[1-9][0-9]*)$/.test(token)) return undefined;
      current = current[Number(token)];
    } else if (current !== null && typeof current === 'object' && Object.hasOwn(current, token)) {
      current = (current as Record<string, unknown>)[token];
    } else {
      return undefined;
    }
  }
  return current;
}

/**
 * A copy of `value` without the member at a pointer into objects (nothing there, or an array on
 * the way: an unchanged copy). Used where an answer must count as not given.
 */
export function withoutAtPointer<T>(value: T, pointer: string): T {
  const tokens = parsePointer(pointer);
  const copy = structuredClone(value);
  let node: unknown = copy;
  for (const token of tokens.slice(0, -1)) {
    node = node !== null && typeof node === 'object' && !Array.isArray(node) && Object.hasOwn(node, token) ? (node as Record<string, unknown>)[token] : undefined;
  }
  const last = tokens[tokens.length - 1];
  if (last !== undefined && node !== null && typeof node === 'object' && !Array.isArray(node)) delete (node as Record<string, unknown>)[last];
  return copy;
}

/** Replaces array indices with `*`, giving the field pattern used by ui.fields keys. */
export function toFieldPattern(pointer: string, isArrayIndex: (prefix: string) => boolean): string {
  let pattern = '';
  for (const token of parsePointer(pointer)) {
    pattern = /^(0|[1-9][0-9]*)$/.test(token) && isArrayIndex(pattern) ? `${pattern}/*` : joinPointer(pattern, token);
  }
  return pattern;
}
