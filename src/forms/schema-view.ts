/**
 * A merged view of one JSON Schema location for rendering: its own keywords plus those of its
 * `$ref` target and `allOf` parts, with properties and `required` united, and its if/then/else
 * pairs kept so that conditional questions can be shown or skipped. Only local refs are followed.
 */
type Schema = Readonly<Record<string, unknown>>;

export interface ConditionalBranch {
  readonly ifSchema: Schema;
  readonly branch: 'then' | 'else';
  /** Properties the branch adds or requires; they apply only while the branch is taken. */
  readonly properties: ReadonlySet<string>;
}

export interface SchemaView {
  readonly types: ReadonlySet<string>;
  readonly title?: string;
  readonly description?: string;
  readonly format?: string;
  readonly enumValues?: readonly unknown[];
  readonly hasConst: boolean;
  readonly constValue?: unknown;
  readonly maxLength?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly uniqueItems: boolean;
  /** Property name -> every subschema that describes it (merge them with viewOf). */
  readonly properties: ReadonlyMap<string, readonly Schema[]>;
  readonly required: ReadonlySet<string>;
  readonly conditionals: readonly ConditionalBranch[];
  readonly items: readonly Schema[];
}

/**
 * Adds a `properties` keyword's entries to a name -> subschemas map: a subschema is appended,
 * `true` only makes the name known (it allows anything), `false` is left out.
 */
export function addProperties(into: Map<string, Schema[]>, declared: unknown): void {
  if (!isSchema(declared)) return;
  for (const [name, sub] of Object.entries(declared)) {
    if (!isSchema(sub) && sub !== true) continue;
    const list = into.get(name) ?? [];
    if (isSchema(sub)) list.push(sub);
    into.set(name, list);
  }
}

export function isSchema(value: unknown): value is Schema {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function resolveLocalRef(root: Schema, ref: string): Schema | undefined {
  if (!ref.startsWith('#')) return undefined;
  let pointer: string;
  try {
    pointer = decodeURIComponent(ref.slice(1));
  } catch {
    return undefined;
  }
  let current: unknown = root;
  for (const token of pointer.split('/').slice(1)) {
    const key = token.replace(/~1/g, '/').replace(/~0/g, '~');
    current = isSchema(current) ? current[key] : undefined;
  }
  return isSchema(current) ? current : undefined;
}

/** Merges the given subschemas (and what they reference or include) into one view. */
export function viewOf(root: Schema, schemas: readonly Schema[]): SchemaView {
  const types = new Set<string>();
  const properties = new Map<string, Schema[]>();
  const required = new Set<string>();
  const conditionals: ConditionalBranch[] = [];
  const items: Schema[] = [];
  const view: {
    title?: string; description?: string; format?: string; enumValues?: readonly unknown[];
    hasConst: boolean; constValue?: unknown; maxLength?: number; minItems?: number; maxItems?: number; uniqueItems: boolean;
  } = { hasConst: false, uniqueItems: false };
  const seen = new Set<Schema>();

  const branchProperties = (branch: unknown): Set<string> => {
    const names = new Set<string>();
    if (!isSchema(branch)) return names;
    if (Array.isArray(branch.required)) for (const n of branch.required) if (typeof n === 'string') names.add(n);
    if (isSchema(branch.properties)) for (const n of Object.keys(branch.properties)) names.add(n);
    return names;
  };

  const add = (schema: Schema, depth: number): void => {
    if (seen.has(schema) || depth > 32) return;
    seen.add(schema);
    // Own keywords first: the first title found wins, so a $ref's sibling title beats the target's.
    if (typeof schema.title === 'string' && view.title === undefined) view.title = schema.title;
    if (typeof schema.description === 'string' && view.description === undefined) view.description = schema.description;
    if (typeof schema.format === 'string' && view.format === undefined) view.format = schema.format;
    if (typeof schema.type === 'string') types.add(schema.type);
    if (Array.isArray(schema.type)) for (const t of schema.type) if (typeof t === 'string') types.add(t);
    if (Array.isArray(schema.enum) && view.enumValues === undefined) view.enumValues = schema.enum;
    if ('const' in schema && !view.hasConst) {
      view.hasConst = true;
      view.constValue = schema.const;
    }
    if (typeof schema.maxLength === 'number') view.maxLength = Math.min(view.maxLength ?? Infinity, schema.maxLength);
    if (typeof schema.minItems === 'number') view.minItems = Math.max(view.minItems ?? 0, schema.minItems);
    if (typeof schema.maxItems === 'number') view.maxItems = Math.min(view.maxItems ?? Infinity, schema.maxItems);
    if (schema.uniqueItems === true) view.uniqueItems = true;
    addProperties(properties, schema.properties);
    if (Array.isArray(schema.required)) for (const n of schema.required) if (typeof n === 'string') required.add(n);
    if (isSchema(schema.items)) items.push(schema.items);
    if (Array.isArray(schema.allOf)) for (const part of schema.allOf) if (isSchema(part)) add(part, depth + 1);
    if (isSchema(schema.if)) {
      const ifSchema = schema.if;
      for (const branch of ['then', 'else'] as const) {
        const sub = schema[branch];
        if (!isSchema(sub)) continue;
        conditionals.push({ ifSchema, branch, properties: branchProperties(sub) });
        // Properties a branch declares are questions of this object too (shown when it applies).
        if (isSchema(sub.properties)) {
          for (const [name, s] of Object.entries(sub.properties)) {
            if (!isSchema(s)) continue;
            const list = properties.get(name) ?? [];
            list.push(s);
            properties.set(name, list);
          }
        }
      }
    }
    if (typeof schema.$ref === 'string') {
      const target = resolveLocalRef(root, schema.$ref);
      if (target) add(target, depth + 1);
    }
  };
  for (const schema of schemas) add(schema, 0);
  if (properties.size > 0) types.add('object');
  if (items.length > 0) types.add('array');
  return { ...view, types, properties, required, conditionals, items };
}
