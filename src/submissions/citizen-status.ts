import type { DeliveryJob, SubmissionRecord } from '../storage/ports';

/**
 * What the applicant is told: accepted, in progress (the authority could not be reached yet and
 * we keep trying), delivered, acknowledged. Never an error text, never a channel detail.
 */
export type CitizenStatus = 'accepted' | 'in_progress' | 'delivered' | 'acknowledged';

/**
 * The events the applicant sees, in order; retries and operators' actions stay internal.
 * `purged`: the answers were deleted after the retention period (docs/retention.md).
 */
const CITIZEN_EVENTS = new Set(['accepted', 'delivered', 'acknowledged', 'purged']);

export function citizenStatus(record: SubmissionRecord, jobs: readonly DeliveryJob[]): {
  readonly status: CitizenStatus;
  readonly events: ReadonlyArray<{ readonly type: string; readonly at: Date }>;
} {
  let status: CitizenStatus = record.status;
  if (status === 'accepted') {
    // Any attempt that failed so far, whatever the job's state now (failed, dead, pending again
    // after a shutdown or an operator's retry, in flight once more): a dead job is "in progress"
    // too, an operator is looking at it.
    const struggling = jobs.some((j) => j.channel !== 'email-citizen' && j.state !== 'delivered' && j.lastError !== null);
    if (struggling) status = 'in_progress';
  }
  return { status, events: record.events.filter((e) => CITIZEN_EVENTS.has(e.type)).map((e) => ({ type: e.type, at: e.at })) };
}
