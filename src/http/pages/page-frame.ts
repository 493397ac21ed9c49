import type { Request } from 'express';
import type { CompiledForm } from '../../forms/compiled-form';
import type { PageRenderer } from '../../render/templates';
import type { Tenant } from '../../routing/tenant';
import { readCookie } from '../cookies';
import { negotiateLanguage } from '../language';
import type { Language } from '../../i18n/language';
import { localize } from '../../i18n/language';

export const LANGUAGE_COOKIE = 'efa_lang';

/** The citizen's language: their explicit choice (cookie), else the browser's, else German. */
export function pageLanguage(req: Request): Language {
  const chosen = readCookie(req.get('cookie'), LANGUAGE_COOKIE);
  if (chosen === 'de' || chosen === 'en') return chosen;
  return negotiateLanguage(req.get('accept-language'));
}

/** The current URL with ?lang= set, for the switch on every GET page. */
export function languageSwitchUrl(req: Request, target: Language): string {
  const url = req.originalUrl.replace(/([?&])lang=[^&]*(&|$)/, '$1').replace(/[?&]$/, '');
  return `${url}${url.includes('?') ? '&' : '?'}lang=${target}`;
}

export interface FrameOptions {
  readonly renderer: PageRenderer;
  readonly tenant: Tenant;
  readonly language: Language;
  readonly form?: CompiledForm;
  readonly pageTitle: string;
  /** Only GET pages can be switched in place; POST results have no switch. */
  readonly switchUrl?: string;
  readonly backUrl?: string;
  readonly hasErrors?: boolean;
  /** A tester's link is in use: every page says that what is sent is a test. */
  readonly testMode?: boolean;
}

/** What the layout needs on every page: language, strings, tenant frame and titles. */
export function frame(options: FrameOptions): Record<string, unknown> {
  const { renderer, tenant, language, form } = options;
  return {
    lang: language,
    t: renderer.strings(language),
    tenantName: localize(tenant.name, language),
    links: tenant.links,
    serviceTitle: form ? localize(form.definition.title, language) : undefined,
    pageTitle: options.pageTitle,
    // The <title> names page, service and tenant, without repeating the service on its start page.
    titleService: form && localize(form.definition.title, language) !== options.pageTitle ? localize(form.definition.title, language) : undefined,
    languageSwitchUrl: options.switchUrl,
    backUrl: options.backUrl,
    hasErrors: options.hasErrors ?? false,
    testMode: options.testMode ?? false,
  };
}
