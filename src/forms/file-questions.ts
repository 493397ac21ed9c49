import type { FormDefinition } from './form-definition';
import type { FieldIndex } from './field-index';
import type { FileQuestion, FormNode, FormStep, LeafNode, QuestionTree } from './form-tree';
import { getAtPointer, withoutAtPointer } from '../support/json-pointer';

/** At most this many files to one question: each is a part of every delivery. */
export const MAX_FILES_PER_QUESTION = 20;

/** A file question of a form with its pointer (file questions are never inside a list). */
export interface FileQuestionAt extends FileQuestion {
  readonly pointer: string;
  readonly node: LeafNode;
}

/**
 * Problems with the file questions of a definition (`ui.fields[…].widget: "file"`), as
 * `pointer: reason` pairs: the schema must be an array of attachment ids (`type: array`, items
 * `type: string, format: uuid`) with `maxItems` (1–20), the question must not sit in a list, and
 * it must say which media types it accepts. Checked at load like everything else.
 */
export function fileQuestionProblems(definition: FormDefinition, fields: FieldIndex): Array<{ pointer: string; reason: string }> {
  const problems: Array<{ pointer: string; reason: string }> = [];
  for (const [pointer, ui] of Object.entries(definition.ui?.fields ?? {})) {
    const at = `/ui/fields/${pointer.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    const isFile = ui.widget === 'file';
    if (!isFile) {
      if (ui.accept !== undefined) problems.push({ pointer: `${at}/accept`, reason: 'is only for file questions (widget "file")' });
      if (ui.maxFileBytes !== undefined) problems.push({ pointer: `${at}/maxFileBytes`, reason: 'is only for file questions (widget "file")' });
      continue;
    }
    if (!fields.get(pointer)) continue; // reported as not a field of the schema
    if (pointer.split('/').includes('*')) {
      problems.push({ pointer: at, reason: 'a file question cannot be inside a list (*)' });
      continue;
    }
    if (ui.accept === undefined) problems.push({ pointer: `${at}/accept`, reason: 'a file question must list the media types it accepts' });
    const field = fields.get(pointer);
    const items = fields.get(`${pointer}/*`);
    if (!field || !items || !field.types.has('array') || field.types.size !== 1 || !items.types.has('string') || items.types.size !== 1 || items.format !== 'uuid') {
      problems.push({ pointer: at, reason: 'a file question\'s schema must be {"type": "array", "items": {"type": "string", "format": "uuid"}, "maxItems": …}' });
    } else if (field.maxItems === undefined || field.maxItems < 1 || field.maxItems > MAX_FILES_PER_QUESTION) {
      problems.push({ pointer: at, reason: `a file question's schema needs "maxItems" from 1 to ${MAX_FILES_PER_QUESTION} (how many files it takes)` });
    }
  }
  return problems;
}

/** The file questions of one step (inside its groups too; never inside a list), in order. */
export function fileQuestionsOfStep(step: FormStep): FileQuestionAt[] {
  const found: FileQuestionAt[] = [];
  const walk = (node: FormNode) => {
    if (node.kind === 'leaf' && node.file) found.push({ ...node.file, pointer: node.pattern, node });
    else if (node.kind === 'group') node.children.forEach(walk);
  };
  step.nodes.forEach(walk);
  return found;
}

/** The file questions of a form, in tree order. */
export function fileQuestionsOf(tree: QuestionTree): FileQuestionAt[] {
  return tree.steps.flatMap(fileQuestionsOfStep);
}

/**
 * The answers with each file question answered by an empty list left out: no file is no answer,
 * so a required file question asks for an upload through the API as on the pages (where the
 * answer comes from the draft's files), whether or not its schema says `minItems`.
 */
export function withoutEmptyFileAnswers<T>(tree: QuestionTree, data: T): T {
  return fileQuestionsOf(tree).reduce((answers, q) => {
    const value = getAtPointer(answers, q.pointer);
    return Array.isArray(value) && value.length === 0 ? withoutAtPointer(answers, q.pointer) : answers;
  }, data);
}
