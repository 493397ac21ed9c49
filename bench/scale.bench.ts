/**
 * PostgreSQL and many instances, measured (issue 13, "Measured"): accepted submissions/s with
 * p50/p99 and delivered/s for three configurations in one run, each on a fresh store:
 * - SQLite, one process (`node dist/src/main.js` with its in-process worker);
 * - PostgreSQL, one web process (DELIVERY_WORKER=off) and one worker (`dist/src/worker-main.js`);
 * - PostgreSQL, two web processes and two workers.
 * The same load for each: JSON API submissions of the dog-tax form (without applicant e-mail, see
 * support/scale-installation.ts) at 50 connections for 10 s, split evenly across the web
 * processes; every authority pushes over HTTP to a receiver in this process that answers 204.
 * Afterwards the bench waits (up to 120 s) until every accepted submission has arrived.
 * Target: 2 web + 2 workers at least as fast as SQLite single-process in accepted/s and
 * delivered/s, and nothing lost.
 *
 * BENCH_SCALE_DURATION_S and BENCH_SCALE_DRAIN_DEADLINE_S change the load's length and the
 * wait; BENCH_SCALE_CPU_PROF_DIR=<folder> writes a CPU profile of every process (--cpu-prof);
 * BENCH_SCALE_APP_<SETTING>=value sets <SETTING> in every process and BENCH_SCALE_PG_SOCKET_DIR
 * connects them through PostgreSQL's Unix socket (experiments only).
 * The processes run a build of the working tree made at the start into a temporary folder of this
 * bench (not dist/, which other tools in the same checkout may be rebuilding at the same time).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { createTestDatabase, type TestDatabase } from '../test/support/postgres-database';
import { startAppProcess, type AppProcess } from './support/app-process';
import { cpuSecondsOf, machineBusySeconds, postgresCpuBetween, postgresCpuSeconds } from './support/cpu-usage';
import { startDeliveryReceiver, type DeliveryReceiver } from './support/delivery-receiver';
import { writeRoutingSigningKey } from './support/routing-signing-key';
import { figure, type BenchResult } from './support/figures';
import { computeFigures, formatScaleTable, SCALE_TARGET_RATIO, scaleBenchFigures, scaleRatios, type ScaleFigures } from './support/scale-figures';
import { SCALE_FORM, scaleSubmissionBody, writeScaleInstallation } from './support/scale-installation';
import { offerSubmissions } from './support/submission-load';

export type { ScaleFigures } from './support/scale-figures';

const REPO = path.resolve(__dirname, '..');
const CONNECTIONS = 50;
const DURATION_S = Number(process.env.BENCH_SCALE_DURATION_S ?? 10);
const DRAIN_DEADLINE_MS = Number(process.env.BENCH_SCALE_DRAIN_DEADLINE_S ?? 120) * 1000;
const START_DEADLINE_MS = 30_000;
/** A folder for a CPU profile of every process (node --cpu-prof), written when each one stops. */
const CPU_PROFILE_DIR = process.env.BENCH_SCALE_CPU_PROF_DIR;
const NODE_ARGS = CPU_PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', CPU_PROFILE_DIR] : [];
/** BENCH_SCALE_PG_SOCKET_DIR=<folder>: the processes reach PostgreSQL through its Unix socket there instead of TCP (experiments). */
const PG_SOCKET_DIR = process.env.BENCH_SCALE_PG_SOCKET_DIR;
/** BENCH_SCALE_APP_<SETTING>=value gives every process <SETTING>=value (e.g. DELIVERY_CONCURRENCY), for experiments. */
const APP_OVERRIDES: Record<string, string> = Object.fromEntries(Object.entries(process.env)
  .filter((e): e is [string, string] => e[0].startsWith('BENCH_SCALE_APP_') && e[1] !== undefined)
  .map(([k, v]) => [k.slice('BENCH_SCALE_APP_'.length), v]));

interface Configuration {
  readonly key: ScaleFigures['key'];
  readonly label: string;
  readonly webs: number;
  readonly workers: number;
  readonly postgres: boolean;
}

const CONFIGURATIONS: readonly Configuration[] = [
  { key: 'sqlite-1', label: 'SQLite, 1 process', webs: 1, workers: 0, postgres: false },
  { key: 'postgres-1web-1worker', label: 'PostgreSQL, 1 web + 1 worker', webs: 1, workers: 1, postgres: true },
  { key: 'postgres-2web-2worker', label: 'PostgreSQL, 2 web + 2 workers', webs: 2, workers: 2, postgres: true },
];

/** The processes' DATABASE_URL: the new database's, through the Unix socket with BENCH_SCALE_PG_SOCKET_DIR. */
function databaseUrl(url: string): string {
  if (!PG_SOCKET_DIR) return url;
  const socket = new URL(url);
  socket.searchParams.set('host', PG_SOCKET_DIR);
  return socket.toString();
}

