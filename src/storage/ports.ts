/**
 * The storage ports: everything the rest of efa-forms may ask of a database. Adapters
 * (storage/sqlite, later storage/postgres) implement them; no SQL exists outside the adapters.
 * test/contract runs one suite against every adapter.
 */

import type { ConfigurationGenerationStore } from './configuration-ports';
import type { OperatorAuditLog, OperatorSessionStore, TestLinkStore } from './operator-ports';
import type { ReceiptStore } from './receipt-ports';
import type { AttachmentFiles, AttachmentRepository, SubmissionAttachment } from './attachment-ports';
import type { PurgeRequest, PurgeResult } from './retention-ports';

// The operators' ports live in a file of their own; importers of ports.ts find them here too.
export type { OperatorAuditEntry, OperatorAuditLog, OperatorSession, OperatorSessionStore, TestLink, TestLinkStore } from './operator-ports';
export type { ConfigurationGeneration, ConfigurationGenerationStore } from './configuration-ports';
export type { PurgeRequest, PurgeResult } from './retention-ports';
export type { ReceiptStore, StoredReceipt } from './receipt-ports';
export type { AttachmentFiles, AttachmentRecord, AttachmentRepository, NewAttachment, SealedCopy, SubmissionAttachment } from './attachment-ports';
export { AttachmentTakenError } from './attachment-ports';

/**
 * accepted (committed, 201 given) → delivered (the authority has it: pushed with a 2xx, handed
 * to its mail server, or fetched from its inbox) → acknowledged (the authority confirmed it).
 */
export type SubmissionStatus = 'accepted' | 'delivered' | 'acknowledged';
/**
 * The audit trail of a submission. No event carries personal data: details name channels,
 * attempts, status codes and error classes only.
 */
export type SubmissionEventType =
  | 'accepted' | 'delivered' | 'acknowledged'
  | 'delivery_failed' | 'dead' | 'retry_requested' | 'fetched'
  /** The retention period ran out: answers, payload and job bodies were blanked (docs/retention.md). */
  | 'purged';
/**
 * pending → in_flight (leased) → delivered, or → failed (waiting for the next attempt) → … →
 * dead (a permanent refusal, or still failing after the give-up time; kept for operators).
 */
