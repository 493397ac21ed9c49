import type { FormNode, GroupNode } from '../form-tree';
import { applies } from '../applicability';
import type { FieldView, FormBody, ViewContext } from './field-kind';
import { commonView } from './field-kind';

/**
 * An object of the schema: its questions asked together in a fieldset (partial field-group).
 * A group is always an object, so a missing answer is reported at the field, not the group.
 * Children are handled by their own kinds through the callbacks (field-view.ts, form-post.ts).
 */
export const groupKind = {
  parse(node: GroupNode, pointer: string, body: FormBody, readChild: (child: FormNode, pointer: string, body: FormBody) => unknown): Record<string, unknown> {
    const value: Record<string, unknown> = {};
    for (const child of node.children) {
      const childValue = readChild(child, `${pointer}/${child.name}`, body);
      if (childValue !== undefined) value[child.name] = childValue;
    }
    return value;
  },

  view(node: GroupNode, pointer: string, ctx: ViewContext, viewChild: (child: FormNode, pointer: string, ctx: ViewContext) => FieldView | undefined): FieldView {
    const children = node.children
      // The municipality is asked on the region step only, although it belongs to an address group.
      .filter((c) => c.pattern !== ctx.form.regionPattern)
      .filter((c) => c.condition?.reveal !== undefined || applies(c, `${pointer}/${c.name}`, ctx.data))
      .map((c) => viewChild(c, `${pointer}/${c.name}`, ctx))
      .filter((v): v is FieldView => v !== undefined);
    return { ...commonView(node, pointer, ctx, 'field-group'), children };
  },
};
