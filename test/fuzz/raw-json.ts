/**
 * JSON text with holes for raw fragments: `__proto__` keys that really are keys of the body,
 * number literals JSON.stringify cannot write (1e400, -0, 1 followed by 400 zeros), nesting far
 * deeper than a recursive serialiser likes. The fuzzer builds values with these and writes the
 * body with `toJsonText`.
 */
export class RawJson {
  constructor(readonly text: string) {}
}

/** An object with an own property of any name, `__proto__` included. */
export function withKey(target: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  return target;
}

/** A deep copy of plain JSON data (objects, arrays, primitives, RawJson kept as they are). */
export function cloneJson<T>(value: T): T {
  if (value instanceof RawJson || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v: unknown) => cloneJson(v)) as T;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) withKey(copy, key, cloneJson((value as Record<string, unknown>)[key]));
  return copy as T;
}

export function toJsonText(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v: unknown) => toJsonText(v)).join(',')}]`;
  const record = value as Record<string, unknown>;
  return `{${Object.keys(record).map((k) => `${JSON.stringify(k)}:${toJsonText(record[k])}`).join(',')}}`;
}

/** `depth` nested arrays or objects as JSON text, without recursion. */
export function deepNesting(depth: number, kind: 'array' | 'object'): RawJson {
  return kind === 'array'
    ? new RawJson(`${'['.repeat(depth)}${']'.repeat(depth)}`)
    : new RawJson(`${'{"a":'.repeat(depth)}{}${'}'.repeat(depth)}`);
}
