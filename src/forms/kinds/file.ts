import type { LeafKind } from './field-kind';
import { commonView } from './field-kind';

/** The attachment ids of a file question's answer (strings only; anything else is not an answer). */
export function attachmentIds(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/**
 * A file question (partial field-file): one or several documents, uploaded in a
 * multipart/form-data step. Its answer is the list of attachment ids; the files themselves are
 * in the store (src/attachments/). The ids kept so far come back from the post as the field's
 * values; a new upload is added by the page router, which takes the file part.
 */
export const fileKind: LeafKind = {
  widgets: ['file'],
  parse: (_node, pointer, body) => {
    const raw = body[pointer];
    const values = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
    return values.length === 0 ? undefined : values;
  },
  view: (node, pointer, value, ctx) => ({ ...commonView(node, pointer, ctx, 'field-file'), files: attachmentIds(value).map((id) => ({ id })) }),
  display: (_node, value) => attachmentIds(value).join(', '),
};
