import express, { Router, type Request, type Response } from 'express';
import { AppError } from '../../errors';
import type { CompiledForm } from '../../forms/compiled-form';
import { fileQuestionsOf } from '../../forms/file-questions';
import { readDeclarations, withAllFileAnswers, type FormBody } from '../../forms/form-post';
import type { FormStep } from '../../forms/form-tree';
import { tooManyValuesError } from '../../forms/validation-messages';
import type { Draft } from '../../storage/ports';
import { readCookie, serializeCookie } from '../cookies';
import { receiptPath } from '../submissions-router';
import { CHANGED_COOKIE, decodeNote, encodeNote, renderDraftChanged } from './draft-change-note';
import { LANGUAGE_COOKIE, pageLanguage } from './page-frame';
import { pageErrorHandler } from './page-errors';
import { PAGE_CSP } from './page-headers';
import { sameSecret } from './page-csrf';
import { parseData, type PageViews } from './page-views';
import type { PagesDependencies } from './pages-dependencies';
import { testerOf } from './tester';
import { testerAccessRouter } from './tester-access';
import { refusedFiles } from './step-uploads';
import { stepPosts } from './step-post';

const DRAFT_COOKIE = 'efa_draft';

/**
 * The citizen's pages: start, one page per step, "Antworten prüfen", confirmation, and
 * "continue later". Everything works without JavaScript: every change is a form POST, followed
 * by a redirect (post/redirect/get) unless the page shows errors or search results. The router
 * reads requests and writes cookies; the page flow (forms/page-flow.ts) decides where to go.
 * A step with file questions posts multipart/form-data (step-uploads.ts): its files go into the
 * attachments as they stream in, and its answers hold the ids of the draft's files.
 */
