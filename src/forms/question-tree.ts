import { DOCUMENT_MEDIA_TYPES, type DocumentMediaType } from '../support/media-type';
import type { default as Ajv2020, ValidateFunction } from 'ajv/dist/2020';
import type { LocalText } from '../i18n/language';
import type { FormDefinition } from './form-definition';
import type { Condition, FormNode, FormStep, LeafNode, QuestionTree } from './form-tree';
import { escapeToken } from '../support/json-pointer';
import { chooseKind } from './kinds/index';
import { isSchema, resolveLocalRef, viewOf } from './schema-view';
import { DETAILS_STEP_TITLE, REGION_STEP_TITLE } from '../i18n/form-texts';

/** The region step's URL segment. */
const REGION_STEP_ID = 'gemeinde';

function humanize(name: string): string {
  const words = name.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/[_.-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

type Schema = Readonly<Record<string, unknown>>;

/** A condition's schema is validated against the parent object's answers. */
function conditionFor(ajv: Ajv2020, root: Schema, ifSchema: Schema, branch: 'then' | 'else'): Condition {
  const defs = root.$defs !== undefined ? { $defs: root.$defs } : {};
  const validate: ValidateFunction = ajv.compile({ ...defs, ...ifSchema });
  const test = (parent: unknown): boolean => (validate(parent ?? {}) ? branch === 'then' : branch === 'else');
  // The simple shape {properties: {x: {const|enum}}, required: [x]} can be mirrored in the browser.
  const props = ifSchema.properties as Record<string, Schema> | undefined;
  const keys = props ? Object.keys(props) : [];
  const only = keys.length === 1 ? props?.[keys[0]!] : undefined;
  if (branch === 'then' && only && keys[0] !== undefined) {
    const values = 'const' in only ? [only.const] : Array.isArray(only.enum) ? only.enum : undefined;
    if (values) return { test, reveal: { controller: keys[0], values } };
  }
  return { test };
}

/**
 * Builds the question tree of a form (see form-tree.ts) with the registry's ajv, which compiles
 * the conditions of if/then/else questions exactly as the validator judges them.
 */
export function buildQuestionTree(definition: FormDefinition, ajv: Ajv2020): QuestionTree {
  const root = definition.schema;
  const uiFields = definition.ui?.fields ?? {};
  const regionPattern = definition.routing.regionField;
  const index = new Map<string, FormNode>();

  /** The local $refs a location follows, directly or through allOf (as viewOf merges them). */
  const refsOf = (schemas: readonly Schema[]): string[] => {
    const refs: string[] = [];
    const visit = (schema: unknown, depth: number): void => {
      if (!isSchema(schema) || depth > 32) return;
      if (typeof schema.$ref === 'string' && !refs.includes(schema.$ref)) {
        refs.push(schema.$ref);
        visit(resolveLocalRef(root, schema.$ref), depth + 1);
      }
      if (Array.isArray(schema.allOf)) for (const part of schema.allOf) visit(part, depth + 1);
    };
    for (const schema of schemas) visit(schema, 0);
    return refs;
  };

  const build = (pattern: string, name: string, schemas: readonly Schema[], required: boolean, condition: Condition | undefined, refsOnPath: ReadonlySet<string>): FormNode => {
    // A recursive schema (a $ref back to a location above) would be asked forever. Where a $ref
    // repeats, the tree stops: that location becomes a plain text question, which pages cannot
    // answer for an object; a form whose recursive part is required can only be sent by the API.
    const refs = refsOf(schemas);
    const recursive = refs.some((ref) => refsOnPath.has(ref));
    const view = viewOf(root, recursive ? [] : schemas);
    const path = new Set([...refsOnPath, ...refs]);
    const ui = uiFields[pattern];
    const label: LocalText = ui?.label ?? { de: view.title ?? humanize(name) };
    const hint = ui?.hint ?? (view.description !== undefined ? { de: view.description } : undefined);
    const base = { pattern, name, label, required, ...(hint ? { hint } : {}), ...(condition ? { condition } : {}) };
    let node: FormNode;
    if (view.types.has('object') && view.properties.size > 0) {
      const conditionsByProperty = new Map<string, Condition>();
      for (const branch of view.conditionals) {
        for (const prop of branch.properties) {
          if (!view.required.has(prop) && !conditionsByProperty.has(prop)) {
            conditionsByProperty.set(prop, conditionFor(ajv, root, branch.ifSchema, branch.branch));
          }
        }
      }
      const children = [...view.properties.entries()].map(([child, subs]) =>
        build(`${pattern}/${escapeToken(child)}`, child, subs, view.required.has(child), conditionsByProperty.get(child), path));
      node = { ...base, kind: 'group', children };
    } else if (ui?.widget === 'file') {
      // A list of attachment ids, asked as one question (kinds/file.ts); checked at load (file-questions.ts).
      const accept = (ui.accept ?? []).filter((t): t is DocumentMediaType => (DOCUMENT_MEDIA_TYPES as readonly string[]).includes(t));
      node = {
        ...base, kind: 'leaf', widget: 'file', valueType: 'array', options: [],
        file: { accept, maxFiles: view.maxItems ?? 1, ...(ui.maxFileBytes !== undefined ? { maxFileBytes: ui.maxFileBytes } : {}) },
      };
    } else if (view.types.has('array') && view.items.length > 0 && !viewOf(root, view.items).enumValues) {
      const item = build(`${pattern}/*`, name, view.items, true, undefined, path);
      const itemLabel = ui?.itemLabel ?? (item.label.de !== humanize(name) ? item.label : label);
      node = { ...base, kind: 'repeat', item, itemLabel, minItems: view.minItems ?? 0, maxItems: view.maxItems ?? 50 };
    } else {
      const enumValues = view.enumValues ?? (view.items.length > 0 ? viewOf(root, view.items).enumValues : undefined) ?? [];
      const { widget, valueType } = chooseKind(view, ui, pattern === regionPattern);
      const options = enumValues.map((value) => ({ value, label: ui?.options?.[String(value)] ?? { de: String(value) } }));
      node = {
        ...base, kind: 'leaf', widget, valueType, options,
        ...(ui?.autocomplete !== undefined ? { autocomplete: ui.autocomplete } : {}),
        ...(view.maxLength !== undefined ? { maxLength: view.maxLength } : {}),
      };
    }
    index.set(pattern, node);
    return node;
  };

  const rootNode = build('', definition.id, [root], true, undefined, new Set());
  if (rootNode.kind !== 'group') throw new Error(`form ${definition.id}: the schema root must be an object with properties`);
  const topLevel = rootNode.children;

  // Declarations (a top-level `const: true`) are confirmed on the check page, not in a step.
  const declarations = topLevel.filter((n): n is LeafNode => n.kind === 'leaf' && n.valueType === 'true');
  const isDeclaration = (n: FormNode) => declarations.includes(n as LeafNode);

  let steps: FormStep[];
  const uiSteps = definition.ui?.steps;
  if (uiSteps) {
    steps = uiSteps.map((s) => ({
      id: s.id,
      kind: 'questions',
      title: s.title,
      ...(s.description ? { description: s.description } : {}),
      nodes: s.fields.map((p) => index.get(p)).filter((n): n is FormNode => n !== undefined && !isDeclaration(n)),
    }));
  } else {
    // Without ui: one step per top-level object or list, and one per run of simple questions.
    steps = [];
    let run: FormNode[] = [];
    const flush = () => {
      if (run.length > 0) steps.push({ id: `angaben-${steps.length + 1}`, kind: 'questions', title: run.length === 1 ? run[0]!.label : DETAILS_STEP_TITLE, nodes: run });
      run = [];
    };
    for (const node of topLevel) {
      if (isDeclaration(node)) continue;
      if (node.kind === 'leaf') run.push(node);
      else {
        flush();
        steps.push({ id: node.name.toLowerCase().replace(/[^a-z0-9]+/g, '-') || `schritt-${steps.length + 1}`, kind: 'questions', title: node.label, nodes: [node] });
      }
    }
    flush();
  }
  // Region first: the municipality decides whether anyone can accept the application at all.
  const regionNode = index.get(regionPattern);
  // Its id is the page's URL (/steps/gemeinde); code asks for `kind: 'region'`, never for the id.
  if (regionNode) steps.unshift({ id: REGION_STEP_ID, kind: 'region', title: REGION_STEP_TITLE, nodes: [regionNode] });
  steps = steps.filter((s) => s.nodes.length > 0);

  return {
    steps,
    declarations,
    root: rootNode,
    regionPattern,
    node: (pattern) => index.get(pattern),
  };
}
