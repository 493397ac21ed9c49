import type { Language } from '../../i18n/language';
import { localize } from '../../i18n/language';
import type { UiStrings } from '../../i18n/translator';
import type { MunicipalitySearch } from '../../routing/municipality-search';
import type { FormNode, LeafNode, QuestionTree } from '../form-tree';
import type { XmlNode } from '../../support/xml-writer';

/**
 * What every kind of question knows about itself, in one module per kind (text.ts, date.ts, …),
 * beside its template partial (templates/partials/field-*.hbs): which schema it stands for, how
 * its answer is read from a form post, what its partial is given, how its answer reads on the
 * check page and the receipt, and, when its answers need a type of their own in the payload's
 * XSD, that type. Adding a kind is one module, one partial and its lines in kinds/index.ts (the
 * list of kinds, and the rule that chooses it); its widget name goes into the Widget type and the
 * form definition schema's enum (test/unit/structure.test.ts checks that they agree).
 */
export interface LeafKind {
  /** The widgets this module renders (LeafNode.widget). */
  readonly widgets: readonly LeafNode['widget'][];
  /** Reads the answer from a form post. What cannot be converted is kept as typed (a string). */
  parse(node: LeafNode, pointer: string, body: FormBody): unknown;
  /** The model of its partial, built per request from the node and the answers. */
  view(node: LeafNode, pointer: string, value: unknown, ctx: ViewContext): FieldView;
  /** How an answer reads on the check page and the receipt ('' when not answered). */
  display(node: LeafNode, value: unknown, ctx: DisplayContext): string;
  /** The kind's own type in the payload XSD; without one, the XSD types its answers from the schema alone. */
  readonly xsd?: KindXsdType;
}

/**
 * A global XSD type for the answers of one JSON Schema format (payloads/xsd): written once per
 * XSD, after the other global types, when an answer of that format occurs.
 */
export interface KindXsdType {
  readonly format: string;
  /** The type's name in the XSD (unqualified). */
  readonly typeName: string;
  /** Whether the XSD's length facets apply (not to a type of fixed shape such as a date). */
  readonly lengthFacets: boolean;
  definition(name: string): XmlNode;
}

/** A parsed application/x-www-form-urlencoded body (express.urlencoded, extended: false). */
export type FormBody = Readonly<Record<string, string | string[] | undefined>>;

/** Everything a field partial needs. */
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

/** What the pages and the receipt know of uploaded files, for file questions (kinds/file.ts). */
export interface FileFacts {
  /** The uploaded files by attachment id (a draft's on the pages, a submission's on the receipt). */
  readonly byId: ReadonlyMap<string, { readonly fileName: string; readonly size: number }>;
  /** The installation's cap on one file (ATTACHMENT_MAX_FILE_BYTES): a question's own cap is lowered to it. */
  readonly maxFileBytes: number;
}

/** The municipality search of the region step, when the citizen searched. */
export interface RegionSearch {
  readonly query: string;
  readonly searched: boolean;
}

export interface ViewContext {
  readonly form: QuestionTree;
  readonly language: Language;
  readonly strings: UiStrings;
  readonly data: unknown;
  /** Messages by pointer, for the fields on this page. */
  readonly errors: ReadonlyMap<string, string>;
  readonly municipalities: MunicipalitySearch;
  readonly search?: RegionSearch;
  readonly files?: FileFacts;
}

/** Everything a kind's display needs besides the node and the value. */
export interface DisplayContext {
  readonly language: Language;
  readonly strings: UiStrings;
  readonly municipalities: MunicipalitySearch;
  readonly files?: FileFacts;
}

/** An HTML id for a field pointer; error summary links use it as fragment. */
export function fieldId(pointer: string): string {
  return `f${pointer.replace(/[^A-Za-z0-9_-]/g, '-')}`;
}

/** The value of a text input: strings as they are, numbers and booleans written out. */
export function inputText(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
}

/** What every partial gets: id, name, label, hint, error and the reveal condition for the script. */
export function commonView(node: FormNode, pointer: string, ctx: ViewContext, partial: string): FieldView {
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
