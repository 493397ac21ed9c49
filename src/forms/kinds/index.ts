import type { UiField } from '../form-definition';
import type { LeafNode, Widget } from '../form-tree';
import type { SchemaView } from '../schema-view';
import { checkboxKind } from './checkbox';
import { choiceKind } from './choice';
import { DATE_FORMAT, dateKind } from './date';
import type { KindXsdType, LeafKind } from './field-kind';
import { fileKind } from './file';
import { numberKind } from './number';
import { regionKind } from './region';
import { textKind } from './text';
import { textareaKind } from './textarea';
import { yesNoKind } from './yes-no';

/**
 * The registry of kinds of questions: one line per kind module. Groups and lists
 * (group.ts, repeat.ts) are the tree's own structure and are not chosen here.
 */
const LEAF_KINDS: readonly LeafKind[] = [textKind, textareaKind, numberKind, dateKind, choiceKind, yesNoKind, checkboxKind, regionKind, fileKind];

const BY_WIDGET = new Map<Widget, LeafKind>(LEAF_KINDS.flatMap((kind) => kind.widgets.map((w) => [w, kind] as const)));

/** The XSD types of the kinds that have one, by JSON Schema format (payloads/xsd). */
export const KIND_XSD_TYPES: readonly KindXsdType[] = LEAF_KINDS.flatMap((kind) => (kind.xsd ? [kind.xsd] : []));

/** The kind's XSD type for answers of a JSON Schema format, if a kind has one. */
export function xsdTypeOfFormat(format: string | undefined): KindXsdType | undefined {
  return format === undefined ? undefined : KIND_XSD_TYPES.find((t) => t.format === format);
}

/** The module of a question's kind. */
export function kindOf(node: LeafNode): LeafKind {
  const kind = BY_WIDGET.get(node.widget);
  if (!kind) throw new Error(`no kind module for the widget ${node.widget}`);
  return kind;
}

/** Whether `ui.fields[…].widget` names a kind of question (and not group, repeat or hidden). */
export function isLeafWidget(widget: string): widget is Widget {
  return BY_WIDGET.has(widget as Widget);
}

/**
 * Which kind asks for a schema location, and the JSON type its answer is read as: the routing
 * field gets the municipality lookup; a `ui` widget wins otherwise; then the schema decides.
 */
export function chooseKind(view: SchemaView, ui: UiField | undefined, isRegion: boolean): { widget: Widget; valueType: LeafNode['valueType'] } {
  const valueType: LeafNode['valueType'] = view.hasConst && view.constValue === true ? 'true'
    : view.types.has('array') ? 'array'
      : view.types.has('boolean') ? 'boolean'
        : view.types.has('integer') ? 'integer'
          : view.types.has('number') ? 'number' : 'string';
  const uiWidget = ui?.widget;
  // Only the routing field gets the municipality lookup; elsewhere an ARS is an ordinary answer.
  if (isRegion) return { widget: 'region', valueType };
  if (uiWidget && uiWidget !== 'region' && isLeafWidget(uiWidget)) return { widget: uiWidget, valueType };
  if (valueType === 'true') return { widget: 'checkbox', valueType };
  if (valueType === 'array') return { widget: 'checkboxes', valueType };
  if (valueType === 'boolean') return { widget: 'yesno', valueType };
  if (view.enumValues) return { widget: view.enumValues.length <= 6 ? 'radios' : 'select', valueType };
  if (valueType === 'integer' || valueType === 'number') return { widget: 'number', valueType };
  if (view.format === DATE_FORMAT) return { widget: 'date', valueType };
  if (view.format === 'email') return { widget: 'email', valueType };
  if ((view.maxLength ?? 0) > 200) return { widget: 'textarea', valueType };
  return { widget: 'text', valueType };
}
