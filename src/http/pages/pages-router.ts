import express, { Router, type Request, type Response } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { AppError, type FieldError, type Language } from '../../errors';
import { localize } from '../../forms/form-definition';
import { getAtPointer } from '../../forms/json-pointer';
import type { DraftService } from '../../drafts/draft-service';
import { changeList, errorsOfStep, pruneInapplicable, readStep, stepApplies, type FormBody } from '../../render/answers';
import { fieldId, fieldView, type FieldView } from '../../render/field-view';
import type { FormModel, FormStep } from '../../render/form-model';
import { format, type PageRenderer } from '../../render/templates';
import type { MunicipalitySearch } from '../../routing/municipality-search';
import type { RoutingTable } from '../../routing/routing-table';
import type { Tenant } from '../../routing/tenant';
import type { Draft } from '../../storage/ports';
import type { SubmissionService } from '../../submissions/submission-service';
import type { Logger } from '../../support/logger';
import { readCookie, serializeCookie } from '../cookies';
import { receiptPath, statusPath } from '../submissions-router';
import { frame, LANGUAGE_COOKIE, languageSwitchUrl, pageLanguage } from './page-frame';
import { summaryRows } from './summary';

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
}

const DRAFT_COOKIE = 'efa_draft';
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

type Data = Record<string, unknown>;

