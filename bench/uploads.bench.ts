/**
 * Uploads (issue 15 point 4): 20 concurrent uploads of 10 MB each to one web process, which
 * streams them into its store (SQLite's folder, or PostgreSQL's chunks) and through a real clamd,
 * must keep the process's resident memory (RSS, sampled from /proc every 50 ms) within the memory
 * goal every process has (≤ 200 MB, as in the throughput bench); then 20 concurrent uploads one
 * byte over the limit must all be answered 413 without the memory growing past it either. The
 * server is a build of the working tree started as an operator would (NODE_ENV=production);
 * 127.0.0.1 only. Without Debian's clamd the uploads go unscanned and the notes say so.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startClamd, CLAMD, type OwnClamd } from '../test/support/clamd';
import { createTestDatabase, type TestDatabase } from '../test/support/postgres-database';
import { writeSampleTenant } from '../test/support/test-setup';
import { startAppProcess, type AppProcess } from './support/app-process';
import { figure, type BenchFigure, type BenchResult } from './support/figures';
import { productionEnv } from './support/production-env';
import { writeRoutingSigningKey } from './support/routing-signing-key';
import { rssMbOf, startRssSampler } from './support/rss-sampler';

const REPO = path.resolve(__dirname, '..');
const RSS_TARGET_MB = 200;
const PARALLEL = 20;
/** ATTACHMENT_MAX_FILE_BYTES's default (10 MiB): the accepted uploads are exactly this large. */
const FILE_BYTES = 10 * 1024 * 1024;
const FIELD = '/fahrzeug/zulassungsbescheinigung';

function build(outDir: string): void {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', outDir], { cwd: REPO, stdio: ['ignore', process.stderr, process.stderr] });
}

/** A PDF-looking file (its first bytes say PDF), different per upload so no two hash alike. */
function pdf(size: number, seed: number): Blob {
  const head = Buffer.from(`%PDF-1.7\n% upload ${seed}\n`, 'latin1');
  return new Blob([head, Buffer.alloc(size - head.length, seed % 251)]);
}

async function uploadAll(port: number, size: number): Promise<{ statuses: Record<string, number>; seconds: number }> {
  const url = `http://127.0.0.1:${port}/api/forms/anwohnerparkausweis/attachments?field=${encodeURIComponent(FIELD)}`;
  const started = performance.now();
  const answers = await Promise.all(Array.from({ length: PARALLEL }, async (_, i) => {
    const body = new FormData();
    body.append('file', pdf(size, i), `zulassung-${i}.pdf`);
    const res = await fetch(url, { method: 'POST', body });
    await res.arrayBuffer();
    return res.status;
  }));
  const statuses: Record<string, number> = {};
  for (const s of answers) statuses[s] = (statuses[s] ?? 0) + 1;
  return { statuses, seconds: (performance.now() - started) / 1000 };
}

interface Row {
  readonly store: string;
  readonly idleMb: number;
  readonly acceptedMaxMb: number;
  readonly acceptedStatuses: Record<string, number>;
  readonly acceptedS: number;
  readonly refusedMaxMb: number;
  readonly refusedStatuses: Record<string, number>;
}

