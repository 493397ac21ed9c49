import { escapeToken, parsePointer } from '../support/json-pointer';

type JsonSchema = boolean | Record<string, unknown>;

/** What the schema says about one field, merged over $ref, allOf, if/then/else and friends. */
export interface FieldInfo {
  /** Field pattern: a JSON pointer into the data with array indices written as `*`. */
  readonly pattern: string;
  title?: string;
  description?: string;
  readonly types: Set<string>;
  hasConst: boolean;
  constValue?: unknown;
  enumValues?: readonly unknown[];
  format?: string;
  /**
   * The smallest maxLength / maxItems that always applies (from properties, items, allOf and
   * $ref; not from anyOf, oneOf or if/then/else, which may not be taken). Checked before ajv runs
   * (input-limits.ts), so an oversized answer costs no pattern, format or per-item work.
   */
  maxLength?: number;
  maxItems?: number;
}

export interface FieldIndex {
  get(pattern: string): FieldInfo | undefined;
  /** True when the field at this pattern holds an array (its items are addressed as `/*`). */
  isArray(pattern: string): boolean;
  patterns(): string[];
  /** Position of the field in schema order (for stable output); unknown fields sort last. */
  rank(pattern: string): number;
  /** Every property name declared anywhere in the schema, with the schema pointer declaring it. */
  readonly propertyNames: ReadonlyArray<{ readonly name: string; readonly schemaPointer: string }>;
}

/**
 * The longest text each known format can be: an answer to a date or postcode field is refused
 * beyond it before ajv runs, and never kept in a draft at 10,000 characters (the default).
 */
const FORMAT_MAX_LENGTH: Readonly<Record<string, number>> = {
  date: 10, 'date-time': 64, time: 32, email: 254, 'de-postal-code': 5, iban: 34, ars: 12, ags: 8,
  uri: 2048, uuid: 36, hostname: 253, ipv4: 15, ipv6: 45,
};

const SAME_LEVEL_LISTS = ['allOf', 'anyOf', 'oneOf'] as const;
const SAME_LEVEL_SINGLE = ['if', 'then', 'else'] as const;
const MAX_DEPTH = 64;

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Walks a JSON Schema once (at form load) and indexes every field it can reach. Only local
 * `$ref`s (`#/...`) are followed; recursion through refs is cut off, so recursive schemas load.
 * The first title found for a field wins, and a schema's own keywords are read before its $ref,
 * so `{"$ref": "#/$defs/address", "title": "Home address"}` is labelled "Home address".
 */
export function buildFieldIndex(root: Readonly<Record<string, unknown>>): FieldIndex {
  const fields = new Map<string, FieldInfo>();
  const propertyNames: Array<{ name: string; schemaPointer: string }> = [];
  const seenPropertyDeclarations = new Set<string>();

  function info(pattern: string): FieldInfo {
    let field = fields.get(pattern);
    if (!field) {
      field = { pattern, types: new Set(), hasConst: false };
      fields.set(pattern, field);
    }
    return field;
  }

  function resolveRef(ref: string): { schema: JsonSchema; pointer: string } | undefined {
    if (!ref.startsWith('#')) return undefined;
    let pointer: string;
    let current: unknown = root;
    try {
      pointer = decodeURIComponent(ref.slice(1));
      for (const token of parsePointer(pointer)) {
        current = isObject(current) || Array.isArray(current) ? (current as Record<string, unknown>)[token] : undefined;
      }
    } catch {
      return undefined; // not a pointer fragment (e.g. a $anchor): no labels from there
    }
    return typeof current === 'boolean' || isObject(current) ? { schema: current, pointer } : undefined;
  }

  function visit(schema: unknown, schemaPointer: string, pattern: string, refsOnPath: ReadonlySet<string>, depth: number, definite: boolean): void {
    if (depth > MAX_DEPTH || (typeof schema !== 'boolean' && !isObject(schema))) return;
    const field = info(pattern); // `true` declares a field too, it just allows anything
    if (!isObject(schema)) return;
    if (typeof schema.title === 'string' && field.title === undefined) field.title = schema.title;
    if (typeof schema.description === 'string' && field.description === undefined) field.description = schema.description;
    if (typeof schema.type === 'string') field.types.add(schema.type);
    if (Array.isArray(schema.type)) for (const t of schema.type) if (typeof t === 'string') field.types.add(t);
    if ('const' in schema && !field.hasConst) {
      field.hasConst = true;
      field.constValue = schema.const;
    }
    if (Array.isArray(schema.enum) && field.enumValues === undefined) field.enumValues = schema.enum;
    if (typeof schema.format === 'string' && field.format === undefined) field.format = schema.format;
    if (definite && typeof schema.maxLength === 'number') field.maxLength = Math.min(field.maxLength ?? Infinity, schema.maxLength);
    if (definite && typeof schema.maxItems === 'number') field.maxItems = Math.min(field.maxItems ?? Infinity, schema.maxItems);

    if (isObject(schema.properties)) {
      for (const [name, sub] of Object.entries(schema.properties)) {
        const declaredAt = `${schemaPointer}/properties/${escapeToken(name)}`;
        if (!seenPropertyDeclarations.has(declaredAt)) {
          seenPropertyDeclarations.add(declaredAt);
          propertyNames.push({ name, schemaPointer: declaredAt });
        }
        visit(sub, declaredAt, `${pattern}/${escapeToken(name)}`, refsOnPath, depth + 1, definite);
      }
    }
    if (schema.items !== undefined) {
      field.types.add('array');
      visit(schema.items, `${schemaPointer}/items`, `${pattern}/*`, refsOnPath, depth + 1, definite);
    }
    if (Array.isArray(schema.prefixItems)) {
      field.types.add('array');
      schema.prefixItems.forEach((sub, i) => visit(sub, `${schemaPointer}/prefixItems/${i}`, `${pattern}/*`, refsOnPath, depth + 1, false));
    }
    for (const keyword of SAME_LEVEL_LISTS) {
      const list = schema[keyword];
      if (Array.isArray(list)) list.forEach((sub, i) => visit(sub, `${schemaPointer}/${keyword}/${i}`, pattern, refsOnPath, depth + 1, definite && keyword === 'allOf'));
    }
    for (const keyword of SAME_LEVEL_SINGLE) {
      visit(schema[keyword], `${schemaPointer}/${keyword}`, pattern, refsOnPath, depth + 1, false);
    }
    if (isObject(schema.dependentSchemas)) {
      for (const [name, sub] of Object.entries(schema.dependentSchemas)) {
        visit(sub, `${schemaPointer}/dependentSchemas/${escapeToken(name)}`, pattern, refsOnPath, depth + 1, false);
      }
    }
    if (typeof schema.$ref === 'string' && !refsOnPath.has(schema.$ref)) {
      const target = resolveRef(schema.$ref);
      if (target) visit(target.schema, target.pointer, pattern, new Set([...refsOnPath, schema.$ref]), depth + 1, definite);
    }
  }

  visit(root, '', '', new Set(), 0, true);
  for (const field of fields.values()) {
    const implied = field.format !== undefined ? FORMAT_MAX_LENGTH[field.format] : undefined;
    if (implied !== undefined && field.maxLength === undefined) field.maxLength = implied;
  }
  const ranks = new Map([...fields.keys()].map((pattern, i) => [pattern, i]));

  return {
    get: (pattern) => fields.get(pattern),
    isArray: (pattern) => fields.get(pattern)?.types.has('array') ?? false,
    patterns: () => [...fields.keys()],
    rank: (pattern) => ranks.get(pattern) ?? Number.MAX_SAFE_INTEGER,
    propertyNames,
  };
}
