import { localize } from '../../i18n/language';
import type { LeafKind, ViewContext } from './field-kind';
import { commonView, inputText } from './field-kind';
import type { LeafNode } from '../form-tree';
import { displayTyped, parseTyped } from './typed-answer';

/** The option list of radios, a select or checkboxes; the first option carries the field's id. */
export function optionsView(node: LeafNode, pointer: string, value: unknown, ctx: ViewContext, partial: string, options: LeafNode['options']) {
  const selected = (Array.isArray(value) ? (value as unknown[]) : value === undefined ? [] : [value]).map((v) => inputText(v));
  const base = commonView(node, pointer, ctx, partial);
  return {
    ...base,
    inline: node.widget === 'yesno',
    options: options.map((o, i) => ({
      // The first option carries the field's id so that error links land on it.
      id: i === 0 ? base.id : `${base.id}-${i}`,
      value: String(o.value),
      label: localize(o.label, ctx.language) ?? String(o.value),
      checked: selected.includes(String(o.value)),
    })),
  };
}

const PARTIALS: Readonly<Partial<Record<LeafNode['widget'], string>>> = { select: 'field-select', checkboxes: 'field-checkboxes' };

/**
 * A choice among the schema's `enum` values: radios for up to six, a select beyond; checkboxes
 * for a list of them. Labels come from `ui.fields[…].options`.
 */
export const choiceKind: LeafKind = {
  widgets: ['radios', 'select', 'checkboxes'],
  parse: parseTyped,
  view: (node, pointer, value, ctx) => optionsView(node, pointer, value, ctx, PARTIALS[node.widget] ?? 'field-radios', node.options),
  display: displayTyped,
};
