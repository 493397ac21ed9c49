import { localize } from '../../i18n/language';
import { normalizeText } from '../normalize-answers';
import type { LeafNode } from '../form-tree';
import type { DisplayContext, FormBody } from './field-kind';

/**
 * What most kinds share: reading a posted value by the JSON type the schema wants, and
 * displaying an answer by its type and options. Kinds with their own input (date, checkbox)
 * or their own display (region, date) add to this.
 */

export function firstValue(raw: string | string[] | undefined): string | undefined {
  return Array.isArray(raw) ? raw[0] : raw;
}

/** A typed text: browsers send line ends as CRLF; then the API's normalisation (trim, NFC). */
export function typedText(raw: string | string[] | undefined): string | undefined {
  const typed = firstValue(raw);
  const value = typed === undefined ? undefined : normalizeText(typed.replace(/\r\n?/g, '\n'));
  return value === undefined || value === '' ? undefined : value;
}

/** Reads the posted value at the node's pointer as the JSON type its schema asks for. */
export function parseTyped(node: LeafNode, pointer: string, body: FormBody): unknown {
  const raw = body[pointer];
  switch (node.valueType) {
    case 'true':
      return firstValue(raw) === 'true' ? true : undefined;
    case 'boolean': {
      const v = firstValue(raw);
      return v === 'true' ? true : v === 'false' ? false : undefined;
    }
    case 'integer':
    case 'number': {
      const v = typedText(raw);
      if (v === undefined) return undefined;
      const normalized = v.replace(/\s/g, '').replace(',', '.');
      return /^-?[0-9]+(\.[0-9]+)?$/.test(normalized) ? Number(normalized) : v;
    }
    case 'array': {
      const values = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
      return values.map((v) => node.options.find((o) => String(o.value) === v)?.value ?? v);
    }
    default: {
      const v = typedText(raw);
      if (v === undefined || node.options.length === 0) return v;
      return node.options.find((o) => String(o.value) === v)?.value ?? v;
    }
  }
}

/** How an answer reads: option labels, Ja/Nein, lists joined; '' when not answered. */
export function displayTyped(node: LeafNode, value: unknown, ctx: DisplayContext): string {
  if (value === undefined || value === null || value === '') return '';
  if (typeof value === 'boolean') return value ? (ctx.strings.yes ?? '') : (ctx.strings.no ?? '');
  const label = (v: unknown) => localize(node.options.find((o) => o.value === v)?.label, ctx.language) ?? String(v);
  if (Array.isArray(value)) return value.map(label).join(', ');
  if (node.options.length > 0) return label(value);
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}
