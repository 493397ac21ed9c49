import type { DeliveryJob, SubmissionRecord } from '../storage/ports';

/**
 * What the applicant is told: accepted, in progress (the authority could not be reached yet and
 * we keep trying), delivered, acknowledged. Never an error text, never a channel detail.
 */
export type CitizenStatus = 'accepted' | 'in_progress' | 'delivered' | 'acknowledged';

/** The events the applicant sees, in order; retries and operators' actions stay internal. */
const CITIZEN_EVENTS = new Set(['accepted', 'delivered', 'acknowledged']);

export function citizenStatus(record: SubmissionRecord, jobs: readonly DeliveryJob[]): {
  readonly status: CitizenStatus;
  readonly events: ReadonlyArray<{ readonly type: string; readonly at: Date }>;
} {
  let status: CitizenStatus = record.status;
  if (status === 'accepted') {
    // A dead job is "in progress" too: an operator is now looking at it.
    const struggling = jobs.some((j) => j.channel !== 'email-citizen' && (j.state === 'failed' || j.state === 'dead' || (j.state === 'in_flight' && j.attempts > 1)));
    if (struggling) status = 'in_progress';
  }
  return { status, events: record.events.filter((e) => CITIZEN_EVENTS.has(e.type)).map((e) => ({ type: e.type, at: e.at })) };
}
