import type { Request, Response } from 'express';
import { fieldId } from '../../forms/field-view';
import type { FormStep } from '../../forms/form-tree';
import { fileQuestionsOfStep } from '../../forms/file-questions';
import { FILE_STATUS_TEXTS } from '../../i18n/attachment-texts';
import type { Language } from '../../i18n/language';
import { format } from '../../i18n/translator';
import type { AttachmentRecord } from '../../storage/attachment-ports';
import { readCookie, serializeCookie } from '../cookies';

/**
 * What a step's post did to its files, for the status message (role="status", WCAG 4.1.3) of the
 * page that follows its redirect. It waits in a one-time cookie of the form's path, never in the
 * URL (a file's name is personal data, and URLs end up in logs and the history), and is not kept
 * in any process (web processes share nothing). The cookie carries no file name: an upload is
 * noted by its file's id (the page takes the name from the draft's files), a removal by its
 * question only (its record is gone, and the citizen just pressed that file's button).
 * It lives a minute and is cleared when shown.
 */
export interface FileNote {
  /** Ids of the files the post took. */
  readonly uploaded: readonly string[];
  /** The question of the file the post removed. */
  readonly removed?: { readonly pointer: string };
}

export const FILE_NOTE_COOKIE = 'efa_file_note';
/** The next GET follows the 303 at once; a note not shown by then is stale. */
const NOTE_SECONDS = 60;
const MAX_IDS = 20;

export const hasNews = (note: FileNote): boolean => note.uploaded.length > 0 || note.removed !== undefined;

function encode(stepId: string, note: FileNote): string {
  return Buffer.from(JSON.stringify({ s: stepId, u: note.uploaded.slice(0, MAX_IDS), ...(note.removed ? { r: note.removed.pointer } : {}) })).toString('base64url');
}

/** The note for this step; anything malformed, or another step's, counts as none. */
function decode(value: string | undefined, stepId: string): FileNote | undefined {
  if (!value || value.length > 2048) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as { s?: unknown; u?: unknown; r?: unknown };
    if (parsed.s !== stepId) return undefined;
    const uploaded = Array.isArray(parsed.u) ? parsed.u.filter((id): id is string => typeof id === 'string').slice(0, MAX_IDS) : [];
    const r = parsed.r;
    const removed = typeof r === 'string' ? { pointer: r } : undefined;
    return { uploaded, ...(removed ? { removed } : {}) };
  } catch {
    return undefined;
  }
}

/** Leaves the note for the step the post redirects back to. */
export function keepFileNote(res: Response, formPath: string, secure: boolean, stepId: string, note: FileNote): void {
  if (hasNews(note)) res.append('set-cookie', serializeCookie(FILE_NOTE_COOKIE, encode(stepId, note), { path: formPath, secure, maxAgeSeconds: NOTE_SECONDS }));
}

/** A GET of a step takes the note waiting for it and clears the cookie, so it is said once. */
export function takeFileNote(req: Request, res: Response, formPath: string, secure: boolean, stepId: string): FileNote | undefined {
  if (req.method !== 'GET') return undefined;
  const value = readCookie(req.get('cookie'), FILE_NOTE_COOKIE);
  if (value === undefined) return undefined;
  res.append('set-cookie', serializeCookie(FILE_NOTE_COOKIE, '', { path: formPath, secure, maxAgeSeconds: 0 }));
  return decode(value, stepId);
}

/**
 * The status message at each file question of the step (by the question's field id, for
 * field-file.hbs): uploads named as the draft holds them (a file removed meanwhile, or an id the
 * draft does not have, is not mentioned), a removal without a name.
 */
export function fileNoteMessages(note: FileNote | undefined, step: FormStep, records: readonly AttachmentRecord[], language: Language): Record<string, { text: string }> {
  const messages: Record<string, { text: string }> = {};
  if (!note) return messages;
  const pointers = new Set(fileQuestionsOfStep(step).map((q) => q.pointer));
  const say = (pointer: string, text: string) => {
    if (!pointers.has(pointer)) return;
    const id = fieldId(pointer);
    messages[id] = { text: messages[id] ? `${messages[id].text} ${text}` : text };
  };
  if (note.removed) say(note.removed.pointer, FILE_STATUS_TEXTS.removed[language]);
  for (const record of records) {
    if (note.uploaded.includes(record.id)) say(record.fieldPointer, format(FILE_STATUS_TEXTS.uploaded[language], { name: record.fileName }));
  }
  return messages;
}
