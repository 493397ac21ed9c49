import type { Request } from 'express';
import { AppError, type FieldError } from '../../errors';
import type { CompiledForm } from '../../forms/compiled-form';
import { fileQuestionsOfStep, type FileQuestionAt } from '../../forms/file-questions';
import type { FormBody } from '../../forms/form-post';
import type { FormStep } from '../../forms/form-tree';
import { REMOVE_FILE_ACTION } from '../../forms/kinds/file';
import { ATTACHMENT_REFUSAL_TEXTS, type AttachmentTextKey } from '../../i18n/attachment-texts';
import type { Language } from '../../i18n/language';
import { localize } from '../../i18n/language';
import type { AttachmentRecord } from '../../storage/attachment-ports';
import type { Draft } from '../../storage/ports';
import { readMultipart, type MultipartOutcome } from '../multipart-file';
import type { PagesDependencies } from './pages-dependencies';
import { sameSecret } from './page-csrf';

/**
 * The remove button of a file: removes it when it is this draft's, at a question of this step;
 * anything else in the action is ignored. Answers the file removed (for the page's status message).
 */
export async function removeChosenFile(deps: Pick<PagesDependencies, 'attachments'>, step: FormStep, draft: Draft, action: string): Promise<AttachmentRecord | undefined> {
  if (!action.startsWith(REMOVE_FILE_ACTION)) return undefined;
  const questions = fileQuestionsOfStep(step);
  const fileId = action.slice(REMOVE_FILE_ACTION.length);
  const file = questions.length > 0 ? (await deps.attachments.ofDraft(draft.key)).find((f) => f.id === fileId) : undefined;
  if (!file || !questions.some((q) => q.pointer === file.fieldPointer)) return undefined;
  return (await deps.attachments.removeFromDraft(draft.key, fileId)) ? file : undefined;
}

/**
 * When the submission refused the files of a question (one gone meanwhile, or all of them past
 * the submission's limit), the step that asks it, with the errors at the question itself (the
 * service names each file, `/question/0`); undefined for any other error.
 */
export function refusedFiles(form: CompiledForm, err: unknown): { readonly step: FormStep; readonly errors: FieldError[] } | undefined {
  if (!(err instanceof AppError) || (err.code !== 'VALIDATION_FAILED' && err.code !== 'PAYLOAD_TOO_LARGE')) return undefined;
  for (const step of form.steps) {
    const questions = fileQuestionsOfStep(step);
    const errors = new Map<string, FieldError>();
    for (const e of err.options.errors ?? []) {
      const question = questions.find((q) => e.pointer === q.pointer || e.pointer.startsWith(`${q.pointer}/`));
      if (question && !errors.has(question.pointer)) errors.set(question.pointer, { pointer: question.pointer, message: e.message });
    }
    if (errors.size > 0) return { step, errors: [...errors.values()] };
  }
  return undefined;
}

/** As many fields as the urlencoded parser takes (its parameterLimit). */
const MAX_FIELDS = 2000;

/** A multipart step post as read: its fields, per file refused the error at its question, and the ids of the files taken. */
export type StepPost =
  | (Extract<MultipartOutcome, { outcome: 'read' }> & { readonly refusals: readonly FieldError[]; readonly taken: readonly string[] })
  | Exclude<MultipartOutcome, { outcome: 'read' }>;

/** The action of a post (the submit button pressed) as far as it has been read. */
export function actionOf(body: FormBody): string {
  return typeof body._action === 'string' ? body._action : 'continue';
}

/** "Fahrzeugschein: Die Datei ist zu groß. …", worded as the page's other field errors are. */
function refusalError(question: FileQuestionAt, code: AttachmentTextKey, language: Language): FieldError {
  const label = (localize(question.node.label, language) ?? question.node.name).replace(/[.:]\s*$/, '');
  return { pointer: question.pointer, message: `${label}: ${ATTACHMENT_REFUSAL_TEXTS[code][language]}` };
}

/**
 * Reads the multipart post of a step with file questions (http/multipart-file.ts) and streams each
 * chosen file into the attachments as the draft's, at its question. A file refused (empty, too
 * large, a type the question does not take, malware, no scan possible just now, too many, the
 * draft full) becomes the field's error; nothing of it is kept. A remove button's post takes no
 * file (its action is read before the file input, which comes after the list in the page).
 */
export async function readStepPost(
  deps: Pick<PagesDependencies, 'attachments' | 'bodyLimitBytes'>, req: Request, form: CompiledForm, step: FormStep, draft: Draft, language: Language,
): Promise<StepPost> {
  const { attachments } = deps;
  const questions = new Map(fileQuestionsOfStep(step).map((q) => [q.pointer, q]));
  const held = new Map<string, number>();
  for (const file of await attachments.ofDraft(draft.key)) held.set(file.fieldPointer, (held.get(file.fieldPointer) ?? 0) + 1);
  const refusals: FieldError[] = [];
  const taken: string[] = [];

  // A file stored before the post turned out unusable (a second file, a broken end, stopped early
  // past what any post of this step may hold, a store failing on a later file) goes again, as
  // through the API.
  const discardTaken = async () => {
    for (const id of taken) await attachments.removeFromDraft(draft.key, id).catch(() => false);
  };
  const reading = readMultipart(req, {
    // The token comes first in the form (page templates): checked before any file is stored.
    authorized: (fields) => typeof fields._csrf === 'string' && sameSecret(fields._csrf, draft.csrfToken),
    fileFields: new Set(questions.keys()),
    maxFileBytes: Math.max(0, ...[...questions.values()].map((q) => attachments.maxBytesFor(q))),
    bodyLimitBytes: deps.bodyLimitBytes,
    maxFields: MAX_FIELDS,
    wantsFile: (fields) => !actionOf(fields).startsWith(REMOVE_FILE_ACTION),
    async takeFile(part) {
      const question = questions.get(part.pointer);
      if (!question) return;
      const result = await attachments.upload({
        formId: form.definition.id, fieldPointer: question.pointer,
        question,
        fileName: part.fileName, content: part.content, draftKey: draft.key, filesAtQuestion: held.get(question.pointer) ?? 0,
      });
      if (result.ok) {
        held.set(question.pointer, (held.get(question.pointer) ?? 0) + 1);
        taken.push(result.attachment.id);
      } else refusals.push(refusalError(question, result.refusal, language));
    },
  });
  const outcome = await reading.catch(async (err: unknown) => {
    await discardTaken();
    throw err;
  });
  if (outcome.outcome !== 'read') {
    await discardTaken();
    return outcome;
  }
  // Without a refused file to show, a post stopped early is simply too large.
  if (!outcome.complete && refusals.length === 0) {
    await discardTaken();
    return { outcome: 'bad', status: 413 };
  }
  return { ...outcome, refusals, taken };
}
