/**
 * Which retention period applies to which form (docs/retention.md): a form's own
 * `retentionDays`, else the installation's RETENTION_DAYS. Pure; the store applies it.
 */

/** What a form contributes: its id and, optionally, its own number of days. */
export interface RetentionFormInfo {
  readonly definition: { readonly id: string; readonly retentionDays?: number };
}

export interface RetentionPolicy {
  /** RETENTION_DAYS: for every form without its own days, including forms no longer loaded. */
  readonly defaultDays: number;
  /** The loaded forms that set `retentionDays` (those equal to the default are left out). */
  readonly daysByForm: ReadonlyMap<string, number>;
}

/** The policy for the forms loaded now (read anew at each clean-up, so a reload applies at once). */
export function retentionPolicy(defaultDays: number, forms: readonly RetentionFormInfo[]): RetentionPolicy {
  const daysByForm = new Map<string, number>();
  for (const { definition } of forms) {
    if (definition.retentionDays !== undefined && definition.retentionDays !== defaultDays) daysByForm.set(definition.id, definition.retentionDays);
  }
  return { defaultDays, daysByForm };
}

/** The days that apply to one form's submissions under `policy`. */
export function retentionDaysOf(policy: RetentionPolicy, formId: string): number {
  return policy.daysByForm.get(formId) ?? policy.defaultDays;
}
