import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { FormRegistry } from '../../src/forms/form-registry';
import { escapeToken } from '../../src/support/json-pointer';
import type { CompiledForm as FormModel } from '../../src/forms/compiled-form';

/**
 * What the case generator knows about each sample form: its examples (valid-*.json and
 * invalid-*.json), its question tree (for the pages) and every leaf field of its schema with
 * the constraints that matter for choosing hostile values.
 */
export interface FieldInfo {
  /** JSON pointer pattern, array items as `*`. */
  readonly pattern: string;
  readonly types: ReadonlySet<string>;
  /** A string with no pattern, format, enum or const: any text within its length is valid. */
  readonly freeText: boolean;
  readonly maxLength?: number;
  readonly minLength?: number;
  /** pattern or format present: the place for inputs that make regular expressions backtrack. */
  readonly matched: boolean;
}

export interface Example {
  readonly name: string;
  readonly valid: boolean;
  readonly data: Record<string, unknown>;
}

export interface CatalogForm {
  readonly id: string;
  readonly examples: readonly Example[];
  readonly fields: readonly FieldInfo[];
  /** Array fields of the schema (patterns), e.g. `/hunde`. */
  readonly arrays: readonly string[];
  readonly model: FormModel;
  readonly regionField: string;
}

type Schema = Record<string, unknown>;

interface Collected {
  types: Set<string>;
  constrained: boolean;
  matched: boolean;
  maxLength?: number;
  minLength?: number;
}

function asSchema(value: unknown): Schema | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Schema) : undefined;
}

/** Every leaf and array pattern of a JSON Schema, following local $refs and all branches. */
function collectFields(root: Schema): { fields: FieldInfo[]; arrays: string[] } {
  const leaves = new Map<string, Collected>();
  const arrays = new Set<string>();
  const resolve = (node: Schema): Schema => {
    const ref = node.$ref;
    if (typeof ref !== 'string' || !ref.startsWith('#/')) return node;
    let target: unknown = root;
    for (const token of ref.slice(2).split('/')) target = asSchema(target)?.[token.replace(/~1/g, '/').replace(/~0/g, '~')];
    const resolved = asSchema(target);
    return resolved ? { ...resolve(resolved), ...Object.fromEntries(Object.entries(node).filter(([k]) => k !== '$ref')) } : node;
  };
  const walk = (raw: unknown, pattern: string, depth: number): void => {
    const found = asSchema(raw);
    if (!found || depth > 20) return;
    const node = resolve(found);
    for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
      const list = node[key];
      if (Array.isArray(list)) for (const branch of list) walk(branch, pattern, depth + 1);
    }
    for (const key of ['if', 'then', 'else'] as const) walk(node[key], pattern, depth + 1);
    const properties = asSchema(node.properties);
    if (properties) for (const [name, child] of Object.entries(properties)) walk(child, `${pattern}/${escapeToken(name)}`, depth + 1);
    const type = node.type;
    if (type === 'array' || node.items !== undefined) {
      arrays.add(pattern);
      walk(node.items, `${pattern}/*`, depth + 1);
      return;
    }
    if (type === 'object' || properties) return;
    if (typeof type !== 'string' && node.const === undefined && node.enum === undefined) return;
    const leaf = leaves.get(pattern) ?? { types: new Set<string>(), constrained: false, matched: false };
    if (typeof type === 'string') leaf.types.add(type);
    if (node.pattern !== undefined || node.format !== undefined) leaf.matched = true;
    if (node.pattern !== undefined || node.format !== undefined || node.enum !== undefined || node.const !== undefined) leaf.constrained = true;
    if (typeof node.maxLength === 'number') leaf.maxLength = Math.min(leaf.maxLength ?? Infinity, node.maxLength);
    if (typeof node.minLength === 'number') leaf.minLength = Math.max(leaf.minLength ?? 0, node.minLength);
    leaves.set(pattern, leaf);
  };
  walk(root, '', 0);
  const fields = [...leaves].filter(([p]) => p !== '').map(([pattern, c]) => ({
    pattern,
    types: c.types,
    freeText: c.types.has('string') && !c.constrained,
    matched: c.matched,
    ...(c.maxLength !== undefined ? { maxLength: c.maxLength } : {}),
    ...(c.minLength !== undefined ? { minLength: c.minLength } : {}),
  }));
  return { fields, arrays: [...arrays].filter((p) => p !== '') };
}

/** The sample forms as loaded by the server, with their examples from `formsDir`. */
export function loadCatalog(forms: FormRegistry, formsDir: string): CatalogForm[] {
  return forms.list().map((loaded) => {
    const id = loaded.definition.id;
    const examplesDir = path.join(formsDir, id, 'examples');
    const examples = readdirSync(examplesDir).filter((f) => /^(valid|invalid)-.*\.json$/.test(f)).sort().map((file) => ({
      name: file.replace(/\.json$/, ''),
      valid: file.startsWith('valid-'),
      data: JSON.parse(readFileSync(path.join(examplesDir, file), 'utf8')) as Record<string, unknown>,
    }));
    const schema = JSON.parse(readFileSync(path.join(formsDir, id, 'form.json'), 'utf8')) as { schema: Schema };
    const { fields, arrays } = collectFields(schema.schema);
    return { id, examples, fields, arrays, model: loaded, regionField: loaded.definition.routing.regionField };
  }).sort((a, b) => a.id.localeCompare(b.id));
}

/** The concrete pointers of a pattern in this data (`*` over the items that exist). */
export function pointersOf(data: unknown, pattern: string): string[] {
  const tokens = pattern.split('/').slice(1);
  let found: Array<{ pointer: string; value: unknown }> = [{ pointer: '', value: data }];
  for (const [i, token] of tokens.entries()) {
    const last = i === tokens.length - 1;
    const next: typeof found = [];
    for (const { pointer, value } of found) {
      if (token === '*') {
        if (Array.isArray(value)) value.forEach((item, j) => next.push({ pointer: `${pointer}/${j}`, value: item }));
      } else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        const name = token.replace(/~1/g, '/').replace(/~0/g, '~');
        // The last step may be missing: the field can be added to an existing parent.
        if (last || Object.hasOwn(value, name)) next.push({ pointer: `${pointer}/${token}`, value: (value as Record<string, unknown>)[name] });
      }
    }
    found = next;
  }
  return found.map((f) => f.pointer);
}
