/** The shape of a fuzz case: one API request, or a short visit of the citizen pages. */

export interface RequestSpec {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Buffer;
  /** Sends only this many bytes of the body (with the full content-length), then hangs up. */
  readonly abortAfterBytes?: number;
}

/** What the documentation promises for a case, beyond "no 5xx". */
export type Expectation = 'accepted' | 'refused';

interface CaseBase {
  readonly index: number;
  readonly form: string;
  /** The mutation class, e.g. `proto-key`, used to group failures. */
  readonly mutation: string;
  /** A short description of what was done (never the body itself). */
  readonly description: string;
  /** Large and possibly slow: run alone, so its time and the event-loop delay are its own. */
  readonly giant: boolean;
}

export interface ApiCase extends CaseBase {
  readonly kind: 'api';
  readonly request: RequestSpec;
  readonly expect?: Expectation;
}

/** A urlencoded body part: a name/value pair (encoded when sent) or raw text sent as it is. */
export type FormPart = readonly [string, string] | { readonly raw: string };

export type CsrfMode = 'valid' | 'missing' | 'wrong' | 'twice' | 'no-draft';

export type PagePlan =
  /** Start a draft, then POST hostile fields to one step (or to the check page), follow the answer. */
  | {
      readonly type: 'post';
      /** Path below /forms/<id>/, e.g. `steps/halter` or `check`. */
      readonly target: string;
      readonly parts: readonly FormPart[];
      readonly csrf: CsrfMode;
      readonly contentType?: string;
    }
  /** Go through every step with these answers and submit on the check page. */
  | { readonly type: 'full'; readonly data: Record<string, unknown>; readonly expectAccepted: boolean }
  /** GET these paths (unknown steps, forged references, resume tokens) with a fresh draft. */
  | { readonly type: 'get'; readonly paths: readonly string[] };

export interface PageCase extends CaseBase {
  readonly kind: 'page';
  readonly plan: PagePlan;
  /** The statuses the documentation promises for the POST (e.g. 403 without the CSRF token). */
  readonly expectStatus?: readonly number[];
}

export type FuzzCase = ApiCase | PageCase;
