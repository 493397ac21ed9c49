import type { Request, Response } from 'express';
import type { FieldError } from '../../errors';
import { getAtPointer } from '../../forms/json-pointer';
import { errorsOfStep, pruneInapplicable, stepApplies } from '../../forms/form-post';
import { fieldId, fieldView, type FieldView } from '../../forms/field-view';
import type { FormModel, FormStep } from '../../forms/question-tree';
import type { Tenant } from '../../routing/tenant';
import type { Draft } from '../../storage/ports';
import { frame, languageSwitchUrl, pageLanguage } from './page-frame';
import type { PagesDependencies } from './pages-router';
import { summaryRows } from '../../forms/summary';
import type { Language } from '../../i18n/language';
import { localize } from '../../i18n/language';
import { formatLongDate } from '../../i18n/formatters';
import { format } from '../../i18n/translator';

/** What the page views need (a subset of PagesDependencies). */
export type PageViewDependencies = Pick<PagesDependencies, 'models' | 'renderer' | 'drafts' | 'routing' | 'municipalities' | 'siteTenant' | 'publicBaseUrl'>;

type Data = Record<string, unknown>;

/** The draft's answers; anything but an object (never written by us) counts as none. */
export function parseData(draft: Draft): Data {
  const parsed: unknown = JSON.parse(draft.dataJson);
  return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Data) : {};
}

/**
 * The pages themselves: step, check page, "continue later", messages; and the rules they share
 * (which steps apply, which errors belong to a step, which tenant frames a page).
 */
export function createPageViews(deps: PageViewDependencies) {
  const { renderer, drafts, routing, municipalities } = deps;
  const base = (id: string) => `/forms/${encodeURIComponent(id)}`;
  const stepUrl = (id: string, step: string, toCheck = false) => `${base(id)}/steps/${encodeURIComponent(step)}${toCheck ? '?return=check' : ''}`;
  /** The tenant whose name and legal links frame the page: the applicant's once known. */
  function tenantFor(model: FormModel | undefined, data: unknown): Tenant {
    const ars = model ? getAtPointer(data, model.regionPattern) : undefined;
    const match = model && typeof ars === 'string' ? routing.resolve(model.form.definition.id, ars) : undefined;
    return match?.tenant ?? deps.siteTenant;
  }
  function renderMessage(req: Request, res: Response, status: number, kind: 'expired' | 'notFound' | 'csrf' | 'rateLimited' | 'unavailable' | 'error', model?: FormModel): void {
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
    const date = formatLongDate(expiresAt, language);
    res.status(200).type('html').send(renderer.render('saved', {
      ...frame({ renderer, tenant: tenantFor(model, data), language, model, pageTitle: t.savedTitle ?? '' }),
      resumeUrl: `${origin}${base(model.form.definition.id)}/resume/${token}`,
      expires: format(t.savedExpires ?? '', { date }),
      continueUrl,
    }));
  }


  return { base, stepUrl, tenantFor, renderMessage, applicableSteps, stepErrors, renderStep, renderCheck, renderSaved };
}

export type PageViews = ReturnType<typeof createPageViews>;
