/**
 * Throughput at the limit (issue 14, goals 1, 2 and 5), measured on real processes built from
 * the working tree (NODE_ENV=production, rate limits off, SQLite in a temporary DATA_DIR, all on
 * 127.0.0.1):
 * - start-up: spawn of `main.js` with the sample forms and tenants until GET /healthz answers 200;
 * - deliveries keep up: the dog-tax form with the applicant's e-mail offered at a fixed rate
 *   (300/s for 60 s), once with the in-process worker and once with DELIVERY_WORKER=off and a
 *   separate `worker-main.js`: latency, backlogs, drain, RSS and CPU of each process;
 * - submissions at 50 connections against an express hello-world JSON POST (accept path only);
 * - HTTP delivery alone: a queue of 15,000 HTTP pushes delivered by a fresh in-process worker.
 * Every figure has a stable `throughput.<…>` key, documented in bench/README.md. Progress goes
 * to stderr; stdout stays for the table or `--json` that bench/index.ts prints.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildWorkingTree, entryPoints } from './support/build-tree';
import { measureKeepUp, type KeepUpMeasurement, type KeepUpSettings } from './support/delivery-keep-up';
import { figure, type BenchFigure, type BenchResult } from './support/figures';
import { appOverrides, productionEnv } from './support/production-env';
import { writeRoutingSigningKey } from './support/routing-signing-key';
import { startSmtpSink } from './support/smtp-sink';
import { measureStartupMs } from './support/startup-time';
import { measureSubmissionsThenDelivery, type SubmissionsAndDelivery } from './support/submissions-then-delivery';
import { sampleInstallation } from './support/throughput-installation';

/** A positive number from BENCH_THROUGHPUT_<name>, or the default; anything else stops the bench at once. */
function setting(name: string, fallback: number, integer = true): number {
  const raw = process.env[`BENCH_THROUGHPUT_${name}`];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new Error(`BENCH_THROUGHPUT_${name} must be a positive ${integer ? 'whole ' : ''}number, not "${raw}"`);
  }
  return value;
}

const log = (line: string): void => {
  process.stderr.write(`throughput: ${line}\n`);
};
const seconds = (ms: number) => (ms / 1000).toFixed(1);
const fixed = (value: number | null | undefined, digits = 0) => (value === null || value === undefined || !Number.isFinite(value) ? 'n/a' : value.toFixed(digits));

async function startup(runs: number, root: string, web: string, keyFile: string): Promise<number[]> {
  const sink = await startSmtpSink();
  try {
    const installation = sampleInstallation();
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const dataDir = path.join(root, `startup-${i + 1}`);
      mkdirSync(dataDir);
      times.push(await measureStartupMs({
        name: `start-up ${i + 1}`, script: web, deadlineMs: 30_000,
        env: (port) => productionEnv({ ...installation, dataDir, routingSigningKeyFile: keyFile, smtpUrl: sink.url, port, deliveryWorker: true, overrides: appOverrides('THROUGHPUT') }),
      }));
      log(`  start-up ${i + 1}: ${times[i]!.toFixed(0)} ms`);
    }
    return times;
  } finally {
    await sink.close();
  }
}

