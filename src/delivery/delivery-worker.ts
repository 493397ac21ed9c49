import { performance } from 'node:perf_hooks';
import type { Metrics } from '../metrics/metrics';
import type { Logger } from '../support/logger';
import type { DeliveryJob, DeliveryQueue } from '../storage/ports';
import type { SendJob } from './channels';
import { MAX_TIMER_MS, type DeliveryOutcome } from './http-channel';
import { nextRetryDelayMs, type RetryPolicy } from './retry-policy';

export interface DeliveryWorkerOptions {
  readonly queue: DeliveryQueue;
  /** Sends one job over its channel (see channels.ts). */
  readonly send: SendJob;
  readonly logger: Logger;
  readonly now: () => Date;
  readonly random: () => number;
  readonly retryPolicy: RetryPolicy;
  /** Unique per process; leases carry it so only the claimer reschedules a job. */
  readonly ownerId: string;
  readonly pollIntervalMs: number;
  readonly concurrency: number;
  /** Timeout of one attempt; the lease is sized from it. */
  readonly timeoutMs: number;
  /**
   * The longest one attempt of this job may take, when longer than timeoutMs (an http push with
   * files gets time for its size); default timeoutMs. Past timeoutMs the lease is renewed while
   * the attempt runs, so it never outlives its lease.
   */
  readonly attemptTimeoutMs?: (job: DeliveryJob) => number;
  /** A job still failing this long after it was created is given up (dead). */
  readonly giveUpAfterMs: number;
  /** Counts each attempt by channel and outcome, with its duration. */
  readonly metrics?: Pick<Metrics, 'deliveryAttempt'>;
}

/**
 * The wait after `failed` polls in a row: doubling from the poll interval, but never longer than
 * 2 intervals + 2 s, which stays below what /readyz calls a stalled worker (3 intervals + 5 s):
 * an outage of the store is /readyz's store check to report, not a dead worker.
 */
export function backoffDelay(pollIntervalMs: number, failed: number): number {
  return Math.min(pollIntervalMs * 2 ** Math.min(failed, 20), pollIntervalMs * 2 + 2000);
}

/**
 * Takes due jobs from the queue and delivers them. At-least-once: a job is marked delivered only
 * after the receiver answered 2xx, so a crash in between repeats the delivery later with the
 * same idempotency key and the same body. The loop never throws out of its timer; failures are
 * logged and the next poll goes on. stop() lets running deliveries finish.
 */
export class DeliveryWorker {
  private readonly inFlight = new Set<Promise<void>>();
  /** Ids of the jobs this worker is sending, so it never runs one twice at the same time. */
  private readonly sending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private running = false;
  private lastPollFinished: Date | undefined;
  /** Set when stop() stopped waiting: attempts still under way no longer record a failure. */
  private abandoned = false;
  private readonly leaseMs: number;

  constructor(private readonly options: DeliveryWorkerOptions) {
    // The lease must outlast one attempt by far, or a slow receiver would get the job twice. A
    // longer attempt renews it every quarter of timeoutMs (keepLease), so it always has more
    // than timeoutMs + 5 s left.
    this.leaseMs = options.timeoutMs * 2 + 5_000;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.abandoned = false;
    this.schedule(0);
  }

  /** True between start() and stop(). */
  isRunning(): boolean {
    return this.running;
  }

  /**
   * When the last poll finished (successfully or not), by the wall clock; undefined before the
   * first. Readiness checks use it to tell a live loop from a stuck one. Wall time, not the
   * injected `now`: that is the deliveries' business time and may stand still in tests.
   */
  lastPollAt(): Date | undefined {
    return this.lastPollFinished;
  }

  /** Asks for a poll now, e.g. right after a submission was committed. */
  nudge(): void {
    if (this.running) this.schedule(0);
  }

