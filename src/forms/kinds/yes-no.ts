import type { LeafKind } from './field-kind';
import { optionsView } from './choice';
import { displayTyped, parseTyped } from './typed-answer';

/** A boolean question as two inline radios, "Ja" and "Nein" (partial field-radios). */
export const yesNoKind: LeafKind = {
  widgets: ['yesno'],
  parse: parseTyped,
  view: (node, pointer, value, ctx) => optionsView(node, pointer, value, ctx, 'field-radios', [
    { value: true, label: { de: ctx.strings.yes ?? '' } },
    { value: false, label: { de: ctx.strings.no ?? '' } },
  ]),
  display: displayTyped,
};
