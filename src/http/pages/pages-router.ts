import express, { Router, type Request, type Response } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { AppError } from '../../errors';
import { getAtPointer } from '../../forms/json-pointer';
import type { DraftService } from '../../drafts/draft-service';
import { changeList, pruneInapplicable, readStep, type FormBody } from '../../forms/form-post';
import type { FormModel, FormStep } from '../../forms/question-tree';
import { clipToLimits, MAX_FIELD_ERRORS } from '../../forms/input-limits';
import { tooManyValuesError } from '../../forms/validation-messages';
import { type PageRenderer } from '../../render/templates';
import type { MunicipalitySearch } from '../../routing/municipality-search';
import type { RoutingTable } from '../../routing/routing-table';
import type { Tenant } from '../../routing/tenant';
import type { Draft } from '../../storage/ports';
import type { SubmissionService } from '../../submissions/submission-service';
import type { Logger } from '../../support/logger';
import { readCookie, serializeCookie } from '../cookies';
import { logStorageUnavailable, STORAGE_RETRY_AFTER_SECONDS, toAppError } from '../problem';
import type { RateLimiter } from '../rate-limit';
import { receiptPath } from '../submissions-router';
import { frame, LANGUAGE_COOKIE, languageSwitchUrl, pageLanguage } from './page-frame';
import { createPageViews, parseData } from './page-views';
import { localize } from '../../i18n/language';
import { formatLongDateTime } from '../../i18n/formatters';

export interface PagesDependencies {
  readonly models: ReadonlyMap<string, FormModel>;
  readonly renderer: PageRenderer;
  readonly drafts: DraftService;
  readonly submissions: SubmissionService;
  readonly routing: RoutingTable;
  readonly municipalities: MunicipalitySearch;
  readonly siteTenant: Tenant;
  readonly secureCookies: boolean;
  readonly bodyLimitBytes: number;
  readonly publicBaseUrl: string;
  readonly logger: Logger;
  readonly rateLimiter: RateLimiter;
}

const DRAFT_COOKIE = 'efa_draft';
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The citizen's pages: start, one page per step, "Antworten prüfen", confirmation, and
 * "continue later". Everything works without JavaScript: every change is a form POST, followed
 * by a redirect (post/redirect/get) unless the page shows errors or search results.
 */
