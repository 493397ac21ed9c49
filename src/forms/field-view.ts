import { getAtPointer } from '../support/json-pointer';
import type { FormNode } from './form-tree';
import type { FieldView, ViewContext } from './kinds/field-kind';
import { groupKind } from './kinds/group';
import { kindOf } from './kinds/index';
import { repeatKind } from './kinds/repeat';

export { fieldId, type FieldView, type ViewContext } from './kinds/field-kind';

/** Builds the view of one question (and, for groups and lists, of everything inside it). */
export function fieldView(node: FormNode, pointer: string, ctx: ViewContext): FieldView | undefined {
  switch (node.kind) {
    case 'leaf':
      // The municipality is asked on the region step only, although it belongs to an address group.
      if (node.pattern === ctx.form.regionPattern && node.widget !== 'region') return undefined;
      return kindOf(node).view(node, pointer, getAtPointer(ctx.data, pointer), ctx);
    case 'group':
      return groupKind.view(node, pointer, ctx, fieldView);
    case 'repeat':
      return repeatKind.view(node, pointer, ctx, fieldView);
  }
}