function parseData(draft: Draft): Data {
  const parsed: unknown = JSON.parse(draft.dataJson);
  return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Data) : {};
}

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
  const { models, renderer, drafts, routing, municipalities } = deps;
  const urlencoded = express.urlencoded({ extended: false, limit: deps.bodyLimitBytes, parameterLimit: 2000 });

  const base = (id: string) => `/forms/${encodeURIComponent(id)}`;
  const stepUrl = (id: string, step: string, toCheck = false) => `${base(id)}/steps/${encodeURIComponent(step)}${toCheck ? '?return=check' : ''}`;
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

  /** The tenant whose name and legal links frame the page: the applicant's once known. */
  function tenantFor(model: FormModel | undefined, data: unknown): Tenant {
    const ars = model ? getAtPointer(data, model.regionPattern) : undefined;
    const match = model && typeof ars === 'string' ? routing.resolve(model.form.definition.id, ars) : undefined;
    return match?.tenant ?? deps.siteTenant;
  }

  async function draftOf(req: Request, model: FormModel): Promise<Draft | undefined> {
    return drafts.load(model.form.definition.id, readCookie(req.get('cookie'), DRAFT_COOKIE));
  }

  function renderMessage(req: Request, res: Response, status: number, kind: 'expired' | 'notFound' | 'csrf' | 'error', model?: FormModel): void {
    const language = pageLanguage(req);
    const t = renderer.strings(language);
    const restart = model ? base(model.form.definition.id) : undefined;
    res.status(status).type('html').send(renderer.render('message', {
      ...frame({ renderer, tenant: deps.siteTenant, language, ...(model ? { model } : {}), pageTitle: t[`${kind}Title`] ?? '', ...(req.method === 'GET' ? { switchUrl: languageSwitchUrl(req, language === 'de' ? 'en' : 'de') } : {}) }),
      message: t[`${kind}Text`],
      ...(restart && kind === 'expired' ? { linkUrl: restart, linkText: t.expiredRestart } : {}),
    }));
  }

  const applicableSteps = (model: FormModel, data: unknown) => model.steps.filter((s) => stepApplies(model, s, data));

  function stepErrors(model: FormModel, step: FormStep, data: Data, language: Language): FieldError[] {
    const pruned = pruneInapplicable(model, data);
    const errors = errorsOfStep(model, step, model.form.validate(pruned, language));
    if (step.id === 'gemeinde' && errors.length === 0) {
      const ars = getAtPointer(data, model.regionPattern);
      const t = renderer.strings(language);
      if (typeof ars !== 'string') return [{ pointer: model.regionPattern, message: t.regionChoose ?? '' }];
      if (!routing.resolve(model.form.definition.id, ars)) {
        const name = municipalities.byArs(ars)?.municipality.name ?? ars;
        return [{ pointer: model.regionPattern, message: format(t.regionNoAuthority ?? '', { name }) }];
      }
    }
    return errors;
  }

  interface StepRender {
    readonly errors?: readonly FieldError[];
    readonly query?: string;
    readonly searched?: boolean;
  }

  function renderStep(req: Request, res: Response, model: FormModel, step: FormStep, draft: Draft, data: Data, extra: StepRender = {}): void {
    const language = pageLanguage(req);
    const t = renderer.strings(language);
    const errors = extra.errors ?? [];
    const id = model.form.definition.id;
    const steps = applicableSteps(model, data);
    const index = Math.max(steps.findIndex((s) => s.id === step.id), 0);
    const toCheck = req.query.return === 'check';
    const ctx = { model, language, strings: t, data, errors: new Map(errors.map((e) => [e.pointer, e.message])) };
    const fields = step.nodes
      .filter((n) => n.condition?.reveal !== undefined || stepApplies(model, { ...step, nodes: [n] }, data))
      .map((n) => {
        const view = fieldView(n, n.pattern, ctx);
        if (view?.partial !== 'field-region') return view;
        // The region question offers the municipalities found, or the one already chosen.
        const chosen = getAtPointer(data, model.regionPattern);
        const found = extra.query ? municipalities.search(extra.query) : [];
        const current = typeof chosen === 'string' ? municipalities.byArs(chosen) : undefined;
        const list = found.length > 0 ? found : current ? [current] : [];
        const preselect = found.length === 1 ? found[0]!.municipality.ars : chosen;
        return {
          ...view,
          options: list.map((m, i) => ({
            id: i === 0 ? `${view.id}-option` : `${view.id}-option-${i}`,
            value: m.municipality.ars,
            label: `${m.municipality.name} (${m.municipality.postalCodes.slice(0, 3).join(', ')}${m.municipality.postalCodes.length > 3 ? ' …' : ''})`,
            checked: m.municipality.ars === preselect,
          })),
          region: {
            query: extra.query ?? '',
            noResults: extra.searched && found.length === 0 ? format(t.regionNoResults ?? '', { q: extra.query ?? '' }) : undefined,
          },
        };
      })
      .filter((v): v is FieldView => v !== undefined);
    const backUrl = toCheck ? `${base(id)}/check` : index === 0 ? base(id) : stepUrl(id, steps[index - 1]!.id);
    const title = localize(step.title, language) ?? step.id;
    res.status(errors.length > 0 ? 400 : 200).type('html').send(renderer.render('step', {
      ...frame({
        renderer, tenant: tenantFor(model, data), language, model, pageTitle: title, backUrl, hasErrors: errors.length > 0,
        ...(req.method === 'GET' ? { switchUrl: languageSwitchUrl(req, language === 'de' ? 'en' : 'de') } : {}),
      }),
      errors: errors.map((e) => ({ href: fieldId(e.pointer), message: e.message })),
      stepOf: format(t.stepOf ?? '', { n: index + 1, total: steps.length }),
      stepTitle: title,
      stepDescription: localize(step.description, language),
      action: stepUrl(id, step.id, toCheck),
      csrf: draft.csrfToken,
      fields,
    }));
  }

  function renderCheck(req: Request, res: Response, model: FormModel, draft: Draft, data: Data, errors: readonly FieldError[] = []): void {
    const language = pageLanguage(req);
    const t = renderer.strings(language);
    const id = model.form.definition.id;
    const steps = applicableSteps(model, data);
    const ctx = { model, language, strings: t, data, errors: new Map(errors.map((e) => [e.pointer, e.message])) };
    const ars = getAtPointer(data, model.regionPattern);
    const match = typeof ars === 'string' ? routing.resolve(id, ars) : undefined;
    res.status(errors.length > 0 ? 400 : 200).type('html').send(renderer.render('check', {
      ...frame({
        renderer, tenant: tenantFor(model, data), language, model, pageTitle: t.checkTitle ?? '', hasErrors: errors.length > 0,
        ...(steps.length > 0 ? { backUrl: stepUrl(id, steps[steps.length - 1]!.id) } : {}),
        ...(req.method === 'GET' ? { switchUrl: languageSwitchUrl(req, language === 'de' ? 'en' : 'de') } : {}),
      }),
      errors: errors.map((e) => ({ href: fieldId(e.pointer), message: e.message })),
      sections: steps.map((step) => ({
        title: localize(step.title, language),
        rows: summaryRows(model, step, data, language, t, municipalities, (pointer) => `${stepUrl(id, step.id, true)}#${fieldId(pointer)}`),
      })),
      authorityName: match?.authority.name,
      declarations: model.declarations.map((n) => fieldView(n, n.pattern, ctx)),
      action: `${base(id)}/check`,
      csrf: draft.csrfToken,
    }));
  }

  async function renderSaved(req: Request, res: Response, model: FormModel, draft: Draft, data: Data, continueUrl: string): Promise<void> {
    const language = pageLanguage(req);
    const t = renderer.strings(language);
    const { token, expiresAt } = await drafts.issueResumeToken(draft);
    const origin = deps.publicBaseUrl || `${req.protocol}://${req.get('host') ?? 'localhost'}`;
    const date = new Intl.DateTimeFormat(language === 'en' ? 'en-GB' : 'de-DE', { dateStyle: 'long', timeZone: 'Europe/Berlin' }).format(expiresAt);
    res.status(200).type('html').send(renderer.render('saved', {
      ...frame({ renderer, tenant: tenantFor(model, data), language, model, pageTitle: t.savedTitle ?? '' }),
      resumeUrl: `${origin}${base(model.form.definition.id)}/resume/${token}`,
      expires: format(t.savedExpires ?? '', { date }),
      continueUrl,
    }));
  }

  /** Every POST must carry the draft's CSRF token; a stale or forged form is refused. */
  async function postedDraft(req: Request, res: Response, model: FormModel): Promise<Draft | undefined> {
    const draft = await draftOf(req, model);
    if (!draft) {
      renderMessage(req, res, 410, 'expired', model);
      return undefined;
    }
    const token = (req.body as FormBody)._csrf;
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

  router.get('/forms/:id/start', async (req, res) => {
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

  router.post('/forms/:id/steps/:step', urlencoded, async (req, res) => {
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
      await drafts.saveData(draft, data);
      renderStep(req, res, model, step, draft, data, { query, searched: true });
      return;
    }
    if (action.startsWith('add:') || action.startsWith('remove:')) {
      data = changeList(data, action);
      await drafts.saveData(draft, data);
      res.redirect(303, stepUrl(id, step.id, toCheck));
      return;
    }
    await drafts.saveData(draft, data);
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

  router.post('/forms/:id/check', urlencoded, async (req, res) => {
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
    await drafts.saveData(draft, data);
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
    await drafts.delete(draft);
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
    res.type('html').send(renderer.render('confirmation', {
      ...frame({ renderer, tenant: found.tenant, language, model, pageTitle: t.confirmationTitle ?? '', switchUrl: languageSwitchUrl(req, language === 'de' ? 'en' : 'de') }),
      reference: record.id,
      authority: { name: found.authority.name, email: found.authority.email },
      statusUrl: statusPath(record.id, token ?? ''),
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
    const status = err instanceof AppError ? err.status : (err as { status?: unknown } | null)?.status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      renderMessage(req, res, status, 'error', model);
      return;
    }
    // The route pattern, not the path: a resume path carries the citizen's token.
    deps.logger.error('pages.internal_error', { route: typeof (req.route as { path?: unknown } | undefined)?.path === 'string' ? (req.route as { path: string }).path : 'unknown', error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
    renderMessage(req, res, 500, 'error', model);
  }) as express.ErrorRequestHandler);

  return router;
}
