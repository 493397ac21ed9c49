import type { Request, Response } from 'express';
import type { FieldError } from '../../errors';
import type { CompiledForm } from '../../forms/compiled-form';
import { fileQuestionsOfStep } from '../../forms/file-questions';
import { changeList, readStep, withFileAnswers, type FormBody } from '../../forms/form-post';
import type { FormStep } from '../../forms/form-tree';
import { clipToLimits, MAX_FIELD_ERRORS } from '../../forms/input-limits';
import { REMOVE_FILE_ACTION, UPLOAD_ACTION } from '../../forms/kinds/file';
import { tooManyValuesError } from '../../forms/validation-messages';
import type { Draft } from '../../storage/ports';
import { pageLanguage } from './page-frame';
import { parseData, type PageViews } from './page-views';
import type { PagesDependencies } from './pages-dependencies';
import { keepFileNote, type FileNote } from './file-notes';
import { actionOf, readStepPost, removeChosenFile } from './step-uploads';
import { testerOf } from './tester';

export interface StepPosts {
  /** A step's post once read (urlencoded, or multipart by postMultipartStep). */
  postStep(req: Request, res: Response, form: CompiledForm, step: FormStep, draft: Draft, body: FormBody, refusals: readonly FieldError[], taken?: readonly string[]): Promise<void>;
  postMultipartStep(req: Request, res: Response, form: CompiledForm, step: FormStep): Promise<void>;
}

/**
 * What a step's post does: keep its answers, then by its action search a municipality, upload or
 * remove a file, add or remove a list item, save for later, or go on when the step is complete.
 * `openDraft` is the router's (a draft of another form version is carried over first).
 */
export function stepPosts(
  deps: PagesDependencies, views: PageViews, openDraft: (req: Request, res: Response, form: CompiledForm) => Promise<Draft | undefined>,
): StepPosts {
  const { drafts, flow } = deps;
  const { base, stepUrl, renderMessage, renderStep, renderSaved } = views;

  /**
   * Keeps the step's answers in the draft, unless they may not be stored (control characters,
   * answers beyond their limits, a draft past its cap): then the step is shown again with the
   * fields named and nothing is written. True when saved.
   */
  async function saveStep(req: Request, res: Response, form: CompiledForm, step: FormStep, draft: Draft, data: Record<string, unknown>): Promise<boolean> {
    const language = pageLanguage(req);
    const refused = form.storageErrors(data, language);
    if (refused.length === 0 && (await drafts.saveData(draft, data))) return true;
    // Shown again cut to their limits, so the page is never much larger than what the form allows.
    await renderStep(req, res, form, step, draft, clipToLimits(data, form.fields), { errors: refused.length > 0 ? refused.slice(0, MAX_FIELD_ERRORS) : [tooManyValuesError(language)] });
    return false;
  }

  /**
   * A step's multipart post: the draft is opened before the body is read, so the CSRF token is
   * checked as soon as it arrives, before any file is stored; files are taken as they stream in.
   */
  async function postMultipartStep(req: Request, res: Response, form: CompiledForm, step: FormStep): Promise<void> {
    const draft = await openDraft(req, res, form);
    if (!draft) return;
    const post = await readStepPost(deps, req, form, step, draft, pageLanguage(req));
    if (post.outcome === 'csrf') renderMessage(req, res, 403, 'csrf', form);
    else if (post.outcome === 'bad') renderMessage(req, res, post.status, post.status === 413 ? 'tooLarge' : 'badRequest', form);
    else await postStep(req, res, form, step, draft, post.body, post.refusals, post.taken);
  }

  /**
   * A step's post once read: `refusals` are the errors of files the attachments did not take,
   * `taken` the ids of those it took. Back on this step, the page says what happened to the files.
   */
  async function postStep(req: Request, res: Response, form: CompiledForm, step: FormStep, draft: Draft, body: FormBody, refusals: readonly FieldError[], taken: readonly string[] = []): Promise<void> {
    const id = form.definition.id;
    const toCheck = req.query.return === 'check';
    const action = actionOf(body);
    const query = typeof body._q === 'string' ? body._q.trim().slice(0, 100) : '';
    const removed = await removeChosenFile(deps, step, draft, action);
    const fileNote: FileNote = { uploaded: taken, ...(removed ? { removed: { pointer: removed.fieldPointer } } : {}) };
    const backHere = () => {
      keepFileNote(res, base(id), deps.secureCookies, step.id, fileNote);
      res.redirect(303, stepUrl(id, step.id, toCheck));
    };
    const files = fileQuestionsOfStep(step).length > 0 ? await deps.attachments.ofDraft(draft.key) : [];
    let data = withFileAnswers(step, readStep(form, step, body, parseData(draft)), files);

    if (flow.isRegionSearch(form, step, action, query, data)) {
      if (await saveStep(req, res, form, step, draft, data)) await renderStep(req, res, form, step, draft, data, { query, searched: true, fileNote });
      return;
    }
    if (action === UPLOAD_ACTION || action.startsWith(REMOVE_FILE_ACTION)) {
      if (!(await saveStep(req, res, form, step, draft, data))) return;
      if (refusals.length > 0) await renderStep(req, res, form, step, draft, data, { errors: refusals, fileNote });
      else backHere();
      return;
    }
    if (action.startsWith('add:') || action.startsWith('remove:')) {
      data = changeList(form, step, data, action);
      if (await saveStep(req, res, form, step, draft, data)) backHere();
      return;
    }
    if (!(await saveStep(req, res, form, step, draft, data))) return;
    if (refusals.length > 0) {
      // The refused file at its question first, then the step's other mistakes ("save" checks none).
      const others = action === 'save' ? [] : flow.stepErrors(form, step, data, pageLanguage(req), testerOf(res)).filter((e) => !refusals.some((r) => r.pointer === e.pointer));
      await renderStep(req, res, form, step, draft, data, { errors: [...refusals, ...others], fileNote });
      return;
    }
    if (action === 'save') {
      await renderSaved(req, res, form, draft, data, stepUrl(id, step.id, toCheck));
      return;
    }
    const errors = flow.stepErrors(form, step, data, pageLanguage(req), testerOf(res));
    if (errors.length > 0) {
      await renderStep(req, res, form, step, draft, data, { errors, fileNote, ...(query ? { query } : {}) });
      return;
    }
    const { next } = flow.position(form, step, data);
    res.redirect(303, toCheck || !next ? `${base(id)}/check` : stepUrl(id, next.id));
  }

  return { postStep, postMultipartStep };
}