function keepUpFigures(key: 'inProcess' | 'separateWorker', label: string, m: KeepUpMeasurement): BenchFigure[] {
  const k = `throughput.deliveries.${key}`;
  const figures = [
    figure(`${k}.offered`, `${label}: submissions offered`, m.offered, 'count'),
    figure(`${k}.accepted`, `${label}: submissions accepted (201)`, m.accepted, 'count'),
    figure(`${k}.notAccepted`, `${label}: offered but not accepted`, m.notAccepted, 'count', { op: '<=', value: 0 }),
    figure(`${k}.p50Ms`, `${label}: submission p50`, m.p50Ms, 'ms'),
    figure(`${k}.p99Ms`, `${label}: submission p99`, m.p99Ms, 'ms', { op: '<=', value: 50 }),
    figure(`${k}.worstWindowP99Ms`, `${label}: worst p99 of any 1-s window`, m.worstWindowP99Ms, 'ms', { op: '<=', value: 50 }),
    figure(`${k}.delivered`, `${label}: submissions delivered`, m.delivered, 'count'),
    figure(`${k}.emails`, `${label}: confirmation e-mails received`, m.emails, 'count'),
    figure(`${k}.lostDeliveries`, `${label}: accepted, not delivered`, m.lostDeliveries, 'count', { op: '<=', value: 0 }),
    figure(`${k}.lostEmails`, `${label}: accepted, no e-mail`, m.lostEmails, 'count', { op: '<=', value: 0 }),
    figure(`${k}.maxDeliveryBacklogS`, `${label}: largest delivery backlog`, m.maxDeliveryBacklogS, 's', { op: '<=', value: 2 }),
    figure(`${k}.maxEmailBacklogS`, `${label}: largest e-mail backlog`, m.maxEmailBacklogS, 's', { op: '<=', value: 2 }),
    figure(`${k}.drainS`, `${label}: backlogs empty after the load`, m.drainS, 's', { op: '<=', value: 5 }),
  ];
  for (const p of m.processes) {
    figures.push(
      figure(`${k}.${p.role}.rssMaxMB`, `${label}: largest RSS of the ${p.role}`, p.rssMaxMb ?? null, 'MB', { op: '<=', value: 200 }),
      figure(`${k}.${p.role}.cpuLoadS`, `${label}: CPU of the ${p.role} until the last answer`, p.cpuLoadS ?? null, 's'),
      figure(`${k}.${p.role}.cpuDrainS`, `${label}: CPU of the ${p.role} after the last answer`, p.cpuDrainS ?? null, 's'),
    );
  }
  return figures;
}

function keepUpNotes(label: string, m: KeepUpMeasurement): string[] {
  const statuses = [...m.statuses].map(([status, count]) => `${status === -201 ? '201 without id' : status} ×${count}`).join(', ');
  const problems = Object.entries(m.problems).map(([event, count]) => `${event} ×${count}`).join(', ');
  return [
    `${label}: answers ${statuses || 'none'}, ${m.failed} without answer; drain deliveries ${fixed(m.deliveryDrainS, 1)} s, e-mails ${fixed(m.emailDrainS, 1)} s `
      + `(n/a: not within the deadline); ${m.repeatedDeliveries} repeated deliveries, ${m.repeatedEmails} repeated e-mails, ${m.emailsWithoutPdf} e-mails without a PDF, ${fixed(m.emailKb)} kB per e-mail`,
    `${label}: bench process (load, receiver, SMTP sink) ${fixed(m.benchCpuS, 1)} CPU s, its event-loop delay p99 ${fixed(m.benchLoopDelayP99Ms, 1)} ms; `
      + `load average ${fixed(m.loadAverageAfter, 2)} after${problems ? `; warnings/errors: ${problems}` : ''}`,
  ];
}

function submissionFigures(r: SubmissionsAndDelivery): BenchFigure[] {
  return [
    figure('throughput.submissions.rps', 'submissions at 50 connections (DELIVERY_WORKER=off)', r.submissions.okPerS, 'req/s'),
    figure('throughput.submissions.p99Ms', 'submissions at 50 connections: p99', r.submissions.p99Ms, 'ms', { op: '<=', value: 50 }),
    figure('throughput.helloJsonPost.rps', 'express hello-world JSON POST at 50 connections', r.hello.okPerS, 'req/s'),
    figure('throughput.helloJsonPost.p99Ms', 'express hello-world JSON POST: p99', r.hello.p99Ms, 'ms'),
    figure('throughput.submissions.ratio', 'submissions / hello-world JSON POST', r.submissions.okPerS / r.hello.okPerS, 'ratio', { op: '>=', value: 0.5 }),
    figure('throughput.httpDelivery.perS', 'HTTP delivery alone (in-process worker, no load)', r.deliveriesPerS, 'deliveries/s', { op: '>=', value: 1000 }),
    figure('throughput.httpDelivery.queued', 'HTTP delivery alone: submissions queued', r.queued, 'count'),
    figure('throughput.httpDelivery.undelivered', 'HTTP delivery alone: not delivered by the deadline', r.undelivered, 'count', { op: '<=', value: 0 }),
  ];
}

