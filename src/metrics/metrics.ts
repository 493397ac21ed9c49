import type { RequestHandler } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ErrorCode } from '../errors';
import { DELIVERY_CHANNELS, DELIVERY_STATES, type DeliveryChannel, type DeliveryQueue, type DeliveryStats } from '../storage/ports';
import type { Logger } from '../support/logger';
import { httpMetrics } from './http-metrics';

/** What became of one delivery attempt: sent, failed with a retry to come, or given up. */
export type DeliveryAttemptOutcome = 'delivered' | 'failed' | 'dead';

/**
 * The process's Prometheus metrics (see docs/metrics.md). Labels only ever carry values from
 * closed sets (route patterns, known form ids, catalogue codes, channels, states), never
 * anything a request or an applicant supplied.
 */
export interface Metrics {
  /** Express middleware counting and timing every request; install it before the routers. */
  httpMiddleware(): RequestHandler;
  /** A submission was committed (201); a tester's submission is counted apart (`outcome="test"`), never as a real one. */
  submissionAccepted(formId: string, test?: boolean): void;
  /** A submission was refused with a catalogue code (validation, no authority, unknown form, …). */
  submissionRefused(formId: string, code: ErrorCode): void;
  /** One delivery attempt by the worker: its channel, what became of it and how long it took. */
  deliveryAttempt(channel: DeliveryChannel, outcome: DeliveryAttemptOutcome, seconds: number): void;
  /** One PDF receipt was rendered in this many seconds. */
  receiptRendered(seconds: number): void;
  /** The retention clean-up deleted the personal data of this many submissions (docs/retention.md). */
  submissionsPurged(count: number): void;
  /** The content type of `text()` (Prometheus text exposition format 0.0.4). */
  readonly contentType: string;
  /** Every metric in the exposition format; never rejects because the store failed. */
  text(): Promise<string>;
}

export interface MetricsOptions {
  /** Ids of the loaded forms: the only values the `form` label takes; any other id is `unknown`. */
  readonly formIds: Iterable<string>;
  /**
   * Read for the job gauges, at most once per `statsMaxAgeMs`; without it those gauges are left
   * out.
   */
  readonly deliveries?: Pick<DeliveryQueue, 'stats'>;
  /**
   * How long one stats() result (or failure) serves scrapes, in ms, measured with `now`; default
   * 10,000. Scrapes in that window, and scrapes while a read runs, share it, so back-to-back
   * requests for /metrics cost at most one store query per window. 0: a read per scrape.
   */
  readonly statsMaxAgeMs?: number;
  readonly now: () => Date;
  readonly logger: Logger;
  /** Node.js process metrics (CPU, memory, heap, GC, event-loop lag); default on. */
  readonly defaultMetrics?: boolean;
}

export const DEFAULT_STATS_MAX_AGE_MS = 10_000;

const ATTEMPT_OUTCOMES: readonly DeliveryAttemptOutcome[] = ['delivered', 'failed', 'dead'];
/** The worker never sends inbox jobs (the authority fetches them), so they have no attempts. */
const SENT_CHANNELS = DELIVERY_CHANNELS.filter((c) => c !== 'inbox');

/**
 * Builds the metrics on a registry of their own (never prom-client's global one), so several
 * apps in one process, as in the tests, do not clash over metric names.
 */