export const DELIVERY_STATES = ['pending', 'in_flight', 'delivered', 'failed', 'dead'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

export interface NewSubmission {
  /** The reference number citizens see; unique. */
  readonly id: string;
  /** SHA-256 (hex) of the status token; the token itself is never stored. */
  readonly tokenHash: string;
  readonly formId: string;
  readonly formVersion: string;
  readonly tenantId: string;
  readonly authorityId: string;
  readonly regionArs: string;
  readonly language: string;
  /** The validated answers as JSON text, exactly as they were accepted. */
  readonly dataJson: string;
  /** The XML payload (plain, before any encryption), fixed at acceptance; the receipt embeds it. */
  readonly payloadXml: string;
  readonly createdAt: Date;
  /** The local parameters (JSON of LocalParameters) that held at acceptance; absent when there were none. */
  readonly parametersJson?: string;
  /** A tester's submission over a `testing` route: delivered like any other, never counted as real. */
  readonly test?: boolean;
  /**
   * The attachments it takes, in the order of the answers: create marks them used by this
   * submission in the same transaction, or throws AttachmentTakenError when one is gone or taken.
   */
  readonly attachments?: readonly SubmissionAttachment[];
}

/**
 * To the responsible authority (these decide the submission's status): `http` push, `email` to
 * its functional mailbox, `inbox` for it to fetch (never claimed by a worker).
 * `email-citizen`: the confirmation e-mail to the applicant (built when it is sent).
 */
export const DELIVERY_CHANNELS = ['http', 'email', 'inbox', 'email-citizen'] as const;
export type DeliveryChannel = (typeof DELIVERY_CHANNELS)[number];

export interface NewDeliveryJob {
  readonly id: string;
  readonly submissionId: string;
  readonly authorityId: string;
  readonly channel: DeliveryChannel;
  /** The same for one submission to one authority across every retry and restart. */
  readonly idempotencyKey: string;
  readonly contentType: string;
  /** The payload, fixed when the submission is accepted so every attempt sends the same bytes. */
  readonly body: string;
  /** A test delivery (or a tester's submission): every channel marks what it sends as a test. */
  readonly test?: boolean;
  /**
   * Created already claimed (in flight, first attempt) by this owner until then: a test delivery
   * makes its own attempt at once, and no worker may take the job before its lease runs out.
   */
  readonly lease?: { readonly owner: string; readonly until: Date };
}

export interface SubmissionEvent {
  readonly type: SubmissionEventType;
  readonly at: Date;
  /** For operators: channel, attempt, status code; never personal data. Absent when empty. */
  readonly detail?: string;
}

/** A stored submission: what was accepted, where it stands and what happened to it. */
export interface SubmissionRecord extends NewSubmission {
  readonly status: SubmissionStatus;
  readonly events: readonly SubmissionEvent[];
  /**
   * When its personal data was deleted (retention): `dataJson` and `payloadXml` are '' then;
   * reference, form, authority, tenant, region, status and events stay. Absent before.
   */
  readonly purgedAt?: Date;
}

/** A job as the queue holds it: the payload to send and where its delivery stands. */
export interface DeliveryJob extends NewDeliveryJob {
  readonly state: DeliveryState;
  /** Attempts started so far, including the one this claim begins. */
  readonly attempts: number;
  readonly nextAttemptAt: Date;
  readonly lastError: string | null;
  readonly createdAt: Date;
  /** When its submission's personal data was deleted: `body` is '' then and the job is never sent again. */
  readonly purgedAt?: Date;
}

/** A submission waiting in an authority's inbox (listed until the authority acknowledges it). */
export interface InboxEntry {
  readonly submissionId: string;
  readonly formId: string;
  readonly formVersion: string;
  readonly createdAt: Date;
  /** When the authority first fetched the payload; null while it has not. */
  readonly fetchedAt: Date | null;
}

/** Thrown by createSubmission when the reference number is taken; the caller draws a new one. */
export class DuplicateReferenceError extends Error {
  override readonly name = 'DuplicateReferenceError';
}

/**
 * Why the store cannot be used just now. These are operating conditions, not bugs: each passes
 * once its cause is gone (space freed, the file system writable again, the lock released), and
 * the same store works again without a restart.
 */
export type StorageUnavailableReason = 'disk full' | 'read-only' | 'I/O error' | 'cannot open' | 'busy' | 'unreachable';

/**
 * Thrown (as a rejection) by every port method when the database cannot be read or written for
 * one of these reasons. The transaction it interrupted left nothing behind. Carries the reason
 * and the driver's error code for operators, never data.
 */
export class StorageUnavailableError extends Error {
  override readonly name = 'StorageUnavailableError';

  constructor(
    readonly reason: StorageUnavailableReason,
    /** The driver's code, e.g. SQLITE_FULL or SQLITE_IOERR_WRITE. */
    readonly code: string,
    options?: { readonly cause?: unknown },
  ) {
    super(`storage unavailable: ${reason} (${code})`, options);
  }
}

export interface SubmissionRepository {
  /**
   * Commits the submission, its `accepted` event and its delivery jobs in one transaction:
   * either all of them exist afterwards or none does.
   */
  create(submission: NewSubmission, jobs: readonly NewDeliveryJob[]): Promise<void>;
  find(id: string): Promise<SubmissionRecord | undefined>;
  /**
   * Retention (docs/retention.md): blanks the personal data of at most `limit` due submissions,
   * oldest first, each with its jobs' bodies and its stored receipt (deleted), `purged_at` and a
   * `purged` event in one transaction. Due: the authority has it (status delivered; with an inbox job, acknowledged),
   * no job is pending, in flight or failed, and the latest of its jobs' delivery times (the
   * inbox's: the acknowledgement) + the form's days <= now. Never a submission purged before;
   * two processes calling at once purge each submission once (PostgreSQL: rows taken with SKIP
   * LOCKED; SQLite: one IMMEDIATE transaction).
   */
  purgeDue(request: PurgeRequest): Promise<PurgeResult>;
}

export interface ClaimRequest {
  readonly now: Date;
  readonly limit: number;
  /** The claim is the worker's until now + leaseMs; after that another worker may take it. */
  readonly leaseMs: number;
  readonly owner: string;
}

/** How many jobs the queue holds, for monitoring (see docs/metrics.md). */
export interface DeliveryStats {
  /** One entry per state and channel that has at least one job. */
  readonly jobs: readonly { readonly state: DeliveryState; readonly channel: DeliveryChannel; readonly count: number }[];
  /**
   * How long (seconds) the oldest job the worker could claim now has been waiting past its due
   * time: pending or failed with next_attempt_at <= now, or in flight with an expired lease
   * (counted from the lease's end). Inbox jobs are not counted: the authority fetches those.
   * 0 when nothing is due.
   */
  readonly oldestDueAgeSeconds: number;
}

export interface DeliveryQueue {
  /** Atomically takes due jobs (pending and due, or in flight with an expired lease). */
  claimDue(request: ClaimRequest): Promise<DeliveryJob[]>;
  /**
   * Records a successful delivery; when every authority job (not the applicant's e-mail) of the
   * submission is delivered, the submission becomes `delivered` with an event, in the same transaction. Returns false if it was already
   * recorded (a repeated delivery after a lease expiry must not add a second event).
   */
  markDelivered(jobId: string, at: Date): Promise<boolean>;
  /**
   * Records a failed attempt: `failed` with the next attempt time, or `dead` when the failure is
   * permanent or the next attempt would come later than `giveUpAfterMs` after the job was created;
   * decided in the same statement, with a `delivery_failed` or `dead` event (detail: channel,
   * attempt, error) in the same transaction. Only the current lease owner may do so; returns the new state,
   * or undefined when this worker no longer holds the job.
   */
  markFailed(jobId: string, owner: string, failure: {
    readonly error: string;
    readonly nextAttemptAt: Date;
    readonly permanent: boolean;
    readonly giveUpAfterMs: number;
    /** When the attempt failed (the time of its `delivery_failed` or `dead` event). */
    readonly at: Date;
  }): Promise<'failed' | 'dead' | undefined>;
  /**
   * Gives back every unexpired lease of this owner (graceful shutdown) except those of the jobs
   * in `keep` (attempts still under way: another worker must not send them while the receiver
   * may still be taking the first request; their leases run out by themselves); returns how many.
   */
  releaseLeases(owner: string, now: Date, keep?: readonly string[]): Promise<number>;
  /**
   * Lengthens this owner's lease of a job still in flight to `until` (never shortens it), so an
   * attempt that takes longer than one lease (an http push with large files on a slow line) keeps
   * the job while it runs; a worker that dies stops renewing, and its lease runs out as before.
   * False when the owner no longer holds the job (it was settled, or claimed by another worker
   * after the lease had run out).
   */
  renewLease(jobId: string, owner: string, until: Date): Promise<boolean>;
  /** Jobs of one submission, for status pages and tests. */
  jobsOf(submissionId: string): Promise<DeliveryJob[]>;
  /**
   * Replaces the payload of a job (its authority got an encryption key after the job was made):
   * new body, type and idempotency key together, so no key ever reaches a receiver with two
   * different bodies. Returns the job as it is now, or undefined when there is no such job or its data was purged
   * (retention: nothing is written back into a purged job).
   */
  reseal(jobId: string, sealed: { readonly body: string; readonly contentType: string; readonly idempotencyKey: string }): Promise<DeliveryJob | undefined>;
  /** One job by its id (operators' view). */
  findJob(jobId: string): Promise<DeliveryJob | undefined>;
  /** Jobs in one state, oldest first (operators' view); with `authorityIds` only theirs (a tenant operator's view). */
  jobsInState(state: DeliveryState, limit: number, authorityIds?: readonly string[]): Promise<DeliveryJob[]>;
  /**
   * How many real jobs each authority has that are not delivered yet and not dead (pending, in
   * flight, failed): a reload must not remove an authority that still has deliveries queued.
   * Test jobs do not count: an inbox test nobody fetches must not pin an authority forever.
   */
  openJobCounts(): Promise<ReadonlyMap<string, number>>;
  /**
   * Per authority, when a job to it (not the applicant's e-mail) was last delivered: a real one and
   * a test one. With `channels` (each authority's channel now), only deliveries over that channel
   * count: an authority that moved from http to e-mail has not had its e-mail channel tested yet.
   */
  lastDeliveries(channels?: ReadonlyMap<string, DeliveryChannel>): Promise<ReadonlyMap<string, { readonly real?: Date; readonly test?: Date }>>;
  /**
   * An operator's retry: a failed or dead job becomes pending and due at `at`, with a fresh
   * give-up period, and the submission gets a `retry_requested` event. Returns the new job, or
   * undefined when there is no such job, it is not failed or dead, or its data was purged.
   */
  retry(jobId: string, at: Date): Promise<DeliveryJob | undefined>;
  /** Counts by state and channel and the age of the oldest due job, in one aggregate query. */
  stats(now: Date): Promise<DeliveryStats>;
  /**
   * Optional: calls `listener` when another process (or this one) has committed jobs a worker may
   * claim (a new submission, an operator's retry), so idle workers everywhere poll at once
   * instead of on their next poll. Also called once the store (re)starts listening, since jobs
   * committed while it did not listen may be waiting. May call when nothing new is due (a hint,
   * never a promise). Returns the unsubscribe. SQLite does not implement it: its processes share
   * one file on one machine, the in-process nudge after each commit wakes the worker of the same
   * process, and a separate worker process finds the jobs on its next poll. PostgreSQL does
   * (NOTIFY efa_jobs in the committing transaction, heard on one dedicated LISTEN connection).
   */
  onNewJobs?(listener: () => void): () => void;
}

/** The pull channel: an authority fetches and acknowledges what waits for it. */
export interface AuthorityInboxStore {
  /** Submissions for the authority that it has not acknowledged yet, oldest first, at most `limit`. */
  list(authorityId: string, limit: number): Promise<InboxEntry[]>;
  /** The inbox job of a submission if it is this authority's, without recording anything. */
  find(authorityId: string, submissionId: string): Promise<DeliveryJob | undefined>;
  /**
   * The inbox job of a submission, if it is this authority's (else undefined). The first fetch
   * marks the job delivered (submission `delivered`, with a `fetched` event), in one transaction.
   */
  fetch(authorityId: string, submissionId: string, at: Date): Promise<DeliveryJob | undefined>;
  /**
   * Confirms receipt: the submission becomes `acknowledged` (once; repeating is harmless).
   * Returns false when the submission is not in this authority's inbox.
   */
  acknowledge(authorityId: string, submissionId: string, at: Date): Promise<boolean>;
}

/**
 * A citizen's unfinished application. `key` is the SHA-256 of the random draft id in the
 * citizen's cookie, so a copy of the database does not let anyone take over a session.
 */
export interface Draft {
  readonly key: string;
  readonly formId: string;
  readonly formVersion: string;
  /** The answers so far, as JSON text (may be invalid: they are what the citizen typed). */
  readonly dataJson: string;
  readonly csrfToken: string;
  /** SHA-256 of the "continue later" token, once the citizen asked for one. */
  readonly resumeTokenHash: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly expiresAt: Date;
}

export interface DraftRepository {
  create(draft: Draft): Promise<void>;
  /** The draft unless it does not exist or has expired by `now`. */
  find(key: string, now: Date): Promise<Draft | undefined>;
  findByResumeToken(resumeTokenHash: string, now: Date): Promise<Draft | undefined>;
  /** `formVersion` with `dataJson`: the draft was carried over to a reloaded form's new version. */
  update(key: string, changes: { readonly dataJson?: string; readonly formVersion?: string; readonly resumeTokenHash?: string; readonly updatedAt: Date; readonly expiresAt: Date }): Promise<void>;
  /** Gives a draft a new key (a resumed session gets a fresh cookie); false if it is gone. */
  rekey(oldKey: string, newKey: string): Promise<boolean>;
  delete(key: string): Promise<void>;
  /** Deletes every draft that expired by `now`; returns how many (data minimisation, GDPR art. 5). */
  deleteExpired(now: Date): Promise<number>;
}

export interface Store {
  readonly submissions: SubmissionRepository;
  readonly deliveries: DeliveryQueue;
  readonly inbox: AuthorityInboxStore;
  readonly drafts: DraftRepository;
  readonly operatorAudit: OperatorAuditLog;
  readonly operatorSessions: OperatorSessionStore;
  readonly testLinks: TestLinkStore;
  readonly configuration: ConfigurationGenerationStore;
  /** Each submission's PDF receipt, rendered once and kept (receipt-ports.ts). */
  readonly receipts: ReceiptStore;
  /** The metadata of uploaded files (attachment-ports.ts). */
  readonly attachments: AttachmentRepository;
  /** Their bytes and sealed copies: a folder under DATA_DIR beside SQLite, a table of PostgreSQL. */
  readonly attachmentFiles: AttachmentFiles;
  /**
   * For readiness checks: writes one row of the store's own (no data) in a transaction and
   * resolves once it is committed; rejects with StorageUnavailableError when the store cannot be
   * written. Runs apart from the store's other work where the adapter can (SQLite: on a thread of
   * its own), so a hanging disk does not block the caller, who bounds the wait with a timeout.
   * Calls made while one probe is still running share its outcome.
   */
  probeWritable(now: Date): Promise<void>;
  close(): Promise<void>;
}
