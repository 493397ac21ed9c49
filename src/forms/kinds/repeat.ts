import { localize } from '../../i18n/language';
import { format } from '../../i18n/translator';
import { getAtPointer } from '../../support/json-pointer';
import type { FormNode, RepeatNode } from '../form-tree';
import type { FieldView, FormBody, ViewContext } from './field-kind';
import { commonView, fieldId } from './field-kind';
import { firstValue } from './typed-answer';

/** The HTML name of the hidden input that says how many items a list has on the page. */
export function countName(pointer: string): string {
  return `${pointer}|count`;
}

/**
 * A list of items (partial field-repeat): "Hunde" with "Hund 1", "Hund 2", each item asked by
 * its own kind. Without JavaScript, items are added and removed with buttons that post the
 * step (`add:<pointer>`, `remove:<pointer>/<index>`), within minItems and maxItems.
 */
export const repeatKind = {
  parse(node: RepeatNode, pointer: string, body: FormBody, readChild: (child: FormNode, pointer: string, body: FormBody) => unknown): unknown[] {
    const count = Math.min(Number(firstValue(body[countName(pointer)]) ?? 0) || 0, node.maxItems);
    return Array.from({ length: count }, (_, i) => readChild(node.item, `${pointer}/${i}`, body) ?? null);
  },

  view(node: RepeatNode, pointer: string, ctx: ViewContext, viewChild: (child: FormNode, pointer: string, ctx: ViewContext) => FieldView | undefined): FieldView {
    const list = getAtPointer(ctx.data, pointer);
    // A list that needs at least one entry starts with one empty entry to fill in.
    const given = Array.isArray(list) ? list : [];
    const items = given.length === 0 && node.minItems > 0 ? [{}] : given;
    const itemLabel = localize(node.itemLabel, ctx.language) ?? node.name;
    const views = items.map((_, i) => {
      const itemPointer = `${pointer}/${i}`;
      const inner = viewChild(node.item, itemPointer, ctx);
      const children = inner?.partial === 'field-group' ? (inner.children as FieldView[]) : inner ? [inner] : [];
      return {
        id: fieldId(itemPointer),
        title: `${itemLabel} ${i + 1}`,
        children,
        removeAction: items.length > node.minItems ? `remove:${itemPointer}` : undefined,
      };
    });
    return {
      ...commonView(node, pointer, ctx, 'field-repeat'),
      countName: countName(pointer),
      count: items.length,
      items: views,
      addAction: items.length < node.maxItems ? `add:${pointer}` : undefined,
      maxLengthHint: format(ctx.strings.maxLengthHint ?? '', { n: node.maxItems }),
    };
  },
};
