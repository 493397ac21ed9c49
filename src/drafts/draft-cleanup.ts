import type { Logger } from '../support/logger';

/**
 * Deletes expired drafts every interval. start()/stop() like the delivery worker; a failure is
 * logged and the next round tries again, it never escapes the timer.
 */
export class DraftCleanup {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    /** Deletes the expired drafts and says how many (draft-service.ts). */
    private readonly drafts: { purgeExpired(): Promise<number> },
    private readonly logger: Logger,
    private readonly intervalMs = 60 * 60 * 1000,
    /** The attachments: files of drafts that are gone (and stale API uploads) go after the drafts. */
    private readonly attachments?: { sweep(now: Date): Promise<number> },
    private readonly now: () => Date = () => new Date(),
  ) {}

  start(): void {
    if (this.timer) return;
    const round = () => {
      this.running = this.drafts.purgeExpired()
        .then(async (count) => {
          if (count > 0) this.logger.info('drafts.expired_deleted', { count });
          const files = (await this.attachments?.sweep(this.now())) ?? 0;
          if (files > 0) this.logger.info('attachments.unused_deleted', { count: files });
        })
        .catch((err: unknown) => this.logger.error('drafts.cleanup_failed', { error: err instanceof Error ? err.message : String(err) }))
        .finally(() => (this.running = undefined));
    };
    round();
    this.timer = setInterval(round, this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
