import express, { Router, type Request, type Response } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { AppError } from '../../errors';
import type { CompiledForm } from '../../forms/compiled-form';
import { changeList, readDeclarations, readStep, type FormBody } from '../../forms/form-post';
import type { FormStep } from '../../forms/form-tree';
import { clipToLimits, MAX_FIELD_ERRORS } from '../../forms/input-limits';
import { tooManyValuesError } from '../../forms/validation-messages';
import type { Draft } from '../../storage/ports';
import { readCookie, serializeCookie } from '../cookies';
import { receiptPath } from '../submissions-router';
import { localize } from '../../i18n/language';
import { format } from '../../i18n/translator';
import { frame, LANGUAGE_COOKIE, pageLanguage } from './page-frame';
import { pageErrorHandler } from './page-errors';
import { parseData, type PageViews } from './page-views';
import type { PagesDependencies } from './pages-dependencies';
import { setTester, testerOf, TESTER_COOKIE } from './tester';

const DRAFT_COOKIE = 'efa_draft';
/** Which answers a reload's form change left out, until the next page has told the citizen (no personal data: field patterns). */
const CHANGED_COOKIE = 'efa_draft_changed';
const MAX_NOTED_FIELDS = 30;

interface ChangeNote {
  /** Field patterns of questions still asked whose answers no longer fit. */
  readonly dropped: readonly string[];
  readonly removedQuestions: boolean;
}

function encodeNote(note: ChangeNote): string {
  return Buffer.from(JSON.stringify({ d: note.dropped.slice(0, MAX_NOTED_FIELDS), r: note.removedQuestions })).toString('base64url');
}

