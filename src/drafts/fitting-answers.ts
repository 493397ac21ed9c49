import type { CompiledForm } from '../forms/compiled-form';
import type { FormNode, LeafNode } from '../forms/form-tree';
import { escapeToken, parsePointer } from '../support/json-pointer';

type Data = Record<string, unknown>;

/** What carrying a draft over to a changed form kept and left out. */
export interface FittingAnswers {
  /** The answers that still fit the form. */
  readonly data: Data;
  /** Field patterns (`/hunde/*\/rasse`) of questions the form still asks whose answers no longer fit. */
  readonly dropped: readonly string[];
  /** True when answers to questions the form no longer asks were left out. */
  readonly removedQuestions: boolean;
}

function isObject(value: unknown): value is Data {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function lastToken(pattern: string): string {
  return parsePointer(pattern).at(-1) ?? '';
}

/**
 * Whether an answer has the shape the question takes now: its JSON type, and for questions with
 * options one of the options. Text that breaks a pattern or format still fits: it is what the
 * citizen typed, kept and shown with its error on its step, like any answer to correct.
 */
function leafFits(node: LeafNode, value: unknown): boolean {
  const options = node.options.map((o) => o.value);
  const isOption = (v: unknown) => options.length === 0 || options.some((o) => o === v);
  switch (node.valueType) {
    case 'array':
      return Array.isArray(value) && value.every(isOption);
    case 'boolean':
    case 'true':
      return typeof value === 'boolean' && isOption(value);
    case 'number':
    case 'integer':
      // A number field keeps what could not be read as a number as typed text (form-post.ts).
      return (typeof value === 'number' || typeof value === 'string') && isOption(value);
    default:
      return typeof value === 'string' && isOption(value);
  }
}

/**
 * The answers of a draft made on an earlier version of a form, carried over to the form as it is
 * now: each answer is kept where the form still asks the question and the answer still fits it
 * (its type and options, and what may be stored: no unsafe characters, within the input limits);
 * everything else is left out and reported, so the citizen can be told what to give again.
 */
export function fittingAnswers(form: CompiledForm, answers: Data): FittingAnswers {
  const dropped = new Set<string>();
  let removedQuestions = false;

  const keep = (node: FormNode, value: unknown): unknown => {
    if (node.kind === 'leaf') return leafFits(node, value) ? value : drop(node);
    if (node.kind === 'repeat') {
      if (!Array.isArray(value)) return drop(node);
      const items = value.slice(0, node.maxItems).map((item) => keep(node.item, item) ?? (isObject(item) ? {} : undefined));
      if (value.length > node.maxItems) dropped.add(node.pattern);
      return items.filter((item) => item !== undefined);
    }
    if (!isObject(value)) return drop(node);
    const known = new Map(node.children.map((child) => [lastToken(child.pattern), child]));
    const out: Data = {};
    for (const [key, child] of Object.entries(value)) {
      const question = known.get(key);
      if (!question) {
        removedQuestions = true;
        continue;
      }
      const kept = keep(question, child);
      if (kept !== undefined) out[key] = kept;
    }
    return out;
  };
  const drop = (node: FormNode): undefined => {
    dropped.add(node.pattern);
    return undefined;
  };

  let data = (keep(form.root, answers) ?? {}) as Data;
  // What may not even be stored (unsafe characters, beyond the limits) goes too, answer by answer.
  for (let round = 0; round < 3; round += 1) {
    const refused = form.storageErrors(data, 'de');
    if (refused.length === 0) break;
    for (const error of refused) {
      dropped.add(patternOf(error.pointer, data));
      data = withoutPointer(data, error.pointer);
    }
  }
  return { data, dropped: [...dropped], removedQuestions };
}

/** A copy of data without the value at pointer (the whole draft, when the pointer is the root). */
function withoutPointer(data: Data, pointer: string): Data {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return {};
  const copy = structuredClone(data);
  let node: unknown = copy;
  for (const token of tokens.slice(0, -1)) {
    node = isObject(node) || Array.isArray(node) ? (node as Data)[token] : undefined;
  }
  const last = tokens.at(-1)!;
  if (Array.isArray(node)) node.splice(Number(last), 1);
  else if (isObject(node)) delete node[last];
  return copy;
}

/** The field pattern of a data pointer: array indices become `*`. */
function patternOf(pointer: string, data: Data): string {
  let node: unknown = data;
  return parsePointer(pointer).map((token) => {
    const array = Array.isArray(node);
    node = array || isObject(node) ? (node as Data)[token] : undefined;
    return `/${array ? '*' : escapeToken(token)}`;
  }).join('');
}