async function run(store: 'sqlite' | 'postgres', root: string, dist: string, keyFile: string, clamd: OwnClamd | undefined): Promise<Row> {
  const dir = path.join(root, store);
  const tenants = path.join(dir, 'tenants');
  mkdirSync(tenants, { recursive: true });
  const secrets = writeSampleTenant(tenants, 'http://127.0.0.1:9');
  let database: TestDatabase | undefined;
  let server: AppProcess | undefined;
  const sampler = startRssSampler(50);
  try {
    database = store === 'postgres' ? await createTestDatabase() : undefined;
    server = await startAppProcess({
      name: `web (${store})`, script: path.join(dist, 'src', 'main.js'), readyEvent: 'server.listening', deadlineMs: 30_000,
      env: productionEnv({
        formsDir: path.join(REPO, 'forms'), tenantsDir: tenants, dataDir: path.join(dir, 'data'), routingSigningKeyFile: keyFile, secrets,
        deliveryWorker: false,
        overrides: {
          ...(clamd ? { CLAMD_URL: clamd.url } : {}),
          ...(database ? { DATABASE_URL: database.url } : {}),
        },
      }),
    });
    const port = server.port ?? 0;
    await new Promise((resolve) => setTimeout(resolve, 500));
    const idleMb = rssMbOf(server.pid) ?? 0;
    sampler.add('accepted', server.pid);
    const accepted = await uploadAll(port, FILE_BYTES);
    sampler.stop();
    const refusedSampler = startRssSampler(50);
    refusedSampler.add('refused', server.pid);
    const refused = await uploadAll(port, FILE_BYTES + 1);
    refusedSampler.stop();
    return {
      store, idleMb, acceptedMaxMb: sampler.maxMb('accepted') ?? 0, acceptedStatuses: accepted.statuses, acceptedS: accepted.seconds,
      refusedMaxMb: refusedSampler.maxMb('refused') ?? 0, refusedStatuses: refused.statuses,
    };
  } finally {
    sampler.stop();
    await server?.stop();
    await database?.drop();
  }
}

export async function benchUploads(): Promise<BenchResult> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'efa-bench-uploads-'));
  const clamd = existsSync(CLAMD) ? await startClamd({ malware: [], streamMaxBytes: 26_214_400 }) : undefined;
  try {
    const dist = path.join(root, 'dist');
    build(dist);
    const keyFile = writeRoutingSigningKey(root);
    const rows = [await run('sqlite', root, dist, keyFile, clamd), await run('postgres', root, dist, keyFile, clamd)];
    const statuses = (s: Record<string, number>) => Object.entries(s).map(([k, n]) => `${n}×${k}`).join(' ');
    console.log(`\nUploads: ${PARALLEL} at once of ${FILE_BYTES / 1048576} MiB each (accepted), then ${PARALLEL} at once one byte over the limit (413); RSS of the web process, sampled every 50 ms${clamd ? ', each file scanned by a real clamd' : ', NOT scanned (no clamd on this machine)'}`);
    console.log('store      idle MB  accepted: max MB  time s  answers       over the limit: max MB  answers');
    for (const r of rows) {
      console.log(`${r.store.padEnd(10)} ${r.idleMb.toFixed(0).padStart(7)}  ${r.acceptedMaxMb.toFixed(0).padStart(16)}  ${r.acceptedS.toFixed(1).padStart(6)}  ${statuses(r.acceptedStatuses).padEnd(12)}  ${r.refusedMaxMb.toFixed(0).padStart(21)}  ${statuses(r.refusedStatuses)}`);
    }
    const figures: BenchFigure[] = rows.flatMap((r) => [
      figure(`uploads.${r.store}.accepted.rssMaxMB`, `largest RSS during ${PARALLEL} concurrent 10 MiB uploads (${r.store})`, r.acceptedMaxMb, 'MB', { op: '<=', value: RSS_TARGET_MB }),
      figure(`uploads.${r.store}.accepted.count`, `uploads answered 201 of ${PARALLEL} (${r.store})`, r.acceptedStatuses['201'] ?? 0, 'uploads', { op: '>=', value: PARALLEL }),
      figure(`uploads.${r.store}.tooLarge.rssMaxMB`, `largest RSS during ${PARALLEL} concurrent uploads over the limit (${r.store})`, r.refusedMaxMb, 'MB', { op: '<=', value: RSS_TARGET_MB }),
      figure(`uploads.${r.store}.tooLarge.count413`, `uploads over the limit answered 413 of ${PARALLEL} (${r.store})`, r.refusedStatuses['413'] ?? 0, 'uploads', { op: '>=', value: PARALLEL }),
    ]);
    return {
      name: 'uploads',
      figures,
      notes: [clamd ? 'every upload scanned by a real clamd (hash signatures only)' : 'no clamd on this machine: uploads were not scanned'],
    };
  } finally {
    await clamd?.stop();
    rmSync(root, { recursive: true, force: true });
  }
}
