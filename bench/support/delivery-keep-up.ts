import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { startAppProcess, type AppProcess } from './app-process';
import { cpuSecondsOf } from './cpu-usage';
import { startDeliveryReceiver, type DeliveryReceiver } from './delivery-receiver';
import { startFixedRateLoad, sortedLatencies, type FixedRateResult } from './fixed-rate-load';
import { productionEnv } from './production-env';
import { startRssSampler, type RssSampler } from './rss-sampler';
import { startSmtpSink, type SmtpSink } from './smtp-sink';
import { percentile } from './submission-load';
import { THROUGHPUT_FORM, throughputSubmissionBody, writeThroughputInstallation } from './throughput-installation';
import { submitOnce, waitFor } from './wait-for';

/**
 * "Deliveries keep up" (issue 14 goal 1) for one configuration: the dog-tax form with the
 * applicant's e-mail, submissions offered at a fixed rate (fixed-rate-load.ts), every authority
 * pushing to a receiver in the bench answering 204 and every confirmation going to the SMTP sink.
 * Every second the backlogs are sampled: accepted so far minus delivered so far, and minus
 * e-mails received so far, in seconds of work at the offered rate. After the load it waits (up
 * to `drainDeadlineMs`) until every accepted submission was delivered and its e-mail received.
 */
export interface KeepUpProcess {
  readonly role: 'web' | 'worker';
  readonly rssMaxMb: number | undefined;
  /** CPU seconds from the first request until the last answer, and from then until drained (or the deadline). */
  readonly cpuLoadS: number | undefined;
  readonly cpuDrainS: number | undefined;
}

export interface KeepUpMeasurement {
  readonly offered: number;
  readonly accepted: number;
  /** Offered minus accepted: other answers and requests that got none. */
  readonly notAccepted: number;
  readonly statuses: ReadonlyMap<number, number>;
  readonly failed: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** The largest p99 of the requests due in any one second of the load. */
  readonly worstWindowP99Ms: number;
  readonly delivered: number;
  readonly emails: number;
  /** Accepted (201 seen) but not delivered / no e-mail when the bench stopped waiting. */
  readonly lostDeliveries: number;
  readonly lostEmails: number;
  readonly emailsWithoutPdf: number;
  /** Average size of a received e-mail in kB (its PDF receipt base64-encoded inside). */
  readonly emailKb: number;
  readonly repeatedDeliveries: number;
  readonly repeatedEmails: number;
  readonly maxDeliveryBacklogS: number;
  readonly maxEmailBacklogS: number;
  /** From the last offered request until both backlogs were empty; null: not within the deadline. */
  readonly drainS: number | null;
  readonly deliveryDrainS: number | null;
  readonly emailDrainS: number | null;
  readonly processes: readonly KeepUpProcess[];
  readonly benchCpuS: number;
  readonly benchLoopDelayP99Ms: number;
  readonly loadAverageAfter: number;
  readonly problems: Readonly<Record<string, number>>;
}

export interface KeepUpSettings {
  readonly root: string;
  readonly entry: { readonly web: string; readonly worker: string };
  readonly routingSigningKeyFile: string;
  readonly ratePerS: number;
  readonly durationS: number;
  readonly drainDeadlineMs: number;
  readonly overrides: Readonly<Record<string, string>>;
  readonly log: (line: string) => void;
}

const START_DEADLINE_MS = 30_000;
const CHECK_DEADLINE_MS = 30_000;
const address = (n: number) => `antrag-${n}@example.org`;

/** The largest p99 over the windows of `ratePerS` consecutive requests (one second of due times each). */
function worstWindowP99(latencyMs: Float64Array, ratePerS: number): number {
  let worst = Number.NaN;
  const size = Math.max(1, Math.round(ratePerS));
  for (let start = 0; start < latencyMs.length; start += size) {
    const p99 = percentile(sortedLatencies(latencyMs.subarray(start, start + size)), 0.99);
    if (!(p99 <= worst)) worst = Number.isNaN(worst) ? p99 : Math.max(worst, p99);
  }
  return worst;
}

/** Seconds from `from` until the latest arrival of `ids` in `arrivals`; null if one is missing. */
function drainSeconds(keys: readonly string[], arrivals: ReadonlyMap<string, number>, from: number): number | null {
  let last = from;
  for (const key of keys) {
    const at = arrivals.get(key);
    if (at === undefined) return null;
    last = Math.max(last, at);
  }
  return (last - from) / 1000;
}

