import type { default as Ajv2020, ValidateFunction } from 'ajv/dist/2020';
import type { UiField } from './form-definition';
import type { LoadedForm } from './form-registry';
import { createDataAjv } from './data-ajv';
import { escapeToken } from './json-pointer';
import { viewOf, type SchemaView } from './schema-view';
import type { LocalText } from '../i18n/language';

/**
 * The form as questions: a tree of nodes built once per form from its schema and optional `ui`,
 * in schema order. Pages, answer parsing, summaries and pruning all walk this tree, never the
 * schema, so a page costs no schema walk.
 */
export type Widget =
  | 'text' | 'textarea' | 'number' | 'date' | 'email' | 'tel' | 'radios' | 'select' | 'checkbox'
  | 'checkboxes' | 'yesno' | 'region';

/** When a question applies: while `test(parentObject)` holds (an if/then branch is taken). */
export interface Condition {
  readonly test: (parent: unknown) => boolean;
  /** For the optional script: the sibling question that switches it and the values that show it. */
  readonly reveal?: { readonly controller: string; readonly values: readonly unknown[] };
}

interface NodeBase {
  /** Field pattern: JSON pointer into the data, array items as `*`. */
  readonly pattern: string;
  readonly name: string;
  readonly label: LocalText;
  readonly hint?: LocalText;
  readonly required: boolean;
  readonly condition?: Condition;
}

export interface LeafNode extends NodeBase {
  readonly kind: 'leaf';
  readonly widget: Widget;
  readonly valueType: 'string' | 'number' | 'integer' | 'boolean' | 'true' | 'array';
  readonly options: ReadonlyArray<{ readonly value: unknown; readonly label: LocalText }>;
  readonly autocomplete?: string;
  readonly maxLength?: number;
}

export interface GroupNode extends NodeBase {
  readonly kind: 'group';
  readonly children: readonly FormNode[];
}

export interface RepeatNode extends NodeBase {
  readonly kind: 'repeat';
  readonly item: FormNode;
  readonly itemLabel: LocalText;
  readonly minItems: number;
  readonly maxItems: number;
}

export type FormNode = LeafNode | GroupNode | RepeatNode;

export interface FormStep {
  readonly id: string;
  readonly title: LocalText;
  readonly description?: LocalText;
  readonly nodes: readonly FormNode[];
}

export interface FormModel {
  readonly form: LoadedForm;
  /** The region step comes first; declarations are not in any step (they go on the check page). */
  readonly steps: readonly FormStep[];
  readonly declarations: readonly LeafNode[];
  readonly root: GroupNode;
  readonly regionPattern: string;
  node(pattern: string): FormNode | undefined;
}

const REGION_STEP_TITLE: LocalText = { de: 'Ihre Gemeinde', en: 'Your municipality' };
const DETAILS_STEP_TITLE: LocalText = { de: 'Angaben', en: 'Details' };

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

function chooseWidget(view: SchemaView, ui: UiField | undefined, isRegion: boolean): { widget: Widget; valueType: LeafNode['valueType'] } {
  const valueType: LeafNode['valueType'] = view.hasConst && view.constValue === true ? 'true'
    : view.types.has('array') ? 'array'
      : view.types.has('boolean') ? 'boolean'
        : view.types.has('integer') ? 'integer'
          : view.types.has('number') ? 'number' : 'string';
  const uiWidget = ui?.widget;
  // Only the routing field gets the municipality lookup; elsewhere an ARS is an ordinary answer.
  if (isRegion) return { widget: 'region', valueType };
  if (uiWidget && uiWidget !== 'region' && uiWidget !== 'group' && uiWidget !== 'repeat' && uiWidget !== 'hidden') return { widget: uiWidget as Widget, valueType };
  if (valueType === 'true') return { widget: 'checkbox', valueType };
  if (valueType === 'array') return { widget: 'checkboxes', valueType };
  if (valueType === 'boolean') return { widget: 'yesno', valueType };
  if (view.enumValues) return { widget: view.enumValues.length <= 6 ? 'radios' : 'select', valueType };
  if (valueType === 'integer' || valueType === 'number') return { widget: 'number', valueType };
  if (view.format === 'date') return { widget: 'date', valueType };
  if (view.format === 'email') return { widget: 'email', valueType };
  if ((view.maxLength ?? 0) > 200) return { widget: 'textarea', valueType };
  return { widget: 'text', valueType };
}

export function buildFormModel(form: LoadedForm): FormModel {
  const { definition } = form;
  const root = definition.schema;
  const uiFields = definition.ui?.fields ?? {};
  const regionPattern = definition.routing.regionField;
  const ajv = createDataAjv({ allErrors: false });
  const index = new Map<string, FormNode>();

  const build = (pattern: string, name: string, schemas: readonly Schema[], required: boolean, condition: Condition | undefined): FormNode => {
    const view = viewOf(root, schemas);
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
        build(`${pattern}/${escapeToken(child)}`, child, subs, view.required.has(child), conditionsByProperty.get(child)));
      node = { ...base, kind: 'group', children };
    } else if (view.types.has('array') && view.items.length > 0 && !viewOf(root, view.items).enumValues) {
      const item = build(`${pattern}/*`, name, view.items, true, undefined);
      const itemLabel = ui?.itemLabel ?? (item.label.de !== humanize(name) ? item.label : label);
      node = { ...base, kind: 'repeat', item, itemLabel, minItems: view.minItems ?? 0, maxItems: view.maxItems ?? 50 };
    } else {
      const enumValues = view.enumValues ?? (view.items.length > 0 ? viewOf(root, view.items).enumValues : undefined) ?? [];
      const { widget, valueType } = chooseWidget(view, ui, pattern === regionPattern);
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

  const rootNode = build('', definition.id, [root], true, undefined);
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
      title: s.title,
      ...(s.description ? { description: s.description } : {}),
      nodes: s.fields.map((p) => index.get(p)).filter((n): n is FormNode => n !== undefined && !isDeclaration(n)),
    }));
  } else {
    // Without ui: one step per top-level object or list, and one per run of simple questions.
    steps = [];
    let run: FormNode[] = [];
    const flush = () => {
      if (run.length > 0) steps.push({ id: `angaben-${steps.length + 1}`, title: run.length === 1 ? run[0]!.label : DETAILS_STEP_TITLE, nodes: run });
      run = [];
    };
    for (const node of topLevel) {
      if (isDeclaration(node)) continue;
      if (node.kind === 'leaf') run.push(node);
      else {
        flush();
        steps.push({ id: node.name.toLowerCase().replace(/[^a-z0-9]+/g, '-') || `schritt-${steps.length + 1}`, title: node.label, nodes: [node] });
      }
    }
    flush();
  }
  // Region first: the municipality decides whether anyone can accept the application at all.
  const regionNode = index.get(regionPattern);
  if (regionNode) steps.unshift({ id: 'gemeinde', title: REGION_STEP_TITLE, nodes: [regionNode] });
  steps = steps.filter((s) => s.nodes.length > 0);

  return {
    form,
    steps,
    declarations,
    root: rootNode,
    regionPattern,
    node: (pattern) => index.get(pattern),
  };
}
