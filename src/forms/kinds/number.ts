import type { LeafKind } from './field-kind';
import { commonView, inputText } from './field-kind';
import { displayTyped, parseTyped } from './typed-answer';

/**
 * A number (partial field-text with a numeric keyboard). A text input, not type=number: that
 * one drops what it cannot read, so "12,5" or "1 000" would vanish instead of being read or
 * reported. Decimal commas and spaces are accepted (typed-answer.ts).
 */
export const numberKind: LeafKind = {
  widgets: ['number'],
  parse: parseTyped,
  view: (node, pointer, value, ctx) => ({
    ...commonView(node, pointer, ctx, 'field-text'),
    inputType: 'text',
    inputmode: node.valueType === 'integer' ? 'numeric' : 'decimal',
    value: inputText(value),
    widthClass: 'efa-input--width-10',
    spellcheckOff: true,
  }),
  display: displayTyped,
};
