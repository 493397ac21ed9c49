import { escapeToken } from '../support/json-pointer';

/** Keywords whose values are data, not schemas: a "pattern" inside them is no regular expression. */
const DATA_KEYWORDS = new Set(['const', 'enum', 'default', 'examples']);
/** Keywords whose members are named by the form's author: a property called "enum" is a schema. */
const NAME_MAPS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);

/** One problem found in a form's schema, for a `file: /schema<pointer>: reason` line. */
export interface SchemaProblem {
  /** JSON pointer into the form's schema. */
  readonly pointer: string;
  readonly reason: string;
}

/**
 * Calls `visit` with every keyword of every subschema (and its JSON pointer), without looking
 * inside data keywords (`const`, `enum`, `default`, `examples`). Depth is bounded, so a hostile
 * definition cannot overflow the stack.
 */
export function walkSchemaKeywords(schema: unknown, visit: (keyword: string, value: unknown, pointer: string) => void): void {
  const walk = (node: unknown, pointer: string, namesOnly: boolean, depth: number): void => {
    if (depth > 256 || node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      node.forEach((item, i) => walk(item, `${pointer}/${i}`, false, depth + 1));
      return;
    }
    for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
      const at = `${pointer}/${escapeToken(key)}`;
      if (namesOnly) {
        walk(value, at, false, depth + 1);
        continue;
      }
      visit(key, value, at);
      if (!DATA_KEYWORDS.has(key)) walk(value, at, NAME_MAPS.has(key), depth + 1);
    }
  };
  walk(schema, '', false, 0);
}
