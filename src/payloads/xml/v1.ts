import { js2xml, type Element } from 'xml-js';
import type { FieldIndex } from '../../forms/field-index';
import { canonicalOrder } from '../../forms/canonical-order';
import type { LocalParameters } from '../../routing/tenant';
import { attachmentsElement, type PayloadAttachment } from './attachments-v1';
import { parametersElement } from './parameters-v1';
import { text, textNode } from './xml-elements';

/**
 * Payload format v1 (docs/payload-v1.md): the XML an authority receives for one submission.
 * The envelope follows XÖV habits (message id, type, time, author and reader, product); the
 * answers follow the form's own property names. Output is deterministic for the same input:
 * answers appear in schema order, unknown keys after them in UTF-16 code unit order.
 */
export type { PayloadAttachment } from './attachments-v1';

export const PAYLOAD_V1_NAMESPACE = 'urn:efa-forms:payload:v1';
export const PAYLOAD_V1_MESSAGE_TYPE = 'efa-forms.submission.v1';

export interface PayloadV1Input {
  readonly messageId: string;
  readonly createdAt: Date;
  readonly reference: string;
  readonly form: { readonly id: string; readonly version: string; readonly serviceKey: string };
  readonly regionArs: string;
  readonly tenant: { readonly id: string; readonly name: string };
  readonly author: { readonly id: string; readonly name: string };
  readonly reader: { readonly id: string; readonly name: string };
  readonly product: { readonly name: string; readonly version: string };
  readonly data: Readonly<Record<string, unknown>>;
  /** The responsibility's local parameters (fee, legal basis, …), carried in the header (issue 12). */
  readonly parameters?: LocalParameters;
  /** A test submission or test delivery: marked in the header so an authority's system can filter it (issue 12). */
  readonly test?: boolean;
  /** The uploaded files the submission carries, in the order of the answers (issue 15); listed in the header. */
  readonly attachments?: readonly PayloadAttachment[];
}

/**
 * xml-js writes attribute values as they are, so any value with "&", "<" or a quote would break
 * the document. Attributes here hold only fixed values today; they are escaped all the same.
 */
function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function party(name: string, directory: string, who: { id: string; name: string }): Element {
  return { type: 'element', name, elements: [text('directory', directory), text('id', who.id), text('name', who.name)] };
}

function answerElements(value: unknown): Element['elements'] {
  if (Array.isArray(value)) {
    return value.map((item) => answerElement('item', item));
  }
  if (value !== null && typeof value === 'object') {
    // Keys are already in schema order (canonicalOrder in buildPayloadV1).
    return Object.entries(value as Record<string, unknown>).map(([key, child]) => answerElement(key, child));
  }
  if (typeof value === 'string') return [textNode(value)];
  if (typeof value === 'number' || typeof value === 'boolean') return [textNode(String(value))];
  return []; // null (marked nil) — JSON has no other values

}

function answerElement(name: string, value: unknown): Element {
  // Element names were checked to be XML names when the form loaded and the data was accepted.
  const attributes = value === null ? { nil: 'true' } : undefined;
  return { type: 'element', name, ...(attributes ? { attributes } : {}), elements: answerElements(value) ?? [] };
}

function optional(element: Element | undefined): Element[] {
  return element ? [element] : [];
}

export function buildPayloadV1(input: PayloadV1Input, fields: FieldIndex): string {
  const header: Element = {
    type: 'element',
    name: 'header',
    elements: [
      text('messageId', input.messageId),
      text('messageType', PAYLOAD_V1_MESSAGE_TYPE),
      text('createdAt', input.createdAt.toISOString()),
      text('reference', input.reference),
      {
        type: 'element',
        name: 'form',
        elements: [text('id', input.form.id), text('version', input.form.version), text('serviceKey', input.form.serviceKey)],
      },
      text('regionArs', input.regionArs),
      { type: 'element', name: 'tenant', elements: [text('id', input.tenant.id), text('name', input.tenant.name)] },
      party('author', 'efa-forms:tenant', input.author),
      party('reader', 'efa-forms:authority', input.reader),
      { type: 'element', name: 'product', elements: [text('name', input.product.name), text('version', input.product.version)] },
      // Optional and last, so a payload without them is the same bytes as before issues 12 and 15.
      ...optional(parametersElement(input.parameters)),
      ...(input.test === true ? [text('test', 'true')] : []),
      ...optional(attachmentsElement(input.attachments)),
    ],
  };
  const document = {
    declaration: { attributes: { version: '1.0', encoding: 'UTF-8' } },
    elements: [
      {
        type: 'element',
        name: 'submission',
        attributes: { xmlns: PAYLOAD_V1_NAMESPACE, version: '1' },
        elements: [header, { type: 'element', name: 'data', elements: answerElements(canonicalOrder(input.data, fields)) ?? [] }],
      },
    ],
  };
  // A raw carriage return would reach the authority as a line feed (XML end-of-line handling).
  const textFn = (value: string): string => value.replace(/\r/g, '&#xD;');
  return `${js2xml(document, { spaces: 2, attributeValueFn: escapeAttribute, textFn })}\n`;
}
