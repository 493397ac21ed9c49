import { parsePointer } from '../../src/support/json-pointer';
import { withKey } from './raw-json';

/** Small edits of JSON data by pointer, for the mutations. Every edit works on a copy. */

export interface Node {
  readonly pointer: string;
  readonly value: unknown;
  readonly kind: 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null';
}

function kindOf(value: unknown): Node['kind'] {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') return 'object';
  return typeof value === 'string' ? 'string' : typeof value === 'number' ? 'number' : 'boolean';
}

/** Every value in the data with its pointer (the root included as ""), depth first. */
export function nodesOf(data: unknown): Node[] {
  const nodes: Node[] = [];
  const visit = (value: unknown, pointer: string, depth: number): void => {
    nodes.push({ pointer, value, kind: kindOf(value) });
    if (depth > 40 || value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) value.forEach((v, i) => visit(v, `${pointer}/${i}`, depth + 1));
    else for (const key of Object.keys(value)) visit((value as Record<string, unknown>)[key], `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`, depth + 1);
  };
  visit(data, '', 0);
  return nodes;
}

/** Sets the value at a pointer (creating nothing but the last key); returns false if the parent is missing. */
export function setAt(data: unknown, pointer: string, value: unknown): boolean {
  const tokens = parsePointer(pointer);
  const last = tokens.pop();
  if (last === undefined) return false;
  let parent: unknown = data;
  for (const token of tokens) {
    if (parent === null || typeof parent !== 'object') return false;
    parent = (parent as Record<string, unknown>)[token];
  }
  if (parent === null || typeof parent !== 'object') return false;
  if (Array.isArray(parent)) {
    const index = Number(last);
    if (!Number.isInteger(index) || index < 0) return false;
    parent[index] = value;
  } else {
    withKey(parent as Record<string, unknown>, last, value);
  }
  return true;
}

export function deleteAt(data: unknown, pointer: string): boolean {
  const tokens = parsePointer(pointer);
  const last = tokens.pop();
  if (last === undefined) return false;
  let parent: unknown = data;
  for (const token of tokens) {
    if (parent === null || typeof parent !== 'object') return false;
    parent = (parent as Record<string, unknown>)[token];
  }
  if (parent === null || typeof parent !== 'object') return false;
  if (Array.isArray(parent)) parent.splice(Number(last), 1);
  else delete (parent as Record<string, unknown>)[last];
  return true;
}