/** The note of the cookie; anything malformed counts as none (the labels come from the form, never from the cookie). */
function decodeNote(value: string | undefined): ChangeNote | undefined {
  if (!value || value.length > 4096) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as { d?: unknown; r?: unknown };
    const dropped = Array.isArray(parsed.d) ? parsed.d.filter((p): p is string => typeof p === 'string').slice(0, MAX_NOTED_FIELDS) : [];
    return { dropped, removedQuestions: parsed.r === true };
  } catch {
    return undefined;
  }
}
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The citizen's pages: start, one page per step, "Antworten prüfen", confirmation, and
 * "continue later". Everything works without JavaScript: every change is a form POST, followed
 * by a redirect (post/redirect/get) unless the page shows errors or search results. The router
 * reads requests and writes cookies; the page flow (forms/page-flow.ts) decides where to go.
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
    res.set({ 'content-security-policy': CSP, 'cache-control': 'no-store' });
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

  // A tester's link in use for this form: checked against the store on every request, so an
  // expired link ends the test mode at once (then the pages are the citizen's again).
  router.use('/forms/:id', async (req, res, next) => {
    const token = readCookie(req.get('cookie'), TESTER_COOKIE);
    if (token !== undefined) {
      const link = await deps.testLinks.check(token);
      if (link && link.formId === req.params.id) setTester(res, { authorityId: link.authorityId, formId: link.formId });
    }
    next();
  });

  // The link an operator hands an authority's testers: the token goes into a cookie for the
  // link's form, and the tester starts the real pages.
  router.get('/test-access/:token', async (req, res) => {
    res.set({ 'content-security-policy': CSP, 'cache-control': 'no-store' });
    const link = await deps.testLinks.check(String(req.params.token));
    const form = link ? forms.get(link.formId) : undefined;
    if (!link || !form) {
      renderMessage(req, res, 404, 'testLinkInvalid');
      return;
    }
    const seconds = Math.max(1, Math.floor((link.expiresAt.getTime() - Date.now()) / 1000));
    res.append('set-cookie', serializeCookie(TESTER_COOKIE, String(req.params.token), cookieOptions(link.formId, seconds)));
    res.redirect(303, base(link.formId));
  });

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
   * Tells the citizen plainly which answers a changed form (a reload) left out of their draft and
   * must be given again, with a link on to the page they asked for.
   */
  function renderDraftChanged(req: Request, res: Response, form: CompiledForm, note: ChangeNote): void {
    const language = pageLanguage(req);
    const t = deps.renderer.strings(language);
    const labels = [...new Set(note.dropped.map((pattern) => localize(form.node(pattern)?.label, language)).filter((l): l is string => l !== undefined && l !== ''))];
    const message = [
      labels.length > 0 ? format(t.draftChangedDropped ?? '', { labels: labels.join(', ') }) : t.draftChangedKept,
      note.removedQuestions ? t.draftChangedRemoved : undefined,
    ].filter((text): text is string => text !== undefined && text !== '').join(' ');
    res.append('set-cookie', serializeCookie(CHANGED_COOKIE, '', cookieOptions(form.definition.id, 0)));
    res.status(200).type('html').send(deps.renderer.render('message', {
      ...frame({ testMode: testerOf(res) !== undefined, renderer: deps.renderer, tenant: deps.siteTenant, language, form, pageTitle: t.draftChangedTitle ?? '' }),
      message,
      linkUrl: req.originalUrl,
      linkText: t.draftChangedContinue,
    }));
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
      renderDraftChanged(req, res, form, adopted);
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
    renderDraftChanged(req, res, form, note);
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

  router.get('/', (req, res) => {
    res.set({ 'content-security-policy': CSP, 'cache-control': 'no-store' });
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
    if (draft) renderStep(req, res, form, step, draft, parseData(draft));
  });

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
    renderStep(req, res, form, step, draft, clipToLimits(data, form.fields), { errors: refused.length > 0 ? refused.slice(0, MAX_FIELD_ERRORS) : [tooManyValuesError(language)] });
    return false;
  }

  router.post('/forms/:id/steps/:step', deps.rateLimiter.middleware('steps'), urlencoded, async (req, res) => {
    const form = formOf(req);
    const step = stepOf(req, form);
    const draft = await postedDraft(req, res, form);
    if (!draft) return;
    const body = req.body as FormBody;
    const id = form.definition.id;
    const toCheck = req.query.return === 'check';
    let data = readStep(form, step, body, parseData(draft));
    const action = typeof body._action === 'string' ? body._action : 'continue';
    const query = typeof body._q === 'string' ? body._q.trim().slice(0, 100) : '';

    if (flow.isRegionSearch(form, step, action, query, data)) {
      if (await saveStep(req, res, form, step, draft, data)) renderStep(req, res, form, step, draft, data, { query, searched: true });
      return;
    }
    if (action.startsWith('add:') || action.startsWith('remove:')) {
      data = changeList(form, step, data, action);
      if (await saveStep(req, res, form, step, draft, data)) res.redirect(303, stepUrl(id, step.id, toCheck));
      return;
    }
    if (!(await saveStep(req, res, form, step, draft, data))) return;
    if (action === 'save') {
      await renderSaved(req, res, form, draft, data, stepUrl(id, step.id, toCheck));
      return;
    }
    const errors = flow.stepErrors(form, step, data, pageLanguage(req), testerOf(res));
    if (errors.length > 0) {
      renderStep(req, res, form, step, draft, data, { errors, ...(query ? { query } : {}) });
      return;
    }
    const { next } = flow.position(form, step, data);
    res.redirect(303, toCheck || !next ? `${base(id)}/check` : stepUrl(id, next.id));
  });

  router.get('/forms/:id/check', async (req, res) => {
    const form = formOf(req);
    const draft = await openPageDraft(req, res, form);
    if (draft) renderCheck(req, res, form, draft, parseData(draft));
  });

  router.post('/forms/:id/check', deps.rateLimiter.middleware('submissions'), urlencoded, async (req, res) => {
    const form = formOf(req);
    const draft = await postedDraft(req, res, form);
    if (!draft) return;
    const id = form.definition.id;
    const language = pageLanguage(req);
    const body = req.body as FormBody;
    const data = readDeclarations(form, body, parseData(draft));
    // Declarations are yes/no answers; only the draft's cap can refuse them.
    if (!(await drafts.saveData(draft, data))) {
      renderCheck(req, res, form, draft, data, [tooManyValuesError(language)]);
      return;
    }
    if (body._action === 'save') {
      await renderSaved(req, res, form, draft, data, `${base(id)}/check`);
      return;
    }
    // The server is the authority: everything is validated again, step by step.
    const check = flow.checkSubmission(form, data, language, testerOf(res));
    if (check.outcome === 'step') {
      renderStep(req, res, form, check.step, draft, data, { errors: check.errors });
      return;
    }
    if (check.outcome === 'declarations') {
      renderCheck(req, res, form, draft, data, check.errors);
      return;
    }
    // Exactly the path of the JSON API, so page and API submissions are stored and sent alike.
    const tester = testerOf(res);
    const accepted = await deps.submissions.accept(id, { data: check.data }, language, tester ? { tester } : {});
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
