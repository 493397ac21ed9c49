/**
 * What the retention clean-up (src/retention/) asks of the store: blank the personal data of
 * submissions whose retention period has run out. Kept apart from ports.ts, which re-exports it.
 */

export interface PurgeRequest {
  /** The clean-up's clock: a submission is due when its clock start + its days <= now. */
  readonly now: Date;
  /** Days for a form without its own `retentionDays` (RETENTION_DAYS). */
  readonly defaultDays: number;
  /** Days per form id, for the loaded forms that set `retentionDays`. */
  readonly daysByForm: ReadonlyMap<string, number>;
  /** At most this many submissions in one call (one transaction); the caller loops until fewer come back. */
  readonly limit: number;
}

export interface PurgeResult {
  /** Submissions blanked by this call (each at most once, whoever else runs at the same time). */
  readonly purged: number;
  /**
   * The files of the purged submissions' attachments and their sealed copies, whose rows the
   * purge deleted: the clean-up removes them from AttachmentFiles after the commit.
   */
  readonly removedFiles: readonly string[];
}
