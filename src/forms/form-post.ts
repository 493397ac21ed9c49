import { getAtPointer, parsePointer } from '../support/json-pointer';
import { fileQuestionsOfStep } from './file-questions';
import type { FormNode, FormStep, QuestionTree, RepeatNode } from './form-tree';
import type { FormBody } from './kinds/field-kind';
import { groupKind } from './kinds/group';
import { kindOf } from './kinds/index';
import { repeatKind } from './kinds/repeat';
import { FORBIDDEN_KEYS } from './unsafe-input';

export type { FormBody } from './kinds/field-kind';
export { countName } from './kinds/repeat';
export { datePartName } from './kinds/date';

type Data = Record<string, unknown>;

/** Reads a node's answer from a form post, each kind by its own module. */
function readNode(node: FormNode, pointer: string, body: FormBody): unknown {
  switch (node.kind) {
    case 'leaf':
      return kindOf(node).parse(node, pointer, body);
    case 'group':
      return groupKind.parse(node, pointer, body, readNode);
    case 'repeat':
      return repeatKind.parse(node, pointer, body, readNode);
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
export function readStep(form: QuestionTree, step: FormStep, body: FormBody, data: Data): Data {
  const next = structuredClone(data);
  const regionValue = getAtPointer(data, form.regionPattern);
  for (const node of step.nodes) setAt(next, node.pattern, readNode(node, node.pattern, body));
  if (step.kind !== 'region') setAt(next, form.regionPattern, regionValue);
  return next;
}

/** Merges the declarations ticked on the check page into the draft's data. */
export function readDeclarations(form: QuestionTree, body: FormBody, data: Data): Data {
  let next = data;
  for (const node of form.declarations) {
    next = readStep(form, { id: 'declarations', kind: 'questions', title: { de: '' }, nodes: [node] }, body, next);
  }
  return next;
}

/** The list node at a concrete pointer if it is one of this step's lists (or inside one). */
function listOnStep(form: QuestionTree, step: FormStep, pointer: string): RepeatNode | undefined {
  const isIndex = (t: string) => /^(0|[1-9][0-9]*)$/.test(t);
  let pattern: string;
  try {
    pattern = parsePointer(pointer).map((t) => (isIndex(t) ? '*' : t)).reduce((p, t) => `${p}/${t}`, '');
  } catch {
    return undefined;
  }
  const node = form.node(pattern);
  const onStep = step.nodes.some((n) => pattern === n.pattern || pattern.startsWith(`${n.pattern}/`));
  return node?.kind === 'repeat' && onStep ? node : undefined;
}

/**
 * Adds an empty item to a list, or removes one; for the buttons that work without JavaScript.
 * The pointer comes from the request, so only a list of this step is accepted, within its limits.
 */
export function changeList(form: QuestionTree, step: FormStep, data: Data, action: string): Data {
  const next = structuredClone(data);
  const match = /^(add|remove):(\/.+)$/.exec(action);
  if (!match) return next;
  const [, verb, pointer] = match as unknown as [string, 'add' | 'remove', string];
  if (verb === 'add') {
    const node = listOnStep(form, step, pointer);
    const list = getAtPointer(next, pointer);
    const items = Array.isArray(list) ? (list as unknown[]) : [];
    if (node && items.length < node.maxItems) setAt(next, pointer, [...items, {}]);
  } else {
    const index = Number(pointer.slice(pointer.lastIndexOf('/') + 1));
    const listPointer = pointer.slice(0, pointer.lastIndexOf('/'));
    const node = listOnStep(form, step, listPointer);
    const list = getAtPointer(next, listPointer);
    if (node && Array.isArray(list) && Number.isInteger(index) && list.length > node.minItems) {
      setAt(next, listPointer, list.filter((_, i) => i !== index));
    }
  }
  return next;
}

/**
 * Sets the answer of each file question of the step to the ids of the draft's files uploaded for
 * it, in the order they came (none: no answer). The store says which files a question holds;
 * ids in a post count for nothing, so an answer can never name a file that is not the draft's.
 */
export function withFileAnswers(step: FormStep, data: Data, files: ReadonlyArray<{ readonly id: string; readonly fieldPointer: string }>): Data {
  const questions = fileQuestionsOfStep(step);
  if (questions.length === 0) return data;
  const next = structuredClone(data);
  for (const question of questions) {
    const ids = files.filter((f) => f.fieldPointer === question.pointer).map((f) => f.id);
    setAt(next, question.pointer, ids.length > 0 ? ids : undefined);
  }
  return next;
}

/** withFileAnswers for every step of the form: answers as the store holds the draft's files. */
export function withAllFileAnswers(form: QuestionTree, data: Data, files: ReadonlyArray<{ readonly id: string; readonly fieldPointer: string }>): Data {
  return form.steps.reduce((next, step) => withFileAnswers(step, next, files), data);
}
