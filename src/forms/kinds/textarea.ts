import type { LeafKind } from './field-kind';
import { commonView, inputText } from './field-kind';
import { displayTyped, parseTyped } from './typed-answer';

/** A longer text (partial field-textarea): chosen for strings allowed more than 200 characters. */
export const textareaKind: LeafKind = {
  widgets: ['textarea'],
  parse: parseTyped,
  view: (node, pointer, value, ctx) => ({ ...commonView(node, pointer, ctx, 'field-textarea'), value: inputText(value) }),
  display: displayTyped,
};
