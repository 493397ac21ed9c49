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
  /** A submission was committed (201). */
  submissionAccepted(formId: string): void;
  /** A submission was refused with a catalogue code (validation, no authority, unknown form, …). */
  submissionRefused(formId: string, code: ErrorCode): void;
  /** One delivery attempt by the worker: its channel, what became of it and how long it took. */
  deliveryAttempt(channel: DeliveryChannel, outcome: DeliveryAttemptOutcome, seconds: number): void;
  /** One PDF receipt was rendered in this many seconds. */
  receiptRendered(seconds: number): void;
  /** The content type of `text()` (Prometheus text exposition format 0.0.4). */
  readonly contentType: string;
  /** Every metric in the exposition format; never rejects because the store failed. */
  text(): Promise<string>;
}

export interface MetricsOptions {
  /** Ids of the loaded forms: the only values the `form` label takes; any other id is `unknown`. */
  readonly formIds: Iterable<string>;
  /** Read at every scrape for the job gauges; without it those gauges are left out. */
  readonly deliveries?: Pick<DeliveryQueue, 'stats'>;
  readonly now: () => Date;
  readonly logger: Logger;
  /** Node.js process metrics (CPU, memory, heap, GC, event-loop lag); default on. */
  readonly defaultMetrics?: boolean;
}

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
    name: 'efa_submissions_total', help: 'Submissions accepted (committed, 201) or refused, by form.',
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

  // Zeros for every known series, so rates and alerts work before the first event.
  for (const form of knownForms) {
    for (const outcome of ['accepted', 'refused']) submissions.inc({ form, outcome }, 0);
  }
  for (const channel of SENT_CHANNELS) {
    for (const outcome of ATTEMPT_OUTCOMES) attempts.inc({ channel, outcome }, 0);
  }

  if (options.deliveries) queueGauges(registry, options.deliveries, options);

  return {
    httpMiddleware: httpMetrics(registry),
    submissionAccepted(formId) {
      submissions.inc({ form: formLabel(formId), outcome: 'accepted' });
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
    contentType: registry.contentType,
    text: () => registry.metrics(),
  };
}

/**
 * Gauges read from the store when scraped. The three share one stats() call per scrape
 * (prom-client collects all metrics concurrently). A failing store leaves the job gauges without
 * samples (rather than stale values or false zeros), sets efa_delivery_stats_up to 0 and is
 * logged; the other metrics are still served.
 */
function queueGauges(registry: Registry, deliveries: Pick<DeliveryQueue, 'stats'>, options: Pick<MetricsOptions, 'now' | 'logger'>): void {
  let pending: Promise<DeliveryStats | undefined> | undefined;
  const readStats = (): Promise<DeliveryStats | undefined> => {
    // Called inside then() so an adapter that throws instead of rejecting is caught as well.
    pending ??= Promise.resolve()
      .then(() => deliveries.stats(options.now()))
      .catch((err: unknown) => {
        // Error class and message of the driver (e.g. "database is locked"); no row data.
        options.logger.error('metrics.delivery_stats_failed', { error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
        return undefined;
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };

  const jobs: Gauge<'state' | 'channel'> = new Gauge({
    name: 'efa_delivery_jobs', help: 'Delivery jobs in the store by state and channel.',
    labelNames: ['state', 'channel'] as const, registers: [registry],
    async collect() {
      const stats = await readStats();
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
    async collect() {
      const stats = await readStats();
      if (stats) oldestDue.set(stats.oldestDueAgeSeconds);
      else oldestDue.remove();
    },
  });
  const up: Gauge = new Gauge({
    name: 'efa_delivery_stats_up', help: '1 if the delivery job gauges could be read from the store at this scrape, else 0.',
    registers: [registry],
    async collect() {
      up.set((await readStats()) ? 1 : 0);
    },
  });
}
