import { maxBytesOfQuestion } from '../../attachments/question-limits';
import { FILE_HINT_TEXTS, MEDIA_TYPE_NAMES } from '../../i18n/attachment-texts';
import { formatFileSize } from '../../i18n/file-size';
import { format } from '../../i18n/translator';
import { MEDIA_TYPE_EXTENSIONS } from '../../support/media-type';
import type { FileQuestion, LeafNode } from '../form-tree';
import type { DisplayContext, FieldView, LeafKind, ViewContext } from './field-kind';
import { commonView } from './field-kind';

/** The attachment ids of a file question's answer (strings only; anything else is not an answer). */
export function attachmentIds(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** The submit button value that removes one uploaded file (the page router reads it back). */
export const REMOVE_FILE_ACTION = 'remove-file:';
/** The submit button value that uploads the chosen file and stays on the step. */
export const UPLOAD_ACTION = 'upload';

/**
 * The file name extensions browsers' file pickers know each type by: `accept` lists them beside
 * the media types, as some systems (HEIC on Windows, say) have no media type for a file. What is
 * accepted is still decided from the content when the file arrives.
 */


/** The `accept` attribute of the file input. */
export function acceptAttribute(question: FileQuestion): string {
  return question.accept.flatMap((type) => [type, ...MEDIA_TYPE_EXTENSIONS[type].map((e) => `.${e}`)]).join(',');
}

/** "Erlaubte Formate: PDF, JPEG. Höchstens 10 MB je Datei, bis zu 2 Dateien." */
export function fileHint(question: FileQuestion, installationMax: number, language: DisplayContext['language']): string {
  const values = {
    formats: question.accept.map((type) => MEDIA_TYPE_NAMES[type]).join(', '),
    max: formatFileSize(maxBytesOfQuestion(question, installationMax), language),
    n: question.maxFiles,
  };
  return format((question.maxFiles > 1 ? FILE_HINT_TEXTS.many : FILE_HINT_TEXTS.one)[language], values);
}

/** "scan.pdf (1,2 MB)" for each uploaded file of the answer that is known; unknown ids are left out. */
export function fileLines(value: unknown, ctx: Pick<DisplayContext, 'files' | 'language'>): string[] {
  return attachmentIds(value).flatMap((id) => {
    const file = ctx.files?.byId.get(id);
    return file ? [`${file.fileName} (${formatFileSize(file.size, ctx.language)})`] : [];
  });
}

/**
 * A file question (partial field-file): one or several documents, uploaded in a
 * multipart/form-data step. Its answer is the list of attachment ids; the files themselves are
 * in the store (src/attachments/), and which of them the answer holds is the store's word: the
 * page router sets the answer to the draft's files at the question after every post
 * (forms/form-post.ts withFileAnswers), so ids typed into a post count for nothing. The page lists
 * each file with a remove button, then the file input and an upload button; the hint names the
 * formats and the largest size.
 */
export const fileKind: LeafKind = {
  widgets: ['file'],
  parse: (_node, pointer, body) => {
    const raw = body[pointer];
    const values = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
    return values.length === 0 ? undefined : values;
  },
  view: (node, pointer, value, ctx) => fileView(node, pointer, value, ctx),
  display: (_node, value, ctx) => fileLines(value, ctx).join('\n'),
};

function fileView(node: LeafNode, pointer: string, value: unknown, ctx: ViewContext): FieldView {
  const common = commonView(node, pointer, ctx, 'field-file');
  const question: FileQuestion = node.file ?? { accept: ['application/pdf'], maxFiles: 1 };
  const installationMax = ctx.files?.maxFileBytes ?? Number.MAX_SAFE_INTEGER;
  const files = attachmentIds(value).flatMap((id) => {
    const file = ctx.files?.byId.get(id);
    return file ? [{ id, name: file.fileName, size: formatFileSize(file.size, ctx.language), removeAction: `${REMOVE_FILE_ACTION}${id}` }] : [];
  });
  const formatsId = `${common.id}-formats`;
  return {
    ...common,
    // The hint of formats and size comes right after the question's own hint.
    describedBy: [common.hint ? `${common.id}-hint` : '', formatsId, common.error ? `${common.id}-error` : ''].filter(Boolean).join(' '),
    formatsId,
    formatsHint: fileHint(question, installationMax, ctx.language),
    accept: acceptAttribute(question),
    files,
    canAddMore: files.length < question.maxFiles,
    uploadAction: UPLOAD_ACTION,
  };
}
