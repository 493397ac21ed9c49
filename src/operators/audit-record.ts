import type { OperatorAuditEntry } from '../storage/ports';

/**
 * What the operator audit trail may hold of a caller's input: an id as ids look here (job ids,
 * authority ids, reference numbers), at most 64 characters. Anything else (a path segment someone
 * typed) is not kept: it could be anything, personal data included.
 */
export function auditTarget(value: string | undefined): string | null {
  return value !== undefined && /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(value) ? value : null;
}

/** An audit entry as the admin API returns it. */
export function auditEntryView(entry: OperatorAuditEntry) {
  return {
    at: entry.at.toISOString(), actor: entry.actor, tenantId: entry.tenantId, action: entry.action, target: entry.target, outcome: entry.outcome,
    ...(entry.detail === undefined ? {} : { detail: entry.detail }),
  };
}
