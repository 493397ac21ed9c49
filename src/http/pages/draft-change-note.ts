import type { Request, Response } from 'express';
import type { CompiledForm } from '../../forms/compiled-form';
import { localize } from '../../i18n/language';
import { format } from '../../i18n/translator';
import { serializeCookie, type CookieOptions } from '../cookies';
import { frame, pageLanguage } from './page-frame';
import type { PagesDependencies } from './pages-dependencies';
import { testerOf } from './tester';

/** Which answers a reload's form change left out, until the next page has told the citizen (no personal data: field patterns). */
export const CHANGED_COOKIE = 'efa_draft_changed';
const MAX_NOTED_FIELDS = 30;

export interface ChangeNote {
  /** Field patterns of questions still asked whose answers no longer fit. */
  readonly dropped: readonly string[];
  readonly removedQuestions: boolean;
}

export function encodeNote(note: ChangeNote): string {
  return Buffer.from(JSON.stringify({ d: note.dropped.slice(0, MAX_NOTED_FIELDS), r: note.removedQuestions })).toString('base64url');
}

/** The note of the cookie; anything malformed counts as none (the labels come from the form, never from the cookie). */
export function decodeNote(value: string | undefined): ChangeNote | undefined {
  if (!value || value.length > 4096) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as { d?: unknown; r?: unknown };
    const dropped = Array.isArray(parsed.d) ? parsed.d.filter((p): p is string => typeof p === 'string').slice(0, MAX_NOTED_FIELDS) : [];
    return { dropped, removedQuestions: parsed.r === true };
  } catch {
    return undefined;
  }
}

/**
 * Tells the citizen plainly which answers a changed form (a reload) left out of their draft and
 * must be given again, with a link on to the page they asked for. `clearCookie` are the options
 * that expire the note's cookie (the form's path, max-age 0), since the note has now been shown.
 */
export function renderDraftChanged(
  deps: Pick<PagesDependencies, 'renderer' | 'siteTenant'>,
  req: Request, res: Response, form: CompiledForm, note: ChangeNote, clearCookie: CookieOptions,
): void {
  const language = pageLanguage(req);
  const t = deps.renderer.strings(language);
  const labels = [...new Set(note.dropped.map((pattern) => localize(form.node(pattern)?.label, language)).filter((l): l is string => l !== undefined && l !== ''))];
  const message = [
    labels.length > 0 ? format(t.draftChangedDropped ?? '', { labels: labels.join(', ') }) : t.draftChangedKept,
    note.removedQuestions ? t.draftChangedRemoved : undefined,
  ].filter((text): text is string => text !== undefined && text !== '').join(' ');
  res.append('set-cookie', serializeCookie(CHANGED_COOKIE, '', clearCookie));
  res.status(200).type('html').send(deps.renderer.render('message', {
    ...frame({ testMode: testerOf(res) !== undefined, renderer: deps.renderer, tenant: deps.siteTenant, language, form, pageTitle: t.draftChangedTitle ?? '' }),
    message,
    linkUrl: req.originalUrl,
    linkText: t.draftChangedContinue,
  }));
}
