import type { MailTransport } from '../delivery/email/mail-transport';
import type { AttachmentFiles, PurgeResult, SubmissionRepository } from '../storage/ports';
import type { Logger } from '../support/logger';
import { retentionPolicy, type RetentionFormInfo } from './retention-policy';

/** At most this many submissions per transaction; a round calls again until fewer come back. */
export const RETENTION_BATCH = 200;

export interface RetentionCleanupOptions {
  readonly submissions: Pick<SubmissionRepository, 'purgeDue'>;
  /** The forms served now (the live view: after a reload, the new set's). */
  readonly forms: { list(): readonly RetentionFormInfo[] };
  /** RETENTION_DAYS. */
  readonly defaultDays: number;
  /** RETENTION_INTERVAL_MINUTES. */
  readonly intervalMinutes: number;
  readonly now: () => Date;
  readonly logger: Logger;
  /** Told how many submissions each round purged (the metrics counter). */
  readonly metrics?: { submissionsPurged(count: number): void };
  readonly batchSize?: number;
  /**
   * The mail transport: when it keeps copies of sent mail (the .eml folder without SMTP_URL),
   * those older than the shortest retention period in force are deleted each round too. The
   * copies carry no form id, so the shortest period is the one that never keeps one too long.
   */
  readonly mail?: Pick<MailTransport, 'deleteCopiesOlderThan'>;
  /** Where the purged submissions' attachment files are (Store.attachmentFiles): removed after each purge commits. */
  readonly attachmentFiles?: Pick<AttachmentFiles, 'remove'>;
}

/**
 * Deletes the personal data of submissions past their retention period (docs/retention.md),
 * every interval, in batches: start()/stop() like the draft clean-up and the delivery worker.
 * Every web and worker process runs one; the store makes concurrent rounds safe (each
 * submission is purged once). Logs counts only, never a reference or data; a failure is logged
 * and the next round tries again, it never escapes the timer.
 */
export class RetentionCleanup {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopping = false;

  constructor(private readonly options: RetentionCleanupOptions) {}

  /**
   * One round now: purges batch after batch until a batch comes back short (or stop() was
   * called); resolves with how many were purged. Rejects when the store fails (start() logs it).
   */
  async runOnce(): Promise<number> {
    const { submissions, forms, defaultDays, now } = this.options;
    const limit = this.options.batchSize ?? RETENTION_BATCH;
    // Read once per round: a reload in the middle applies from the next round.
    const policy = retentionPolicy(defaultDays, forms.list());
    let total = 0;
    let result: PurgeResult;
    do {
      result = await submissions.purgeDue({ now: now(), defaultDays: policy.defaultDays, daysByForm: policy.daysByForm, limit });
      total += result.purged;
      // A crash before this leaves files without rows; never rows without files.
      for (const file of result.removedFiles) await this.options.attachmentFiles?.remove(file);
      if (result.purged > 0) this.options.metrics?.submissionsPurged(result.purged);
    } while (result.purged >= limit && !this.stopping);
    if (this.options.mail?.deleteCopiesOlderThan && !this.stopping) {
      const days = Math.min(policy.defaultDays, ...policy.daysByForm.values());
      await this.options.mail.deleteCopiesOlderThan(new Date(now().getTime() - days * 86_400_000));
    }
    return total;
  }

  start(): void {
    if (this.timer) return;
    this.stopping = false;
    const round = () => {
      if (this.running) return; // a slow round is still going: skip this tick rather than pile up
      this.running = this.runOnce()
        .then((count) => {
          if (count > 0) this.options.logger.info('retention.purged', { count });
        })
        .catch((err: unknown) => this.options.logger.error('retention.cleanup_failed', { error: err instanceof Error ? err.message : String(err) }))
        .finally(() => (this.running = undefined));
    };
    round();
    this.timer = setInterval(round, this.options.intervalMinutes * 60_000);
    this.timer.unref();
  }

  /** No new rounds; waits for the running one to finish its current batch. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
