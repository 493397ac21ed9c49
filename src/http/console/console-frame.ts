import type { Request, Response } from 'express';
import { CONSOLE_TEXTS, consoleStrings } from '../../i18n/console-texts';
import { format } from '../../i18n/translator';
import type { Language } from '../../i18n/language';
import type { Actor } from '../../operators/operator-access';
import { readCookie } from '../cookies';
import { negotiateLanguage } from '../language';
import type { ConsoleCaller } from './console-dependencies';
import { CONSOLE_LANGUAGE_COOKIE, CONSOLE_PATH } from './console-session';
import type { ConsoleTemplates } from './console-templates';

/** No script at all, styles from /assets only, forms only to the console itself. */
export const CONSOLE_CSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** The operator's language: the switch's choice (cookie), else the browser's, else German. */
export function consoleLanguage(req: Request): Language {
  const chosen = readCookie(req.get('cookie'), CONSOLE_LANGUAGE_COOKIE);
  if (chosen === 'de' || chosen === 'en') return chosen;
  return negotiateLanguage(req.get('accept-language'));
}

export type ConsoleSection = 'overview' | 'coverage' | 'responsibilities' | 'deliveries' | 'submissions' | 'audit' | 'reload';

const SECTIONS: readonly { readonly section: ConsoleSection; readonly path: string; readonly label: keyof typeof CONSOLE_TEXTS }[] = [
  { section: 'overview', path: '', label: 'navOverview' },
  { section: 'coverage', path: '/coverage', label: 'navCoverage' },
  { section: 'responsibilities', path: '/responsibilities', label: 'navResponsibilities' },
  { section: 'deliveries', path: '/deliveries', label: 'navDeliveries' },
  { section: 'submissions', path: '/submissions', label: 'navSubmissions' },
  { section: 'audit', path: '/audit', label: 'navAudit' },
  { section: 'reload', path: '/reload', label: 'navReload' },
];

/** How the header names who is signed in. */
export function actorLabel(actor: Actor, language: Language): string {
  const t = CONSOLE_TEXTS;
  return actor.kind === 'admin' ? t.installationAdmin[language] : format(t.operatorOf[language], { operator: actor.operatorId, tenant: actor.tenantId });
}

export interface ConsolePage {
  readonly status: number;
  readonly page: string;
  readonly title: string;
  readonly model?: Readonly<Record<string, unknown>>;
  /** The signed-in caller (navigation and the sign-out form); absent on sign-in and error pages without a session. */
  readonly caller?: ConsoleCaller | undefined;
  readonly section?: ConsoleSection;
  /** The page has an error summary: the title says so. */
  readonly hasErrors?: boolean;
}

/** The current URL with ?lang= set, for the switch on GET pages; POST results have none. */
function switchUrl(req: Request, target: Language): string | undefined {
  if (req.method !== 'GET') return undefined;
  const url = new URL(req.originalUrl, 'http://console.invalid');
  url.searchParams.set('lang', target);
  return `${url.pathname}${url.search}`;
}

/** Renders a console page into its layout and sends it, never cached. */
export function sendConsolePage(templates: ConsoleTemplates, req: Request, res: Response, page: ConsolePage): void {
  const language = consoleLanguage(req);
  const t = consoleStrings(language);
  const caller = page.caller;
  const nav = caller
    ? SECTIONS.map((s) => ({ href: `${CONSOLE_PATH}${s.path}`, label: t[s.label], current: s.section === page.section }))
    : undefined;
  const html = templates.render(page.page, {
    ...page.model,
    lang: language,
    t,
    pageTitle: page.title,
    hasErrors: page.hasErrors ?? false,
    nav,
    signedInAs: caller ? format(t.signedInAs, { actor: actorLabel(caller.actor, language) }) : undefined,
    csrfToken: caller?.csrfToken,
    languageSwitchUrl: switchUrl(req, language === 'de' ? 'en' : 'de'),
    languageSwitchLang: language === 'de' ? 'en' : 'de',
  });
  res.status(page.status).type('html').send(html);
}