/** Builds src/ into `outDir` with the project's build settings (what `npm run build` does into dist/). */
function build(outDir: string): void {
  // tsc's diagnostics go to stderr: with `--json` the bench's stdout carries nothing but the JSON.
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', outDir], { cwd: REPO, stdio: ['ignore', process.stderr, process.stderr] });
}

/** Waits until every accepted submission reached the receiver, or the deadline passed. */
async function drained(receiver: DeliveryReceiver, accepted: readonly string[], processes: readonly AppProcess[], deadline: number): Promise<void> {
  let missing = accepted.filter((id) => !receiver.firstArrival.has(id));
  while (missing.length > 0 && performance.now() < deadline) {
    const gone = processes.find((p) => p.exited());
    if (gone) throw new Error(`${gone.name} ended while deliveries were outstanding`);
    await delay(50);
    missing = missing.filter((id) => !receiver.firstArrival.has(id));
  }
}

async function run(configuration: Configuration, root: string, dist: string, keyFile: string): Promise<ScaleFigures> {
  const dir = path.join(root, configuration.key);
  mkdirSync(dir);
  const processes: AppProcess[] = [];
  let receiver: DeliveryReceiver | undefined;
  let database: TestDatabase | undefined;
  try {
    receiver = await startDeliveryReceiver();
    const installation = writeScaleInstallation(dir, receiver.url);
    database = configuration.postgres ? await createTestDatabase() : undefined;
    const env = (role: string, index: number): Record<string, string> => ({
      PATH: process.env.PATH ?? '',
      // The build lives outside the checkout: its imports are found in the checkout's node_modules.
      NODE_PATH: path.join(REPO, 'node_modules'),
      NODE_ENV: 'production',
      PORT: '0',
      PUBLIC_BASE_URL: 'https://antrag.example.de',
      ADMIN_TOKEN_HASH: 'f'.repeat(64),
      ROUTING_SIGNING_KEY_FILE: keyFile,
      FORMS_DIR: installation.formsDir,
      TENANTS_DIR: installation.tenantsDir,
      TEMPLATES_DIR: path.join(REPO, 'templates'),
      DATA_DIR: path.join(dir, `data-${role}-${index}`),
      // One load generator is one client: the per-client limits would turn most answers into 429s.
      RATE_LIMIT_DRAFTS: '0', RATE_LIMIT_STEPS: '0', RATE_LIMIT_SUBMISSIONS: '0',
      ...installation.secrets,
      ...(database ? { DATABASE_URL: databaseUrl(database.url), DELIVERY_WORKER: 'off' } : {}),
      ...APP_OVERRIDES,
    });
    const web = (index: number) => startAppProcess({ name: `web ${index + 1}`, script: path.join(dist, 'src', 'main.js'), env: env('web', index), nodeArgs: NODE_ARGS, readyEvent: 'server.listening', deadlineMs: START_DEADLINE_MS });
    const worker = (index: number) => startAppProcess({ name: `worker ${index + 1}`, script: path.join(dist, 'src', 'worker-main.js'), env: env('worker', index), nodeArgs: NODE_ARGS, readyEvent: 'worker.started', deadlineMs: START_DEADLINE_MS });
    // The first process migrates the fresh database; the others start together after it.
    processes.push(await web(0));
    const rest = await Promise.allSettled([
      ...Array.from({ length: configuration.webs - 1 }, (_, i) => web(i + 1)),
      ...Array.from({ length: configuration.workers }, (_, i) => worker(i)),
    ]);
    for (const r of rest) if (r.status === 'fulfilled') processes.push(r.value);
    const failed = rest.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    const webs = processes.filter((p) => p.port !== undefined);
    const urls = webs.map((p) => `http://127.0.0.1:${p.port}/api/forms/${SCALE_FORM}/submissions`);

    // One submission first: the load must measure 201s, not an error answer.
    const bodyFor = scaleSubmissionBody();
    const alsoAccepted: string[] = [];
    for (const url of urls) {
      const check = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: bodyFor(-1 - alsoAccepted.length) });
      const text = await check.text();
      if (check.status !== 201) throw new Error(`${configuration.label}: the check submission answered ${check.status}, not 201: ${text.slice(0, 300)}`);
      alsoAccepted.push((JSON.parse(text) as { id: string }).id);
    }

    const cpuOf = (list: readonly AppProcess[]) => list.reduce((sum, p) => sum + (cpuSecondsOf(p.pid) ?? 0), 0);
    const workers = processes.filter((p) => p.port === undefined);
    const loadBefore = os.loadavg()[0]!;
    const before = { web: cpuOf(webs), worker: cpuOf(workers), postgres: postgresCpuSeconds(), bench: process.cpuUsage(), machine: machineBusySeconds() };
    const load = await offerSubmissions({ urls, connectionsEach: Math.floor(CONNECTIONS / urls.length), durationS: DURATION_S, bodyFor });
    const bench = process.cpuUsage(before.bench);
    const machineAfter = machineBusySeconds();
    const cpuSeconds = {
      machine: before.machine === undefined || machineAfter === undefined ? null : machineAfter - before.machine,
      web: cpuOf(webs) - before.web,
      worker: cpuOf(workers) - before.worker,
      postgres: postgresCpuBetween(before.postgres, postgresCpuSeconds()) ?? null,
      bench: (bench.user + bench.system) / 1e6,
    };
    const loadAfter = os.loadavg()[0]!;

    await drained(receiver, [...load.accepted, ...alsoAccepted], processes, load.endedAt + DRAIN_DEADLINE_MS);
    const problems: Record<string, number> = {};
    for (const p of processes) for (const [event, count] of p.problems) problems[event] = (problems[event] ?? 0) + count;
    return {
      key: configuration.key,
      label: configuration.label,
      ...computeFigures({ load, receiver, alsoAccepted }),
      cpuSeconds,
      loadAverage: { before: loadBefore, after: loadAfter },
      problems,
    };
  } finally {
    await Promise.all(processes.map((p) => p.stop()));
    await receiver?.close();
    await database?.drop();
  }
}

