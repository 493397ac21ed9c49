import type { Store, SubmissionRecord } from '../storage/ports';
import { matchesSha256 } from '../support/sha256';
import { citizenStatus, type CitizenStatus } from './citizen-status';
import { normalizeReferenceNumber } from './reference-number';

/** What the applicant's status URL shows: the status and the events the applicant sees. */
export interface CitizenView {
  readonly status: CitizenStatus;
  readonly events: ReadonlyArray<{ readonly type: string; readonly at: Date }>;
}

/** Finding a stored submission for the applicant: by reference and status token. */
export interface SubmissionLookup {
  /** The submission if the token matches; otherwise undefined, whatever was wrong. */
  readonly findWithToken: (reference: string, token: string | undefined) => Promise<SubmissionRecord | undefined>;
  /** The applicant's view of a submission (see citizen-status.ts). */
  readonly statusOf: (record: SubmissionRecord) => Promise<CitizenView>;
}

/**
 * Reads submissions straight from the store, so that what needs them (the receipts, the status
 * API) does not depend on the service that accepts them.
 */
export function createSubmissionLookup(store: Pick<Store, 'submissions' | 'deliveries'>): SubmissionLookup {
  return {
    async findWithToken(reference, token) {
      const id = normalizeReferenceNumber(reference);
      if (!id || !token) return undefined;
      const record = await store.submissions.find(id);
      if (!record) return undefined;
      return matchesSha256(token, record.tokenHash) ? record : undefined;
    },
    async statusOf(record) {
      return citizenStatus(record, await store.deliveries.jobsOf(record.id));
    },
  };
}