  /**
   * Stops polling, waits up to timeoutMs for running deliveries, then gives back the leases of
   * jobs no longer being sent (an attempt whose store update failed). An attempt still under way
   * keeps its lease: released, another process could claim and send the job while the receiver
   * still has this request, two sends of one job at once. Its lease (longer than the attempt
   * timeout) runs out by itself, no longer renewed; then the job is due again.
   */
  async stop(timeoutMs: number): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.polling;
    let timeout: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.inFlight]),
      new Promise<void>((resolve) => {
        timeout = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timeout);
    this.abandoned = this.inFlight.size > 0;
    try {
      const released = await this.options.queue.releaseLeases(this.options.ownerId, this.options.now(), [...this.sending]);
      if (released > 0) this.options.logger.warn('delivery.leases_released', { count: released });
    } catch (err) {
      this.options.logger.error('delivery.release_failed', { error: errorName(err) });
    }
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.polling) this.polling = this.poll().finally(() => (this.polling = undefined));
    }, delayMs);
    this.timer.unref?.();
  }

  /** Polls that failed in a row (the store unavailable): the next poll waits longer. */
  private failedPolls = 0;

  private async poll(): Promise<void> {
    const { queue, concurrency, ownerId, now, logger, pollIntervalMs } = this.options;
    let claimedFull = false;
    try {
      const free = concurrency - this.inFlight.size;
      if (free > 0) {
        const jobs = await queue.claimDue({ now: now(), limit: free, leaseMs: this.leaseMs, owner: ownerId });
        claimedFull = jobs.length === free;
        for (const job of jobs.filter((j) => !this.sending.has(j.id))) {
          this.sending.add(job.id);
          const work: Promise<void> = this.process(job).finally(() => {
            this.sending.delete(job.id);
            this.inFlight.delete(work);
            this.nudge(); // a slot is free: there may be more due jobs
          });
          this.inFlight.add(work);
        }
      }
      if (this.failedPolls > 0) logger.info('delivery.poll_recovered', { failedPolls: this.failedPolls });
      this.failedPolls = 0;
    } catch (err) {
      this.failedPolls += 1;
      // The store is away (a database restart, a full disk): said at once, then ever more rarely
      // (the 1st, 2nd, 4th, 8th … failure), not once per poll.
      if ((this.failedPolls & (this.failedPolls - 1)) === 0) logger.error('delivery.poll_failed', { error: errorName(err) });
    }
    this.lastPollFinished = new Date();
    this.schedule(claimedFull ? 0 : this.failedPolls > 0 ? backoffDelay(pollIntervalMs, this.failedPolls) : pollIntervalMs);
  }

  /**
   * Renews the lease of a job whose attempt may run longer than one lease covers, every quarter
   * of timeoutMs while the attempt runs: the lease then always has more than timeoutMs + 5 s
   * left, the margin an ordinary attempt has. Not after stop() gave up on the attempt (see
   * stop()). A renewal the store refuses (the lease was lost: this process stalled past it) is logged; one that fails
   * (the store unavailable) is tried again at the next turn, while the lease still runs.
   */
  private keepLease(job: DeliveryJob, log: Readonly<Record<string, string | number>>): { end(): void } {
    const { queue, ownerId, now, logger, timeoutMs } = this.options;
    let ended = false;
    let renewing = false;
    const renew = async (): Promise<void> => {
      if (this.abandoned) end();
      if (ended || renewing) return;
      renewing = true;
      try {
        const held = await queue.renewLease(job.id, ownerId, new Date(now().getTime() + this.leaseMs));
        if (!held && !ended) {
          logger.warn('delivery.lease_lost', log);
          end();
        }
      } catch (err) {
        if (!ended) logger.warn('delivery.lease_renewal_failed', { ...log, error: errorName(err) });
      } finally {
        renewing = false;
      }
    };
    // A quarter of timeoutMs: a renewal that fails (or hangs a little) leaves several more tries
    // before the lease's margin is used up.
    const interval = setInterval(() => void renew(), Math.max(250, Math.floor(timeoutMs / 4)));
    interval.unref?.();
    const end = (): void => {
      ended = true;
      clearInterval(interval);
    };
    return { end };
  }

  private async process(job: DeliveryJob): Promise<void> {
    const { queue, send, logger, now, random, retryPolicy, ownerId, metrics } = this.options;
    const log = { submission: job.submissionId, authority: job.authorityId, channel: job.channel, attempt: job.attempts };
    // A monotonic clock: `now` may be a test's fixed clock, and wall time can jump.
    const started = performance.now();
    try {
      // Every channel is bounded by the attempt timeout, so no attempt outlives its lease; one
      // allowed longer than timeoutMs keeps its lease renewed until it ends.
      const limitMs = Math.min(this.options.attemptTimeoutMs?.(job) ?? this.options.timeoutMs, MAX_TIMER_MS);
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<DeliveryOutcome>((resolve) => {
        timer = setTimeout(() => resolve({ ok: false, error: 'attempt timed out' }), limitMs);
      });
      const renewal = limitMs > this.options.timeoutMs ? this.keepLease(job, log) : undefined;
      // A channel that throws (a receipt that cannot be rendered, a store error) is a failed
      // attempt like any other: backoff, give-up time and audit event apply. Only the error's
      // class is kept: messages may quote data.
      const attempt = send(job).catch((err: unknown): DeliveryOutcome => ({ ok: false, error: `channel error: ${err instanceof Error ? err.name : 'Error'}` }));
      const outcome = await Promise.race([attempt, timedOut]).finally(() => {
        clearTimeout(timer);
        renewal?.end();
      });
      const seconds = (performance.now() - started) / 1000;
      if (outcome.ok) {
        // The receiver has it, whether or not the store records it below (else it is sent again).
        metrics?.deliveryAttempt(job.channel, 'delivered', seconds);
        await queue.markDelivered(job.id, now());
        logger.info('delivery.delivered', { ...log, status: outcome.status });
        return;
      }
      if (this.abandoned) {
        // The stop gave up on this attempt and kept its lease (see stop()); a failure now (the
        // process closing the attempt's connection, its timeout) must not hand the job to another
        // process before the lease has run out: the receiver may still have the request.
        metrics?.deliveryAttempt(job.channel, 'failed', seconds);
        logger.warn('delivery.abandoned', { ...log, error: outcome.error });
        return;
      }
      const delay = nextRetryDelayMs(job.attempts, retryPolicy, random, outcome.retryAfterMs);
      const nextAttemptAt = new Date(now().getTime() + delay);
      let state: 'failed' | 'dead' | undefined;
      try {
        state = await queue.markFailed(job.id, ownerId, {
          error: outcome.error, nextAttemptAt, permanent: outcome.permanent ?? false, giveUpAfterMs: this.options.giveUpAfterMs, at: now(),
        });
      } finally {
        // Counted even when the store could not record it or the lease was lost: the attempt
        // happened. Only the store's answer tells a retry from a give-up.
        metrics?.deliveryAttempt(job.channel, state === 'dead' ? 'dead' : 'failed', seconds);
      }
      if (state === 'dead') logger.error('delivery.dead', { ...log, error: outcome.error });
      else logger.warn('delivery.failed', { ...log, error: outcome.error, retryInMs: delay });
    } catch (err) {
      // The lease expires and another poll retries the job; nothing is lost.
      logger.error('delivery.error', { ...log, error: errorName(err) });
    }
  }
}

function errorName(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
