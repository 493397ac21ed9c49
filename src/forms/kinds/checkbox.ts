import type { LeafKind } from './field-kind';
import { commonView } from './field-kind';
import { displayTyped, firstValue, parseTyped } from './typed-answer';

/**
 * One checkbox (partial field-checkbox): a declaration (`const: true`, confirmed on the check
 * page) or a yes/no question asked as a tick. Not ticked means "no" for a boolean.
 */
export const checkboxKind: LeafKind = {
  widgets: ['checkbox'],
  parse: (node, pointer, body) => (node.valueType === 'boolean' ? firstValue(body[pointer]) === 'true' : parseTyped(node, pointer, body)),
  view: (node, pointer, value, ctx) => ({ ...commonView(node, pointer, ctx, 'field-checkbox'), checked: value === true }),
  display: displayTyped,
};