/** Runs the three configurations one after the other, prints the table and returns the figures. */
export async function benchScale(): Promise<BenchResult> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'efa-bench-scale-'));
  try {
    const dist = path.join(root, 'dist');
    const started = performance.now();
    build(dist);
    const buildS = (performance.now() - started) / 1000;
    const keyFile = writeRoutingSigningKey(root);
    const rows: ScaleFigures[] = [];
    for (const configuration of CONFIGURATIONS) rows.push(await run(configuration, root, dist, keyFile));

    const ratios = scaleRatios(rows);
    const nothingLost = rows.every((r) => r.lost === 0);
    const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
    const cores = os.availableParallelism();

    console.log(`\nScale: JSON API submissions (${SCALE_FORM}, no applicant e-mail), ${CONNECTIONS} connections for ${DURATION_S} s split across the web processes,`);
    const overrides = [...Object.entries(APP_OVERRIDES).map(([k, v]) => `${k}=${v}`), ...(PG_SOCKET_DIR ? [`PostgreSQL through the Unix socket in ${PG_SOCKET_DIR}`] : [])].join(', ');
    console.log(`HTTP push to a local receiver answering 204; ${cores} cores; build of the working tree ${buildS.toFixed(0)} s; settings: ${overrides || 'defaults'}`);
    for (const line of formatScaleTable(rows, cores)) console.log(line);
    console.log(`ratio 2 web + 2 workers / SQLite, accepted/s:            ${ratios.acceptedPerS.toFixed(2)} (target ≥ ${SCALE_TARGET_RATIO.toFixed(1)}): ${verdict(ratios.acceptedPerS >= SCALE_TARGET_RATIO)}`);
    console.log(`ratio 2 web + 2 workers / SQLite, delivered/s overall:   ${ratios.deliveredPerSOverall.toFixed(2)} (target ≥ ${SCALE_TARGET_RATIO.toFixed(1)}): ${verdict(ratios.deliveredPerSOverall >= SCALE_TARGET_RATIO)}`);
    console.log(`ratio 2 web + 2 workers / SQLite, delivered/s during load: ${ratios.deliveredPerSDuringLoad.toFixed(2)}`);
    console.log(`nothing lost (every 201 delivered) in every configuration: ${verdict(nothingLost)}`);
    const notes = [
      `${CONNECTIONS} connections for ${DURATION_S} s per configuration (BENCH_SCALE_DURATION_S), then up to ${DRAIN_DEADLINE_MS / 1000} s for the deliveries (BENCH_SCALE_DRAIN_DEADLINE_S); settings: ${overrides || 'defaults'}`,
      ...rows.filter((r) => r.drainS === null).map((r) => `${r.label}: not every accepted submission arrived within the drain deadline (drainS null)`),
      ...rows.filter((r) => Object.keys(r.problems).length > 0).map((r) => `${r.label}: warnings/errors ${Object.entries(r.problems).map(([event, count]) => `${event} ×${count}`).join(', ')}`),
    ];
    return { name: 'scale', figures: [figure('scale.buildS', 'build of the working tree', buildS, 's'), ...scaleBenchFigures(rows, ratios)], notes };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (require.main === module) {
  benchScale().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
