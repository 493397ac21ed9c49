import { getAtPointer } from './json-pointer';
import { applies, countName, datePartName } from './form-post';
import type { FormModel, FormNode, LeafNode } from './question-tree';
import type { Language } from '../i18n/language';
import { localize } from '../i18n/language';
import { format, type UiStrings } from '../i18n/translator';

/** Everything a field partial needs; built per request from the node tree and the answers. */
export interface FieldView {
  readonly partial: string;
  readonly id: string;
  readonly name: string;
  readonly label: string;
  readonly hint?: string;
  readonly error?: string;
  readonly describedBy?: string;
  readonly required: boolean;
  readonly [extra: string]: unknown;
}

export interface ViewContext {
  readonly model: FormModel;
  readonly language: Language;
  readonly strings: UiStrings;
  readonly data: unknown;
  /** Messages by pointer, for the fields on this page. */
  readonly errors: ReadonlyMap<string, string>;
}

/** An HTML id for a field pointer; error summary links use it as fragment. */
export function fieldId(pointer: string): string {
  return `f${pointer.replace(/[^A-Za-z0-9_-]/g, '-')}`;
}

const INPUT_TYPES: Readonly<Record<string, string>> = { email: 'email', tel: 'tel' };

function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
}

function common(node: FormNode, pointer: string, ctx: ViewContext, partial: string) {
  const id = fieldId(pointer);
  const hint = localize(node.hint, ctx.language);
  const error = ctx.errors.get(pointer);
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  const reveal = node.condition?.reveal;
  const parent = pointer.slice(0, pointer.lastIndexOf('/'));
  return {
    partial,
    id,
    name: pointer,
    label: localize(node.label, ctx.language) ?? node.name,
    required: node.required,
    ...(hint ? { hint } : {}),
    ...(error ? { error } : {}),
    ...(describedBy ? { describedBy } : {}),
    ...(reveal ? { reveal: { controller: `${parent}/${reveal.controller}`, values: JSON.stringify(reveal.values.map(String)) } } : {}),
  };
}

function leafView(node: LeafNode, pointer: string, ctx: ViewContext): FieldView {
  const value = getAtPointer(ctx.data, pointer);
  const t = ctx.strings;
  switch (node.widget) {
    case 'date': {
      const [year = '', month = '', day = ''] = typeof value === 'string' ? value.split('-') : [];
      const base = common(node, pointer, ctx, 'field-date');
      const parts = [
        { part: 'day', label: t.day, value: day, width: 2 },
        { part: 'month', label: t.month, value: month, width: 2 },
        { part: 'year', label: t.year, value: year, width: 4 },
      ] as const;
      return {
        ...base,
        // The error summary link goes to the day input.
        date: parts.map((p, i) => ({
          id: i === 0 ? base.id : `${base.id}-${p.part}`,
          name: datePartName(pointer, p.part),
          label: p.label,
          value: p.value,
          width: p.width,
        })),
      };
    }
    case 'radios':
    case 'select':
    case 'checkboxes':
    case 'yesno': {
      const options = node.widget === 'yesno'
        ? [{ value: true, label: { de: t.yes ?? 'Ja' } }, { value: false, label: { de: t.no ?? 'Nein' } }]
        : node.options;
      const selected = (Array.isArray(value) ? (value as unknown[]) : value === undefined ? [] : [value]).map((v) => text(v));
      const base = common(node, pointer, ctx, node.widget === 'select' ? 'field-select' : node.widget === 'checkboxes' ? 'field-checkboxes' : 'field-radios');
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
    case 'checkbox':
      return { ...common(node, pointer, ctx, 'field-checkbox'), checked: value === true };
    case 'textarea':
      return { ...common(node, pointer, ctx, 'field-textarea'), value: text(value) };
    case 'number':
      return { ...common(node, pointer, ctx, 'field-text'), inputType: 'text', inputmode: node.valueType === 'integer' ? 'numeric' : 'decimal', value: text(value), widthClass: 'efa-input--width-10', spellcheckOff: true };
    case 'region':
      return { ...common(node, pointer, ctx, 'field-region'), value: text(value) };
    default: {
      const postal = /postleitzahl|plz|postal/i.test(node.name);
      return {
        ...common(node, pointer, ctx, 'field-text'),
        inputType: INPUT_TYPES[node.widget] ?? 'text',
        value: text(value),
        ...(node.autocomplete ? { autocomplete: node.autocomplete } : postal ? { autocomplete: 'postal-code' } : {}),
        ...(node.widget === 'email' ? { spellcheckOff: true, autocomplete: node.autocomplete ?? 'email' } : {}),
        ...(postal ? { inputmode: 'numeric', widthClass: 'efa-input--width-10' } : {}),
      };
    }
  }
}

/** Builds the view of one question (and, for groups and lists, of everything inside it). */
export function fieldView(node: FormNode, pointer: string, ctx: ViewContext): FieldView | undefined {
  // The municipality is asked on the region step only, although it belongs to an address group.
  if (node.pattern === ctx.model.regionPattern && node.kind === 'leaf' && node.widget !== 'region') return undefined;
  switch (node.kind) {
    case 'leaf':
      return leafView(node, pointer, ctx);
    case 'group': {
      const children = node.children
        .filter((c) => c.pattern !== ctx.model.regionPattern)
        .filter((c) => c.condition?.reveal !== undefined || applies(c, `${pointer}/${c.name}`, ctx.data))
        .map((c) => fieldView(c, `${pointer}/${c.name}`, ctx))
        .filter((v): v is FieldView => v !== undefined);
      return { ...common(node, pointer, ctx, 'field-group'), children };
    }
    case 'repeat': {
      const list = getAtPointer(ctx.data, pointer);
      // A list that needs at least one entry starts with one empty entry to fill in.
      const given = Array.isArray(list) ? list : [];
      const items = given.length === 0 && node.minItems > 0 ? [{}] : given;
      const itemLabel = localize(node.itemLabel, ctx.language) ?? node.name;
      const views = items.map((_, i) => {
        const itemPointer = `${pointer}/${i}`;
        const title = `${itemLabel} ${i + 1}`;
        const inner = fieldView(node.item, itemPointer, ctx);
        const children = inner?.partial === 'field-group' ? (inner.children as FieldView[]) : inner ? [inner] : [];
        return {
          id: fieldId(itemPointer),
          title,
          children,
          removeAction: items.length > node.minItems ? `remove:${itemPointer}` : undefined,
        };
      });
      return {
        ...common(node, pointer, ctx, 'field-repeat'),
        countName: countName(pointer),
        count: items.length,
        items: views,
        addAction: items.length < node.maxItems ? `add:${pointer}` : undefined,
        maxLengthHint: format(ctx.strings.maxLengthHint ?? '', { n: node.maxItems }),
      };
    }
  }
}