export async function benchThroughput(): Promise<BenchResult> {
  const rate = setting('RATE', 300, false);
  const durationS = setting('DURATION_S', 60);
  const drainDeadlineS = setting('DRAIN_DEADLINE_S', 20);
  const queued = setting('HTTP_DELIVERY_N', 15_000);
  const deliveryDeadlineS = setting('HTTP_DELIVERY_DEADLINE_S', 30);
  const submissionsS = setting('SUBMISSIONS_DURATION_S', 10);
  const startupRuns = setting('STARTUP_RUNS', 5);
  const overrides = appOverrides('THROUGHPUT');
  const started = performance.now();
  const loadBefore = os.loadavg()[0]!;
  const root = mkdtempSync(path.join(os.tmpdir(), 'efa-bench-throughput-'));
  try {
    log('building the working tree');
    const dist = path.join(root, 'dist');
    const buildS = buildWorkingTree(dist);
    const entry = entryPoints(dist);
    const keyFile = writeRoutingSigningKey(root);

    log(`start-up to /healthz, ${startupRuns} runs`);
    const startups = await startup(startupRuns, root, entry.web, keyFile);
    const sortedStartups = [...startups].sort((a, b) => a - b);
    const medianStartup = sortedStartups.length % 2 === 1
      ? sortedStartups[(sortedStartups.length - 1) / 2]!
      : (sortedStartups[sortedStartups.length / 2 - 1]! + sortedStartups[sortedStartups.length / 2]!) / 2;

    log(`submissions and HTTP delivery alone (${queued} queued)`);
    const submissions = await measureSubmissionsThenDelivery({
      root, webEntry: entry.web, routingSigningKeyFile: keyFile, connections: 50, durationS: submissionsS, queued,
      deliveryDeadlineMs: deliveryDeadlineS * 1000, overrides, log,
    });

    const keepUpSettings: KeepUpSettings = { root, entry, routingSigningKeyFile: keyFile, ratePerS: rate, durationS, drainDeadlineMs: drainDeadlineS * 1000, overrides, log };
    log(`deliveries keep up, in-process worker: ${rate}/s for ${durationS} s`);
    const inProcess = await measureKeepUp(false, keepUpSettings);
    log(`deliveries keep up, separate worker: ${rate}/s for ${durationS} s`);
    const separate = await measureKeepUp(true, keepUpSettings);

    const figures: BenchFigure[] = [
      figure('throughput.startup.medianMs', `start-up to /healthz 200, median of ${startupRuns}`, medianStartup, 'ms', { op: '<=', value: 1000 }),
      figure('throughput.startup.maxMs', `start-up to /healthz 200, slowest of ${startupRuns}`, sortedStartups[sortedStartups.length - 1]!, 'ms'),
      ...keepUpFigures('inProcess', 'keep-up, in-process worker', inProcess),
      ...keepUpFigures('separateWorker', 'keep-up, separate worker', separate),
      ...submissionFigures(submissions),
    ];
    const problems = Object.entries(submissions.problems).map(([event, count]) => `${event} ×${count}`).join(', ');
    const settings = Object.entries(overrides).map(([k, v]) => `${k}=${v}`).join(', ');
    const notes = [
      `${os.availableParallelism()} cores, build of the working tree ${buildS.toFixed(0)} s, whole bench ${seconds(performance.now() - started)} s, `
        + `load average ${loadBefore.toFixed(2)} before; app settings: ${settings || 'defaults'}`,
      `keep-up: dog-tax form with the applicant's e-mail (PDF receipt) to an SMTP sink, HTTP push to a receiver answering 204; offered ${rate}/s for ${durationS} s `
        + `open-loop, latency from each request's due time; drain waited up to ${drainDeadlineS} s`,
      ...keepUpNotes('in-process worker', inProcess),
      ...keepUpNotes('separate worker', separate),
      `submissions: ${submissionsS} s at 50 connections, ${submissions.submissions.bad} bad answers (hello-world ${submissions.hello.bad}), p50 ${fixed(submissions.submissions.p50Ms, 1)} ms `
        + `(hello-world ${fixed(submissions.hello.p50Ms, 1)} ms)`,
      `HTTP delivery alone: ${submissions.queued} queued (top-up at ${fixed(submissions.topUpPerS)}/s), ${submissions.delivered} delivered in ${fixed(submissions.deliverySpanS, 1)} s `
        + `from first to last (deadline ${deliveryDeadlineS} s), worker process ${fixed(submissions.workerCpuS, 1)} CPU s${problems ? `; warnings/errors: ${problems}` : ''}`,
      `start-up runs (ms): ${startups.map((t) => t.toFixed(0)).join(', ')}`,
    ];
    log(`done in ${seconds(performance.now() - started)} s`);
    return { name: 'throughput', figures, notes };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
