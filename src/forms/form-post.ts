import { getAtPointer, parsePointer } from './json-pointer';
import type { FieldError } from '../errors';
import type { FormModel, FormNode, FormStep, LeafNode, RepeatNode } from './question-tree';
import { FORBIDDEN_KEYS } from './unsafe-input';
import { normalizeText } from './normalize-answers';

/** A parsed application/x-www-form-urlencoded body (express.urlencoded, extended: false). */
export type FormBody = Readonly<Record<string, string | string[] | undefined>>;
type Data = Record<string, unknown>;

const DATE_PARTS = ['day', 'month', 'year'] as const;

/** HTML names of a date's three inputs: the field's pointer and the part, joined by "|". */
export function datePartName(pointer: string, part: (typeof DATE_PARTS)[number]): string {
  return `${pointer}|${part}`;
}

export function countName(pointer: string): string {
  return `${pointer}|count`;
}

function first(raw: string | string[] | undefined): string | undefined {
  return Array.isArray(raw) ? raw[0] : raw;
}

/** A typed text: browsers send line ends as CRLF; then the API's normalisation (trim, NFC). */
function text(raw: string | string[] | undefined): string | undefined {
  const typed = first(raw);
  const value = typed === undefined ? undefined : normalizeText(typed.replace(/\r\n?/g, '\n'));
  return value === undefined || value === '' ? undefined : value;
}

/**
 * Reads one answer as typed. What cannot be converted is kept as typed (a string), so that the
 * page shows it again and the schema reports what is wrong with it.
 */
function readLeaf(node: LeafNode, pointer: string, body: FormBody): unknown {
  if (node.widget === 'date') {
    const [day, month, year] = DATE_PARTS.map((p) => text(body[datePartName(pointer, p)]) ?? '');
    if (!day && !month && !year) return undefined;
    if (/^[0-9]{1,2}$/.test(day!) && /^[0-9]{1,2}$/.test(month!) && /^[0-9]{4}$/.test(year!)) {
      return `${year}-${month!.padStart(2, '0')}-${day!.padStart(2, '0')}`;
    }
    return `${year}-${month}-${day}`;
  }
  const raw = body[pointer];
  switch (node.valueType) {
    case 'true':
      return first(raw) === 'true' ? true : undefined;
    case 'boolean': {
      const v = first(raw);
      // A single checkbox for a yes/no question: not ticked means "no".
      if (node.widget === 'checkbox') return v === 'true';
      return v === 'true' ? true : v === 'false' ? false : undefined;
    }
    case 'integer':
    case 'number': {
      const v = text(raw);
      if (v === undefined) return undefined;
      const normalized = v.replace(/\s/g, '').replace(',', '.');
      return /^-?[0-9]+(\.[0-9]+)?$/.test(normalized) ? Number(normalized) : v;
    }
    case 'array': {
      const values = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
      return values.map((v) => node.options.find((o) => String(o.value) === v)?.value ?? v);
    }
    default: {
      const v = text(raw);
      if (v === undefined || node.options.length === 0) return v;
      return node.options.find((o) => String(o.value) === v)?.value ?? v;
    }
  }
}

function readNode(node: FormNode, pointer: string, body: FormBody): unknown {
  switch (node.kind) {
    case 'leaf':
      return readLeaf(node, pointer, body);
    case 'group': {
      // A group is always an object, so a missing answer is reported at the field, not the group.
      const value: Data = {};
      for (const child of node.children) {
        const childValue = readNode(child, `${pointer}/${child.name}`, body);
        if (childValue !== undefined) value[child.name] = childValue;
      }
      return value;
    }
    case 'repeat': {
      const count = Math.min(Number(first(body[countName(pointer)]) ?? 0) || 0, node.maxItems);
      return Array.from({ length: count }, (_, i) => readNode(node.item, `${pointer}/${i}`, body) ?? null);
    }
  }
}

/**
 * Writes a value at a pointer, creating objects on the way. Only own properties are followed and
 * `__proto__`, `constructor`, `prototype` are refused, so no pointer can reach Object.prototype.
 */
function setAt(data: Data, pointer: string, value: unknown): void {
  const tokens = parsePointer(pointer);
  const last = tokens.pop();
  if (last === undefined || FORBIDDEN_KEYS.has(last) || tokens.some((t) => FORBIDDEN_KEYS.has(t))) return;
  let target: Data = data;
  for (const token of tokens) {
    const next = Object.hasOwn(target, token) ? target[token] : undefined;
    if (next === null || typeof next !== 'object' || Array.isArray(next)) target[token] = {};
    target = target[token] as Data;
  }
  if (value === undefined) delete target[last];
  else target[last] = value;
}

