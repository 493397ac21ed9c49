import { randomBytes } from 'node:crypto';
import { sha256Hex } from '../support/sha256';
import type { Draft, Store } from '../storage/ports';
import type { CompiledForm } from '../forms/compiled-form';
import { fittingAnswers, type FittingAnswers } from './fitting-answers';

/** The random ids and tokens given to citizens; only their SHA-256 is stored. */
function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** The SHA-256 (hex) under which a cookie id or resume token is stored; the secret itself never is. */
export const hashSecret = sha256Hex;

export interface OpenDraft {
  /** The value of the citizen's cookie; never stored. */
  readonly cookieValue: string;
  readonly draft: Draft;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The most a draft's answers may take (as JSON). Each answer is also within its schema's limits
 * (checked before saving, see CompiledForm.storageErrors); this caps the sum, so that anonymous
 * clients cannot fill the disk with drafts of a megabyte each.
 */
export const MAX_DRAFT_BYTES = 256 * 1024;

/** Unfinished applications (see createDraftService). */
export interface DraftService {
  create(formId: string, formVersion: string): Promise<OpenDraft>;
  /** The citizen's draft for this form, or undefined when there is none or it expired. */
  load(formId: string, cookieValue: string | undefined): Promise<Draft | undefined>;
  /** Saves the answers; false (and nothing written) when they exceed MAX_DRAFT_BYTES. */
  saveData(draft: Draft, data: unknown): Promise<boolean>;
  /** "Save and continue later": a new resume token each time (an older link stops working). */
  issueResumeToken(draft: Draft): Promise<{ token: string; expiresAt: Date }>;
  /** Opens a draft by its resume token with a fresh cookie value (the old cookie stops working). */
  resume(formId: string, token: string): Promise<OpenDraft | undefined>;
  /**
   * Carries a draft made on another version of the form (a reload changed it) over to this one:
   * the answers that still fit are kept, the rest left out (see fitting-answers.ts), and the draft
   * gets the form's version. Returns the draft as it is now and what was left out.
   */
  adopt(draft: Draft, form: CompiledForm): Promise<{ readonly draft: Draft } & Omit<FittingAnswers, 'data'>>;
  delete(draft: Draft): Promise<void>;
  /** Deletes expired drafts; the number deleted. */
  purgeExpired(): Promise<number>;
}

/**
 * Unfinished applications kept on the server, keyed by a random id in the citizen's cookie.
 * Every change extends the expiry to DRAFT_TTL_DAYS from now; expired drafts are invisible at
 * once and deleted by purgeExpired (called periodically), so nothing lingers (GDPR art. 5).
 */
export function createDraftService(options: { readonly store: Store; readonly now: () => Date; readonly ttlDays: number }): DraftService {
  const { store, now } = options;
  const expiry = (from: Date) => new Date(from.getTime() + options.ttlDays * DAY_MS);

  return {
    async create(formId: string, formVersion: string): Promise<OpenDraft> {
      const cookieValue = newSecret();
      const at = now();
      const draft: Draft = {
        key: hashSecret(cookieValue), formId, formVersion, dataJson: '{}', csrfToken: newSecret(),
        resumeTokenHash: null, createdAt: at, updatedAt: at, expiresAt: expiry(at),
      };
      await store.drafts.create(draft);
      return { cookieValue, draft };
    },

    /** The citizen's draft for this form, or undefined when there is none or it expired. */
    async load(formId: string, cookieValue: string | undefined): Promise<Draft | undefined> {
      if (!cookieValue || cookieValue.length > 100) return undefined;
      const draft = await store.drafts.find(hashSecret(cookieValue), now());
      return draft?.formId === formId ? draft : undefined;
    },

    /** Saves the answers; false (and nothing written) when they exceed MAX_DRAFT_BYTES. */
    async saveData(draft: Draft, data: unknown): Promise<boolean> {
      const dataJson = JSON.stringify(data);
      if (Buffer.byteLength(dataJson) > MAX_DRAFT_BYTES) return false;
      const at = now();
      await store.drafts.update(draft.key, { dataJson, updatedAt: at, expiresAt: expiry(at) });
      return true;
    },

    /** "Save and continue later": a new resume token each time (an older link stops working). */
    async issueResumeToken(draft: Draft): Promise<{ token: string; expiresAt: Date }> {
      const token = newSecret();
      const at = now();
      const expiresAt = expiry(at);
      await store.drafts.update(draft.key, { resumeTokenHash: hashSecret(token), updatedAt: at, expiresAt });
      return { token, expiresAt };
    },

    /** Opens a draft by its resume token with a fresh cookie value (the old cookie stops working). */
    async resume(formId: string, token: string): Promise<OpenDraft | undefined> {
      if (token.length > 100) return undefined;
      const draft = await store.drafts.findByResumeToken(hashSecret(token), now());
      if (!draft || draft.formId !== formId) return undefined;
      const cookieValue = newSecret();
      const key = hashSecret(cookieValue);
      if (!(await store.drafts.rekey(draft.key, key))) return undefined;
      return { cookieValue, draft: { ...draft, key } };
    },

    async adopt(draft: Draft, form: CompiledForm) {
      const parsed: unknown = JSON.parse(draft.dataJson);
      const answers = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
      const { data, dropped, removedQuestions } = fittingAnswers(form, answers);
      const dataJson = JSON.stringify(data);
      const formVersion = form.definition.version;
      const at = now();
      const expiresAt = expiry(at);
      await store.drafts.update(draft.key, { dataJson, formVersion, updatedAt: at, expiresAt });
      return { draft: { ...draft, dataJson, formVersion, updatedAt: at, expiresAt }, dropped, removedQuestions };
    },

    delete: (draft: Draft) => store.drafts.delete(draft.key),
    purgeExpired: () => store.drafts.deleteExpired(now()),
  };
}