export function pagesRouter(deps: PagesDependencies): Router {
  const router = Router();
  const { models, renderer, drafts, routing } = deps;
  const { base, stepUrl, renderMessage, applicableSteps, stepErrors, renderStep, renderCheck, renderSaved } = createPageViews(deps);
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

  function modelOf(req: Request): FormModel {
    const model = models.get(String(req.params.id));
    if (!model) throw new AppError('FORM_NOT_FOUND', `unknown form ${String(req.params.id)}`);
    return model;
  }

  async function draftOf(req: Request, model: FormModel): Promise<Draft | undefined> {
    return drafts.load(model.form.definition.id, readCookie(req.get('cookie'), DRAFT_COOKIE));
  }

  /** Every POST must carry the draft's CSRF token; a stale or forged form is refused. */
  async function postedDraft(req: Request, res: Response, model: FormModel): Promise<Draft | undefined> {
    const draft = await draftOf(req, model);
    if (!draft) {
      renderMessage(req, res, 410, 'expired', model);
      return undefined;
    }
    const token = ((req.body ?? {}) as FormBody)._csrf;
    if (typeof token !== 'string' || !sameSecret(token, draft.csrfToken)) {
      renderMessage(req, res, 403, 'csrf', model);
      return undefined;
    }
    return draft;
  }

  router.get('/', (req, res) => {
    const language = pageLanguage(req);
    const t = renderer.strings(language);
    res.set({ 'content-security-policy': CSP, 'cache-control': 'no-store' });
    res.type('html').send(renderer.render('index', {
      ...frame({ renderer, tenant: deps.siteTenant, language, pageTitle: t.indexTitle ?? '', switchUrl: `/forms?lang=${language === 'de' ? 'en' : 'de'}` }),
      forms: [...models.values()].map((m) => ({ url: base(m.form.definition.id), title: localize(m.form.definition.title, language), description: localize(m.form.definition.description, language) })),
    }));
  });

  router.get('/forms', (_req, res) => {
    res.redirect(303, '/');
  });

  router.get('/forms/:id', (req, res) => {
    const model = modelOf(req);
    const language = pageLanguage(req);
    const t = renderer.strings(language);
    const title = localize(model.form.definition.title, language) ?? model.form.definition.id;
    res.type('html').send(renderer.render('start', {
      ...frame({ renderer, tenant: deps.siteTenant, language, model, pageTitle: title, switchUrl: languageSwitchUrl(req, language === 'de' ? 'en' : 'de') }),
      formTitle: title,
      formDescription: localize(model.form.definition.description, language),
      stepTitles: model.steps.map((s) => localize(s.title, language)),
      startUrl: `${base(model.form.definition.id)}/start`,
      t,
    }));
  });

  router.get('/forms/:id/start', deps.rateLimiter.middleware('drafts'), async (req, res) => {
    const model = modelOf(req);
    const existing = await draftOf(req, model);
    const id = model.form.definition.id;
    if (!existing) {
      const { cookieValue } = await drafts.create(id, model.form.definition.version);
      res.append('set-cookie', serializeCookie(DRAFT_COOKIE, cookieValue, cookieOptions(id)));
    }
    res.redirect(303, stepUrl(id, model.steps[0]!.id));
  });

  router.get('/forms/:id/steps/:step', async (req, res) => {
    const model = modelOf(req);
    const step = model.steps.find((s) => s.id === req.params.step);
    if (!step) throw new AppError('NOT_FOUND', 'unknown step');
    const draft = await draftOf(req, model);
    if (!draft) {
      renderMessage(req, res, 410, 'expired', model);
      return;
    }
    renderStep(req, res, model, step, draft, parseData(draft));
  });

  /**
   * Keeps the step's answers in the draft, unless they may not be stored (control characters,
   * answers beyond their limits, a draft past its cap): then the step is shown again with the
   * fields named and nothing is written. True when saved.
   */
  async function saveStep(req: Request, res: Response, model: FormModel, step: FormStep, draft: Draft, data: Record<string, unknown>): Promise<boolean> {
    const language = pageLanguage(req);
    const refused = model.form.storageErrors(data, language);
    if (refused.length === 0 && (await drafts.saveData(draft, data))) return true;
    // Shown again cut to their limits, so the page is never much larger than what the form allows.
    renderStep(req, res, model, step, draft, clipToLimits(data, model.form.fields), { errors: refused.length > 0 ? refused.slice(0, MAX_FIELD_ERRORS) : [tooManyValuesError(language)] });
    return false;
  }

  router.post('/forms/:id/steps/:step', deps.rateLimiter.middleware('steps'), urlencoded, async (req, res) => {
    const model = modelOf(req);
    const step = model.steps.find((s) => s.id === req.params.step);
    if (!step) throw new AppError('NOT_FOUND', 'unknown step');
    const draft = await postedDraft(req, res, model);
    if (!draft) return;
    const body = req.body as FormBody;
    const id = model.form.definition.id;
    const toCheck = req.query.return === 'check';
    let data = readStep(model, step, body, parseData(draft));
    const action = typeof body._action === 'string' ? body._action : 'continue';
    const query = typeof body._q === 'string' ? body._q.trim().slice(0, 100) : '';
    const language = pageLanguage(req);

    if (action === 'search' || (step.id === 'gemeinde' && query !== '' && getAtPointer(data, model.regionPattern) === undefined)) {
      if (!(await saveStep(req, res, model, step, draft, data))) return;
      renderStep(req, res, model, step, draft, data, { query, searched: true });
      return;
    }
    if (action.startsWith('add:') || action.startsWith('remove:')) {
      data = changeList(model, step, data, action);
      if (!(await saveStep(req, res, model, step, draft, data))) return;
      res.redirect(303, stepUrl(id, step.id, toCheck));
      return;
    }
    if (!(await saveStep(req, res, model, step, draft, data))) return;
    if (action === 'save') {
      await renderSaved(req, res, model, draft, data, stepUrl(id, step.id, toCheck));
      return;
    }
    const errors = stepErrors(model, step, data, language);
    if (errors.length > 0) {
      renderStep(req, res, model, step, draft, data, { errors, ...(query ? { query } : {}) });
      return;
    }
    const steps = applicableSteps(model, data);
    const next = steps[steps.findIndex((s) => s.id === step.id) + 1];
    res.redirect(303, toCheck || !next ? `${base(id)}/check` : stepUrl(id, next.id));
  });

  router.get('/forms/:id/check', async (req, res) => {
    const model = modelOf(req);
    const draft = await draftOf(req, model);
    if (!draft) {
      renderMessage(req, res, 410, 'expired', model);
      return;
    }
    renderCheck(req, res, model, draft, parseData(draft));
  });

  router.post('/forms/:id/check', deps.rateLimiter.middleware('submissions'), urlencoded, async (req, res) => {
    const model = modelOf(req);
    const draft = await postedDraft(req, res, model);
    if (!draft) return;
    const id = model.form.definition.id;
    const language = pageLanguage(req);
    const body = req.body as FormBody;
    let data = parseData(draft);
    for (const node of model.declarations) {
      data = readStep(model, { id: 'declarations', title: { de: '' }, nodes: [node] }, body, data);
    }
    // Declarations are yes/no answers; only the draft's cap can refuse them.
    if (!(await drafts.saveData(draft, data))) {
      renderCheck(req, res, model, draft, data, [tooManyValuesError(language)]);
      return;
    }
    if (body._action === 'save') {
      await renderSaved(req, res, model, draft, data, `${base(id)}/check`);
      return;
    }
    // The server is the authority: everything is validated again, step by step.
    for (const step of applicableSteps(model, data)) {
      const errors = stepErrors(model, step, data, language);
      if (errors.length > 0) {
        renderStep(req, res, model, step, draft, data, { errors });
        return;
      }
    }
    const pruned = pruneInapplicable(model, data);
    const declarationErrors = model.form.validate(pruned, language).filter((e) => model.declarations.some((d) => d.pattern === e.pointer));
    if (declarationErrors.length > 0) {
      renderCheck(req, res, model, draft, data, declarationErrors);
      return;
    }
    // Exactly the path of the JSON API, so page and API submissions are stored and sent alike.
    const accepted = await deps.submissions.accept(id, { data: pruned }, language);
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
    const model = modelOf(req);
    const ref = typeof req.query.ref === 'string' ? req.query.ref : '';
    const token = typeof req.query.token === 'string' ? req.query.token : undefined;
    const record = await deps.submissions.findWithToken(ref, token);
    const found = record ? routing.authority(record.authorityId) : undefined;
    if (!record || !found) throw new AppError('SUBMISSION_NOT_FOUND', 'confirmation for unknown reference or token');
    const language = pageLanguage(req);
    const t = renderer.strings(language);
    // The applicant's status page: where the application stands, as of its latest event.
    const view = await deps.submissions.statusOf(record);
    const latest = view.events.at(-1)?.at ?? record.createdAt;
    const status = {
      code: view.status,
      text: t[`status_${view.status}`] ?? '',
      iso: latest.toISOString(),
      at: formatLongDateTime(latest, language),
    };
    res.set('cache-control', 'no-store').type('html').send(renderer.render('confirmation', {
      ...frame({ renderer, tenant: found.tenant, language, model, pageTitle: t.confirmationTitle ?? '', switchUrl: languageSwitchUrl(req, language === 'de' ? 'en' : 'de') }),
      reference: record.id,
      authority: { name: found.authority.name, email: found.authority.email },
      status,
      pageUrl: req.originalUrl,
      receiptUrl: receiptPath(record.id, token ?? ''),
      againUrl: base(model.form.definition.id),
    }));
  });

  router.get('/forms/:id/resume/:token', async (req, res) => {
    const model = modelOf(req);
    const id = model.form.definition.id;
    const opened = await drafts.resume(id, String(req.params.token));
    if (!opened) {
      renderMessage(req, res, 410, 'expired', model);
      return;
    }
    res.append('set-cookie', serializeCookie(DRAFT_COOKIE, opened.cookieValue, cookieOptions(id)));
    const data = parseData(opened.draft);
    const language = pageLanguage(req);
    const open = applicableSteps(model, data).find((s) => stepErrors(model, s, data, language).length > 0);
    res.redirect(303, open ? stepUrl(id, open.id) : `${base(id)}/check`);
  });

  // Errors on pages get pages, not problem documents.
  router.use('/forms', ((err: unknown, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const model = models.get(String((req.params as { id?: string }).id ?? ''));
    if (err instanceof AppError && err.status === 404) {
      renderMessage(req, res, 404, 'notFound', model);
      return;
    }
    // The limiter has set Retry-After already.
    if (err instanceof AppError && err.code === 'RATE_LIMITED') {
      renderMessage(req, res, 429, 'rateLimited', model);
      return;
    }
    const status = err instanceof AppError ? err.status : (err as { status?: unknown } | null)?.status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      renderMessage(req, res, status, 'error', model);
      return;
    }
    // The route pattern, not the path: a resume path carries the citizen's token.
    const route = typeof (req.route as { path?: unknown } | undefined)?.path === 'string' ? (req.route as { path: string }).path : 'unknown';
    // A store that cannot be written just now (disk full, read-only): classified as the API does.
    const unavailable = toAppError(err, pageLanguage(req));
    if (unavailable.code === 'STORAGE_UNAVAILABLE') {
      logStorageUnavailable(deps.logger, unavailable, route);
      res.set('retry-after', String(unavailable.options.retryAfterSeconds ?? STORAGE_RETRY_AFTER_SECONDS));
      renderMessage(req, res, 503, 'unavailable', model);
      return;
    }
    deps.logger.error('pages.internal_error', { route, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
    renderMessage(req, res, 500, 'error', model);
  }) as express.ErrorRequestHandler);

  return router;
}