export function pagesRouter(deps: PagesDependencies, views: PageViews): Router {
  const router = Router();
  const { forms, drafts, routing, flow } = deps;
  const { base, stepUrl, renderMessage, renderStep, renderCheck, renderSaved } = views;
  const urlencoded = express.urlencoded({ extended: false, limit: deps.bodyLimitBytes, parameterLimit: 2000 });

  const cookieOptions = (id: string, maxAgeSeconds?: number) => ({
    path: base(id), secure: deps.secureCookies, ...(maxAgeSeconds !== undefined ? { maxAgeSeconds } : {}),
  });

  router.use('/forms', (req, res, next) => {
    res.set({ 'content-security-policy': PAGE_CSP, 'cache-control': 'no-store' });
    // ?lang= switches the language and returns to the same page, keeping the draft.
    const lang = req.query.lang;
    if (req.method === 'GET' && (lang === 'de' || lang === 'en')) {
      const url = new URL(req.originalUrl, 'http://localhost');
      url.searchParams.delete('lang');
      res.append('set-cookie', serializeCookie(LANGUAGE_COOKIE, lang, { path: '/', secure: deps.secureCookies, maxAgeSeconds: 365 * 24 * 3600 }));
      res.redirect(303, `${url.pathname}${url.search}`);
      return;
    }
    next();
  });

  router.use(testerAccessRouter(deps, views, cookieOptions));

  function formOf(req: Request): CompiledForm {
    const form = forms.get(String(req.params.id));
    if (!form) throw new AppError('FORM_NOT_FOUND', `unknown form ${String(req.params.id)}`);
    return form;
  }

  function stepOf(req: Request, form: CompiledForm): FormStep {
    const step = form.steps.find((s) => s.id === req.params.step);
    if (!step) throw new AppError('NOT_FOUND', 'unknown step');
    return step;
  }

  async function draftOf(req: Request, form: CompiledForm): Promise<Draft | undefined> {
    return drafts.load(form.definition.id, readCookie(req.get('cookie'), DRAFT_COOKIE));
  }

  /**
   * The citizen's draft for this page; without one, the "expired" page is shown and undefined
   * returned. A draft made on another version of the form (a reload changed it) is carried over
   * first, keeping every answer that still fits; when something was left out, a GET shows what
   * (and returns undefined), a POST goes on and the next page shows it (the note waits in a cookie).
   */
  async function openDraft(req: Request, res: Response, form: CompiledForm): Promise<Draft | undefined> {
    const draft = await draftOf(req, form);
    if (!draft) {
      renderMessage(req, res, 410, 'expired', form);
      return undefined;
    }
    if (draft.formVersion === form.definition.version) return draft;
    const adopted = await drafts.adopt(draft, form);
    if (adopted.dropped.length === 0 && !adopted.removedQuestions) return adopted.draft;
    if (req.method === 'GET') {
      renderDraftChanged(deps, req, res, form, adopted, cookieOptions(form.definition.id, 0));
      return undefined;
    }
    res.append('set-cookie', serializeCookie(CHANGED_COOKIE, encodeNote(adopted), cookieOptions(form.definition.id)));
    return adopted.draft;
  }

  /** A GET page's draft, after the note of a change left from a POST has been shown (then undefined). */
  async function openPageDraft(req: Request, res: Response, form: CompiledForm): Promise<Draft | undefined> {
    const draft = await openDraft(req, res, form);
    const note = draft ? decodeNote(readCookie(req.get('cookie'), CHANGED_COOKIE)) : undefined;
    if (!draft || !note) return draft;
    renderDraftChanged(deps, req, res, form, note, cookieOptions(form.definition.id, 0));
    return undefined;
  }

  /** Every POST must carry the draft's CSRF token; a stale or forged form is refused. */
  async function postedDraft(req: Request, res: Response, form: CompiledForm): Promise<Draft | undefined> {
    const draft = await openDraft(req, res, form);
    if (!draft) return undefined;
    const token = ((req.body ?? {}) as FormBody)._csrf;
    if (typeof token !== 'string' || !sameSecret(token, draft.csrfToken)) {
      renderMessage(req, res, 403, 'csrf', form);
      return undefined;
    }
    return draft;
  }

  const steps = stepPosts(deps, views, openDraft);

  router.get('/', (req, res) => {
    res.set({ 'content-security-policy': PAGE_CSP, 'cache-control': 'no-store' });
    views.renderIndex(req, res, forms.list());
  });

  router.get('/forms', (_req, res) => {
    res.redirect(303, '/');
  });

  router.get('/forms/:id', (req, res) => {
    views.renderStart(req, res, formOf(req));
  });

  router.get('/forms/:id/start', deps.rateLimiter.middleware('drafts'), async (req, res) => {
    const form = formOf(req);
    const existing = await draftOf(req, form);
    const id = form.definition.id;
    if (!existing) {
      const { cookieValue } = await drafts.create(id, form.definition.version);
      res.append('set-cookie', serializeCookie(DRAFT_COOKIE, cookieValue, cookieOptions(id)));
    }
    res.redirect(303, stepUrl(id, form.steps[0]!.id));
  });

  router.get('/forms/:id/steps/:step', async (req, res) => {
    const form = formOf(req);
    const step = stepOf(req, form);
    const draft = await openPageDraft(req, res, form);
    if (draft) await renderStep(req, res, form, step, draft, parseData(draft));
  });

  router.post('/forms/:id/steps/:step', deps.rateLimiter.middleware('steps'), urlencoded, async (req, res) => {
    const form = formOf(req);
    const step = stepOf(req, form);
    if (req.is('multipart/form-data')) {
      await steps.postMultipartStep(req, res, form, step);
      return;
    }
    const draft = await postedDraft(req, res, form);
    if (draft) await steps.postStep(req, res, form, step, draft, req.body as FormBody, []);
  });

  router.get('/forms/:id/check', async (req, res) => {
    const form = formOf(req);
    const draft = await openPageDraft(req, res, form);
    if (draft) await renderCheck(req, res, form, draft, parseData(draft));
  });

  router.post('/forms/:id/check', deps.rateLimiter.middleware('submissions'), urlencoded, async (req, res) => {
    const form = formOf(req);
    const draft = await postedDraft(req, res, form);
    if (!draft) return;
    const id = form.definition.id;
    const language = pageLanguage(req);
    const body = req.body as FormBody;
    // The files at the file questions as the store holds them for this draft.
    const files = fileQuestionsOf(form).length > 0 ? await deps.attachments.ofDraft(draft.key) : [];
    const data = withAllFileAnswers(form, readDeclarations(form, body, parseData(draft)), files);
    // Declarations are yes/no answers; only the draft's cap can refuse them.
    if (!(await drafts.saveData(draft, data))) {
      await renderCheck(req, res, form, draft, data, [tooManyValuesError(language)]);
      return;
    }
    if (body._action === 'save') {
      await renderSaved(req, res, form, draft, data, `${base(id)}/check`);
      return;
    }
    // The server is the authority: everything is validated again, step by step.
    const check = flow.checkSubmission(form, data, language, testerOf(res));
    if (check.outcome === 'step') {
      await renderStep(req, res, form, check.step, draft, data, { errors: check.errors });
      return;
    }
    if (check.outcome === 'declarations') {
      await renderCheck(req, res, form, draft, data, check.errors);
      return;
    }
    // Exactly the path of the JSON API, so page and API submissions are stored and sent alike.
    const tester = testerOf(res);
    let accepted;
    try {
      // The draft's key: its files are the ones the submission may take.
      accepted = await deps.submissions.accept(id, { data: check.data }, language, { draftKey: draft.key, ...(tester ? { tester } : {}) });
    } catch (err) {
      // Files the submission cannot take (gone meanwhile, too large together): back to their step.
      const refused = refusedFiles(form, err);
      if (!refused) throw err;
      await renderStep(req, res, form, refused.step, draft, data, { errors: refused.errors });
      return;
    }
    // The application is committed: a failing delete (disk full, say) must not show the citizen
    // an error page for it. The cookie is cleared below and the draft expires with DRAFT_TTL_DAYS.
    try {
      await drafts.delete(draft);
    } catch (err) {
      deps.logger.warn('pages.draft_delete_failed', { form: id, error: err instanceof Error ? err.name : 'unknown' });
    }
    res.append('set-cookie', serializeCookie(DRAFT_COOKIE, '', cookieOptions(id, 0)));
    res.redirect(303, `${base(id)}/confirmation?ref=${encodeURIComponent(accepted.id)}&token=${encodeURIComponent(accepted.token)}`);
  });

  router.get('/forms/:id/confirmation', async (req, res) => {
    const form = formOf(req);
    const ref = typeof req.query.ref === 'string' ? req.query.ref : '';
    const token = typeof req.query.token === 'string' ? req.query.token : undefined;
    const record = await deps.submissions.findWithToken(ref, token);
    const found = record ? routing.authority(record.authorityId) : undefined;
    if (!record || !found) throw new AppError('SUBMISSION_NOT_FOUND', 'confirmation for unknown reference or token');
    await views.renderConfirmation(req, res, form, record, found, receiptPath(record.id, token ?? ''));
  });

  router.get('/forms/:id/resume/:token', async (req, res) => {
    const form = formOf(req);
    const id = form.definition.id;
    const opened = await drafts.resume(id, String(req.params.token));
    if (!opened) {
      renderMessage(req, res, 410, 'expired', form);
      return;
    }
    res.append('set-cookie', serializeCookie(DRAFT_COOKIE, opened.cookieValue, cookieOptions(id)));
    const open = flow.firstIncompleteStep(form, parseData(opened.draft), pageLanguage(req), testerOf(res));
    res.redirect(303, open ? stepUrl(id, open.id) : `${base(id)}/check`);
  });

  router.use('/forms', pageErrorHandler({ forms, views, logger: deps.logger }));

  return router;
}