export async function measureKeepUp(separateWorker: boolean, settings: KeepUpSettings): Promise<KeepUpMeasurement> {
  const dir = path.join(settings.root, separateWorker ? 'keep-up-separate-worker' : 'keep-up-in-process');
  mkdirSync(dir);
  const processes: AppProcess[] = [];
  let receiver: DeliveryReceiver | undefined;
  let sink: SmtpSink | undefined;
  let rss: RssSampler | undefined;
  let backlogTimer: NodeJS.Timeout | undefined;
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  try {
    receiver = await startDeliveryReceiver();
    sink = await startSmtpSink();
    const installation = writeThroughputInstallation(dir, receiver.url, { applicantEmail: true });
    const env = productionEnv({
      ...installation, dataDir: path.join(dir, 'data'), routingSigningKeyFile: settings.routingSigningKeyFile,
      smtpUrl: sink.url, deliveryWorker: !separateWorker, overrides: settings.overrides,
    });
    rss = startRssSampler(250);
    const web = await startAppProcess({ name: 'web', script: settings.entry.web, env, readyEvent: 'server.listening', deadlineMs: START_DEADLINE_MS });
    processes.push(web);
    rss.add('web', web.pid);
    if (separateWorker) {
      const worker = await startAppProcess({ name: 'worker', script: settings.entry.worker, env, readyEvent: 'worker.started', deadlineMs: START_DEADLINE_MS });
      processes.push(worker);
      rss.add('worker', worker.pid);
    }
    const url = `http://127.0.0.1:${web.port}/api/forms/${THROUGHPUT_FORM}/submissions`;
    const bodyFor = throughputSubmissionBody();

    // One submission first, delivered and e-mailed: the load must measure a working pipeline.
    const checkId = await submitOnce(url, bodyFor(-1), 'keep-up');
    const r = receiver;
    const s = sink;
    const checked = await waitFor(() => r.firstArrival.has(checkId) && s.firstArrival.has(address(-1)), { deadline: performance.now() + CHECK_DEADLINE_MS, processes, what: 'the check submission' });
    if (!checked) throw new Error(`keep-up: the check submission was not ${r.firstArrival.has(checkId) ? 'e-mailed' : 'delivered'} within ${CHECK_DEADLINE_MS} ms`);

    const cpu = () => processes.map((p) => cpuSecondsOf(p.pid));
    const benchCpuBefore = process.cpuUsage();
    loopDelay.enable();
    const load = startFixedRateLoad({ url, ratePerS: settings.ratePerS, durationS: settings.durationS, bodyFor });
    const live: FixedRateResult = load.result;
    const cpuAtStart = cpu();
    let maxDeliveryBacklog = 0;
    let maxEmailBacklog = 0;
    let samples = 0;
    backlogTimer = setInterval(() => {
      const accepted = live.accepted.length + 1;
      maxDeliveryBacklog = Math.max(maxDeliveryBacklog, accepted - r.firstArrival.size);
      maxEmailBacklog = Math.max(maxEmailBacklog, accepted - s.firstArrival.size);
      if (++samples % 10 === 0) settings.log(`  ${samples} s: ${accepted} accepted, ${r.firstArrival.size} delivered, ${s.firstArrival.size} e-mails`);
    }, 1000);

    const result = await load.finished;
    const cpuAtLastAnswer = cpu();
    loopDelay.disable();
    const accepted = result.accepted;
    const ids = [checkId, ...accepted.map((a) => a.id)];
    const addresses = [address(-1), ...accepted.map((a) => address(a.n))];
    const drained = await waitFor(() => r.firstArrival.size >= ids.length && s.firstArrival.size >= ids.length
      && ids.every((id) => r.firstArrival.has(id)) && addresses.every((a) => s.firstArrival.has(a)), {
      deadline: result.offeredUntil + settings.drainDeadlineMs, processes, everyMs: 100, what: 'the deliveries and e-mails',
    });
    clearInterval(backlogTimer);
    const cpuAtEnd = cpu();
    rss.stop();
    settings.log(`  ${drained ? 'drained' : `not drained ${settings.drainDeadlineMs / 1000} s after the load`}: ${ids.length} accepted, ${r.firstArrival.size} delivered, ${s.firstArrival.size} e-mails`);

    const benchCpu = process.cpuUsage(benchCpuBefore);
    const latencies = sortedLatencies(result.latencyMs);
    const deliveryDrainS = drainSeconds(ids, r.firstArrival, result.offeredUntil);
    const emailDrainS = drainSeconds(addresses, s.firstArrival, result.offeredUntil);
    const problems: Record<string, number> = {};
    for (const p of processes) for (const [event, count] of p.problems) problems[event] = (problems[event] ?? 0) + count;
    const between = (a: Array<number | undefined>, b: Array<number | undefined>, i: number) => {
      const [from, to] = [a[i], b[i]];
      return from === undefined || to === undefined ? undefined : to - from;
    };
    return {
      offered: result.offered,
      accepted: accepted.length,
      notAccepted: result.offered - accepted.length,
      statuses: result.statuses,
      failed: result.failed,
      p50Ms: percentile(latencies, 0.5),
      p99Ms: percentile(latencies, 0.99),
      worstWindowP99Ms: worstWindowP99(result.latencyMs, settings.ratePerS),
      delivered: r.firstArrival.size,
      emails: s.firstArrival.size,
      lostDeliveries: ids.filter((id) => !r.firstArrival.has(id)).length,
      lostEmails: addresses.filter((a) => !s.firstArrival.has(a)).length,
      emailsWithoutPdf: s.withoutPdf(),
      emailKb: s.bytes() / 1024 / Math.max(1, s.messages()),
      repeatedDeliveries: r.repeats(),
      repeatedEmails: s.repeats(),
      maxDeliveryBacklogS: maxDeliveryBacklog / settings.ratePerS,
      maxEmailBacklogS: maxEmailBacklog / settings.ratePerS,
      drainS: deliveryDrainS === null || emailDrainS === null ? null : Math.max(deliveryDrainS, emailDrainS),
      deliveryDrainS,
      emailDrainS,
      processes: processes.map((p, i) => ({
        role: i === 0 ? 'web' : 'worker',
        rssMaxMb: rss?.maxMb(i === 0 ? 'web' : 'worker'),
        cpuLoadS: between(cpuAtStart, cpuAtLastAnswer, i),
        cpuDrainS: between(cpuAtLastAnswer, cpuAtEnd, i),
      })),
      benchCpuS: (benchCpu.user + benchCpu.system) / 1e6,
      benchLoopDelayP99Ms: loopDelay.percentile(99) / 1e6,
      loadAverageAfter: os.loadavg()[0]!,
      problems,
    };
  } finally {
    clearInterval(backlogTimer);
    loopDelay.disable();
    rss?.stop();
    await Promise.all(processes.map((p) => p.stop()));
    await receiver?.close();
    await sink?.close();
  }
}
