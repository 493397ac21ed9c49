import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startAppProcess, type AppProcess } from './app-process';
import { runClosedLoop, type ClosedLoopResult } from './closed-loop-load';
import { cpuSecondsOf } from './cpu-usage';
import { startDeliveryReceiver, type DeliveryReceiver } from './delivery-receiver';
import { startHelloWorldJson } from './hello-world';
import { productionEnv } from './production-env';
import { percentile } from './submission-load';
import { THROUGHPUT_FORM, throughputSubmissionBody, writeThroughputInstallation } from './throughput-installation';
import { submitOnce, waitFor } from './wait-for';

/**
 * Two of issue 14's measurements on one store, the dog-tax form without the applicant's e-mail
 * (each submission queues exactly one HTTP push):
 * - submissions (goal 2): `connections` connections for `durationS` seconds of JSON API
 *   submissions against `main.js` with DELIVERY_WORKER=off, so only the accept path runs, and
 *   the same load against an express hello-world JSON POST in a process of its own;
 * - HTTP delivery alone (goal 1): the store is topped up to `queued` submissions as fast as
 *   `connections` connections go, that process is stopped, and `main.js` with its in-process
 *   worker is started on the same DATA_DIR, with no load: deliveries/s from its first to its last
 *   delivery at the receiver, until all arrived or `deliveryDeadlineMs` passed.
 */
export interface LoadFigures {
  readonly okPerS: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Answers other than 2xx, socket errors and timeouts. */
  readonly bad: number;
}

export interface SubmissionsAndDelivery {
  readonly submissions: LoadFigures;
  readonly hello: LoadFigures;
  readonly queued: number;
  readonly topUpPerS: number;
  readonly delivered: number;
  readonly undelivered: number;
  /** (delivered − 1) / seconds from the first to the last delivery. */
  readonly deliveriesPerS: number;
  readonly deliverySpanS: number;
  readonly workerCpuS: number | undefined;
  readonly problems: Readonly<Record<string, number>>;
}

export interface SubmissionsSettings {
  readonly root: string;
  readonly webEntry: string;
  readonly routingSigningKeyFile: string;
  readonly connections: number;
  readonly durationS: number;
  readonly queued: number;
  readonly deliveryDeadlineMs: number;
  readonly overrides: Readonly<Record<string, string>>;
  readonly log: (line: string) => void;
}

const START_DEADLINE_MS = 30_000;

function figuresOf(load: ClosedLoopResult): LoadFigures {
  let bad = load.errors + load.timeouts;
  for (const [status, count] of load.statuses) if (status < 200 || status > 299) bad += count;
  return { okPerS: load.okPerS, p50Ms: percentile(load.latenciesMs, 0.5), p99Ms: percentile(load.latenciesMs, 0.99), bad };
}

async function helloWorld(connections: number, durationS: number, bodyFor: (n: number) => string): Promise<LoadFigures> {
  const hello = await startHelloWorldJson(START_DEADLINE_MS);
  try {
    const url = `http://127.0.0.1:${hello.port}/`;
    await submitOnce(url, bodyFor(-1), 'hello-world');
    return figuresOf(await runClosedLoop({ url, connections, durationS, bodyFor }));
  } finally {
    await hello.stop();
  }
}

export async function measureSubmissionsThenDelivery(settings: SubmissionsSettings): Promise<SubmissionsAndDelivery> {
  const dir = path.join(settings.root, 'submissions-then-delivery');
  mkdirSync(dir);
  const processes: AppProcess[] = [];
  let receiver: DeliveryReceiver | undefined;
  try {
    receiver = await startDeliveryReceiver();
    const installation = writeThroughputInstallation(dir, receiver.url, { applicantEmail: false });
    const env = (deliveryWorker: boolean) => productionEnv({
      ...installation, dataDir: path.join(dir, 'data'), routingSigningKeyFile: settings.routingSigningKeyFile, deliveryWorker, overrides: settings.overrides,
    });
    const bodyFor = throughputSubmissionBody();

    settings.log(`  hello-world JSON POST, ${settings.connections} connections for ${settings.durationS} s`);
    const hello = await helloWorld(settings.connections, settings.durationS, bodyFor);

    const web = await startAppProcess({ name: 'web (DELIVERY_WORKER=off)', script: settings.webEntry, env: env(false), readyEvent: 'server.listening', deadlineMs: START_DEADLINE_MS });
    processes.push(web);
    const url = `http://127.0.0.1:${web.port}/api/forms/${THROUGHPUT_FORM}/submissions`;
    const ids = [await submitOnce(url, bodyFor(-1), 'submissions')];
    settings.log(`  submissions, ${settings.connections} connections for ${settings.durationS} s`);
    const timed = await runClosedLoop({ url, connections: settings.connections, durationS: settings.durationS, bodyFor, collectIds: true });
    ids.push(...timed.accepted);
    const missing = settings.queued - ids.length;
    let topUpPerS = timed.accepted.length / timed.durationS;
    if (missing > 0) {
      settings.log(`  ${missing} more submissions to queue ${settings.queued}`);
      const topUp = await runClosedLoop({ url, connections: settings.connections, amount: missing, bodyFor, collectIds: true, firstNumber: 10_000_000 });
      ids.push(...topUp.accepted);
      topUpPerS = topUp.accepted.length / topUp.durationS;
    }
    await web.stop();
    if (receiver.firstArrival.size > 0) throw new Error(`submissions: ${receiver.firstArrival.size} deliveries arrived from a web server with DELIVERY_WORKER=off`);

    settings.log(`  delivering ${ids.length} submissions with the in-process worker (no load)`);
    const deliverer = await startAppProcess({ name: 'web (in-process worker)', script: settings.webEntry, env: env(true), readyEvent: 'server.listening', deadlineMs: START_DEADLINE_MS });
    processes.push(deliverer);
    const cpuBefore = cpuSecondsOf(deliverer.pid);
    const r = receiver;
    await waitFor(() => r.firstArrival.size >= ids.length && ids.every((id) => r.firstArrival.has(id)), {
      deadline: performance.now() + settings.deliveryDeadlineMs, processes: [deliverer], everyMs: 100, what: 'the deliveries',
    });
    const cpuAfter = cpuSecondsOf(deliverer.pid);
    const arrivals = [...r.firstArrival.values()];
    const first = arrivals.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);
    const last = arrivals.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);
    const spanS = arrivals.length > 0 ? (last - first) / 1000 : 0;
    const problems: Record<string, number> = {};
    for (const p of processes) for (const [event, count] of p.problems) problems[event] = (problems[event] ?? 0) + count;
    return {
      submissions: figuresOf(timed),
      hello,
      queued: ids.length,
      topUpPerS,
      delivered: ids.filter((id) => r.firstArrival.has(id)).length,
      undelivered: ids.filter((id) => !r.firstArrival.has(id)).length,
      deliveriesPerS: arrivals.length > 1 && spanS > 0 ? (arrivals.length - 1) / spanS : Number.NaN,
      deliverySpanS: spanS,
      workerCpuS: cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore,
      problems,
    };
  } finally {
    await Promise.all(processes.map((p) => p.stop()));
    await receiver?.close();
  }
}