export function createMetrics(options: MetricsOptions): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const knownForms: ReadonlySet<string> = new Set(options.formIds);
  // An id from the URL of a refused request is attacker-controlled: only known ids become labels.
  const formLabel = (formId: string) => (knownForms.has(formId) ? formId : 'unknown');

  const submissions = new Counter({
    name: 'efa_submissions_total', help: 'Submissions accepted (committed, 201), refused, or accepted from a tester\'s link (test), by form.',
    labelNames: ['form', 'outcome'] as const, registers: [registry],
  });
  const refusals = new Counter({
    name: 'efa_submission_refusals_total', help: 'Refused submissions by form and error code of the catalogue (docs/errors.md).',
    labelNames: ['form', 'code'] as const, registers: [registry],
  });
  const attempts = new Counter({
    name: 'efa_delivery_attempts_total', help: 'Delivery attempts by the worker, by channel and outcome (delivered, failed = retried later, dead = given up).',
    labelNames: ['channel', 'outcome'] as const, registers: [registry],
  });
  const attemptDuration = new Histogram({
    name: 'efa_delivery_attempt_duration_seconds', help: 'Duration of one delivery attempt (up to its timeout), in seconds.',
    labelNames: ['channel'] as const, buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60], registers: [registry],
  });
  const receiptRender = new Histogram({
    name: 'efa_receipt_render_seconds', help: 'Time to render one PDF receipt, in seconds.',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1], registers: [registry],
  });

  const purged = new Counter({
    name: 'efa_submissions_purged_total', help: 'Submissions whose personal data this process deleted after their retention period (docs/retention.md).',
    registers: [registry],
  });

  // Zeros for every known series, so rates and alerts work before the first event.
  for (const form of knownForms) {
    for (const outcome of ['accepted', 'refused']) submissions.inc({ form, outcome }, 0);
  }
  for (const channel of SENT_CHANNELS) {
    for (const outcome of ATTEMPT_OUTCOMES) attempts.inc({ channel, outcome }, 0);
  }

  const statsMaxAgeMs = options.statsMaxAgeMs ?? DEFAULT_STATS_MAX_AGE_MS;
  if (!Number.isFinite(statsMaxAgeMs) || statsMaxAgeMs < 0) throw new RangeError(`statsMaxAgeMs must be a finite number >= 0, not ${statsMaxAgeMs}`);
  const refreshStats = options.deliveries ? queueGauges(registry, options.deliveries, { ...options, statsMaxAgeMs }) : undefined;

  return {
    httpMiddleware: httpMetrics(registry),
    submissionAccepted(formId, test = false) {
      submissions.inc({ form: formLabel(formId), outcome: test ? 'test' : 'accepted' });
    },
    submissionRefused(formId, code) {
      const form = formLabel(formId);
      submissions.inc({ form, outcome: 'refused' });
      refusals.inc({ form, code });
    },
    deliveryAttempt(channel, outcome, seconds) {
      attempts.inc({ channel, outcome });
      attemptDuration.observe({ channel }, seconds);
    },
    receiptRendered(seconds) {
      receiptRender.observe(seconds);
    },
    submissionsPurged(count) {
      purged.inc(count);
    },
    contentType: registry.contentType,
    async text() {
      // Settled before any gauge is collected, so the three job gauges show one and the same read.
      await refreshStats?.();
      return registry.metrics();
    },
  };
}

/**
 * Gauges read from the store when scraped. The store is read at most once per `statsMaxAgeMs`
 * (reckoned from the start of the read, with `now`): concurrent scrapes and every scrape within
 * the window share one stats() outcome, and the three gauges of a scrape show the same one. A
 * failure is shared the same way (so a store stuck in a busy timeout is not hit at every scrape)
 * and expires like a result: the first scrape after the window reads again. A failing store
 * leaves the job gauges without samples (rather than stale values or false zeros), sets
 * efa_delivery_stats_up to 0 and is logged once per failed read; the other metrics are still
 * served. Returns the refresh that `text()` awaits before collecting.
 */
function queueGauges(
  registry: Registry,
  deliveries: Pick<DeliveryQueue, 'stats'>,
  options: Pick<MetricsOptions, 'now' | 'logger'> & { readonly statsMaxAgeMs: number },
): () => Promise<void> {
  let inFlight: Promise<void> | undefined;
  /** The outcome the gauges show: its start (epoch ms) and the stats, undefined for a failure. */
  let last: { readonly at: number; readonly stats: DeliveryStats | undefined } | undefined;

  const refresh = (): Promise<void> => {
    if (inFlight) return inFlight;
    const now = options.now();
    const at = now.getTime();
    // A clock that went back makes the outcome stale too, rather than fresh for longer.
    if (last && at >= last.at && at - last.at < options.statsMaxAgeMs) return Promise.resolve();
    // Called inside then() so an adapter that throws instead of rejecting is caught as well.
    inFlight = Promise.resolve()
      .then(() => deliveries.stats(now))
      .catch((err: unknown) => {
        // Error class and message of the driver (e.g. "database is locked"); no row data.
        options.logger.error('metrics.delivery_stats_failed', { error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
        return undefined;
      })
      .then((stats) => {
        last = { at, stats };
        inFlight = undefined;
      });
    return inFlight;
  };

  const jobs: Gauge<'state' | 'channel'> = new Gauge({
    name: 'efa_delivery_jobs', help: 'Delivery jobs in the store by state and channel.',
    labelNames: ['state', 'channel'] as const, registers: [registry],
    collect() {
      const stats = last?.stats;
      jobs.reset();
      if (!stats) return;
      for (const state of DELIVERY_STATES) {
        for (const channel of DELIVERY_CHANNELS) jobs.set({ state, channel }, 0);
      }
      for (const { state, channel, count } of stats.jobs) jobs.inc({ state, channel }, count);
    },
  });
  const oldestDue: Gauge = new Gauge({
    name: 'efa_delivery_oldest_due_job_age_seconds',
    help: 'How long the oldest job a worker could claim now has been waiting past its due time, in seconds (0: none waiting; inbox jobs excluded).',
    registers: [registry],
    collect() {
      const stats = last?.stats;
      if (stats) oldestDue.set(stats.oldestDueAgeSeconds);
      else oldestDue.remove();
    },
  });
  const up: Gauge = new Gauge({
    name: 'efa_delivery_stats_up', help: '1 if the delivery job gauges could be read from the store at its last read (reads are cached for a few seconds), else 0.',
    registers: [registry],
    collect() {
      up.set(last?.stats ? 1 : 0);
    },
  });
  return refresh;
}