/**
 * Merges the answers of one step into the draft's data. The region answer is only taken from
 * the region step, although its field sits inside an address group of another step.
 */
export function readStep(model: FormModel, step: FormStep, body: FormBody, data: Data): Data {
  const next = structuredClone(data);
  const regionValue = getAtPointer(data, model.regionPattern);
  for (const node of step.nodes) setAt(next, node.pattern, readNode(node, node.pattern, body));
  if (step.id !== 'gemeinde') setAt(next, model.regionPattern, regionValue);
  return next;
}

/** Whether a node applies to the answers given (its if/then branch is taken). */
export function applies(node: FormNode, pointer: string, data: unknown): boolean {
  if (!node.condition) return true;
  const parent = pointer.slice(0, pointer.lastIndexOf('/'));
  return node.condition.test(getAtPointer(data, parent) ?? {});
}

/** Removes the answers to questions that no longer apply, so they are never submitted. */
export function pruneInapplicable(model: FormModel, data: Data): Data {
  const pruned = structuredClone(data);
  const visit = (node: FormNode, pointer: string, value: unknown): void => {
    if (node.kind === 'group' && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const object = value as Data;
      for (const child of node.children) {
        const childPointer = `${pointer}/${child.name}`;
        if (!applies(child, childPointer, pruned)) delete object[child.name];
        else visit(child, childPointer, object[child.name]);
      }
    } else if (node.kind === 'repeat' && Array.isArray(value)) {
      value.forEach((item, i) => visit(node.item, `${pointer}/${i}`, item));
    }
  };
  visit(model.root, '', pruned);
  return pruned;
}

export function stepApplies(model: FormModel, step: FormStep, data: unknown): boolean {
  return step.nodes.some((node) => applies(node, node.pattern, data));
}

/** The errors that belong to a step's questions (the region field only on the region step). */
export function errorsOfStep(model: FormModel, step: FormStep, errors: readonly FieldError[]): FieldError[] {
  return errors.filter((e) => {
    const isRegion = e.pointer === model.regionPattern;
    if (step.id === 'gemeinde') return isRegion;
    if (isRegion) return false;
    return step.nodes.some((n) => e.pointer === n.pattern || e.pointer.startsWith(`${n.pattern}/`));
  });
}

/** The list node at a concrete pointer if it is one of this step's lists (or inside one). */
function listOnStep(model: FormModel, step: FormStep, pointer: string): RepeatNode | undefined {
  const isIndex = (t: string) => /^(0|[1-9][0-9]*)$/.test(t);
  let pattern: string;
  try {
    pattern = parsePointer(pointer).map((t) => (isIndex(t) ? '*' : t)).reduce((p, t) => `${p}/${t}`, '');
  } catch {
    return undefined;
  }
  const node = model.node(pattern);
  const onStep = step.nodes.some((n) => pattern === n.pattern || pattern.startsWith(`${n.pattern}/`));
  return node?.kind === 'repeat' && onStep ? node : undefined;
}

/**
 * Adds an empty item to a list, or removes one; for the buttons that work without JavaScript.
 * The pointer comes from the request, so only a list of this step is accepted, within its limits.
 */
export function changeList(model: FormModel, step: FormStep, data: Data, action: string): Data {
  const next = structuredClone(data);
  const match = /^(add|remove):(\/.+)$/.exec(action);
  if (!match) return next;
  const [, verb, pointer] = match as unknown as [string, 'add' | 'remove', string];
  if (verb === 'add') {
    const node = listOnStep(model, step, pointer);
    const list = getAtPointer(next, pointer);
    const items = Array.isArray(list) ? (list as unknown[]) : [];
    if (node && items.length < node.maxItems) setAt(next, pointer, [...items, {}]);
  } else {
    const index = Number(pointer.slice(pointer.lastIndexOf('/') + 1));
    const listPointer = pointer.slice(0, pointer.lastIndexOf('/'));
    const node = listOnStep(model, step, listPointer);
    const list = getAtPointer(next, listPointer);
    if (node && Array.isArray(list) && Number.isInteger(index) && list.length > node.minItems) {
      setAt(next, listPointer, list.filter((_, i) => i !== index));
    }
  }
  return next;
}
