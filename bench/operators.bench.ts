/**
 * A whole state, and all of Germany, on one installation (issue "Operators onboard a whole
 * state"): start-up time of the container, heap after start, route lookup and region search,
 * each measured in fresh processes (bench/operators-startup.child.ts, median of 3 runs):
 * - the samples (two small tenants);
 * - the samples with Thüringen's official directory imported (633 municipalities), the import
 *   itself timed too; target: start-up within 0.5 s of the samples;
 * - a generated all-Germany set (16 tenants, 10,800 municipalities, one authority per district);
 *   targets: start-up ≤ 3 s, heap ≤ 100 MB more than the samples, route lookup ≤ 20 µs median,
 *   region search ≤ 1 ms median.
 * The official directory is read from ../shared/data (EFA_SHARED_DATA), never copied.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { planMunicipalityImport } from '../src/directory/plan-import';
import type { Tenant } from '../src/routing/tenant';
import { writeAllGermany } from './support/all-germany';
import { figure, type BenchFigure, type BenchResult } from './support/figures';
import { writeRoutingSigningKey } from './support/routing-signing-key';

const REPO = path.resolve(__dirname, '..');
const SHARED = process.env.EFA_SHARED_DATA ?? path.join(REPO, '..', 'shared', 'data');
const RUNS = 3;
const THUERINGEN_MORE_MS = 500;
const GERMANY_START_MS = 3000;
const GERMANY_HEAP_MORE_MB = 100;
const ROUTE_US = 20;
const SEARCH_US = 1000;

interface Measure { readonly startMs: number; readonly heapMb: number; readonly routeUs: number; readonly searchMs: number; readonly municipalities: number; readonly emptySearches: number }

function measure(tenantsDir: string, ars: readonly string[], queries: readonly string[], keyFile: string): Measure {
  const runs: Measure[] = [];
  for (let i = 0; i < RUNS; i++) {
    const data = mkdtempSync(path.join(os.tmpdir(), 'efa-bench-data-'));
    const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', path.join(__dirname, 'operators-startup.child.ts'),
      tenantsDir, data, path.join(REPO, 'forms'), path.join(REPO, 'templates'), ars.join(','), queries.join('|')], { cwd: REPO, encoding: 'utf8', env: { ...process.env, NODE_ENV: 'development', ROUTING_SIGNING_KEY_FILE: keyFile } });
    rmSync(data, { recursive: true, force: true });
    runs.push(JSON.parse(out.trim().split('\n').at(-1)!) as Measure);
  }
  const median = (pick: (m: Measure) => number) => [...runs.map(pick)].sort((a, b) => a - b)[Math.floor(RUNS / 2)]!;
  return { startMs: median((m) => m.startMs), heapMb: median((m) => m.heapMb), routeUs: median((m) => m.routeUs), searchMs: median((m) => m.searchMs), municipalities: runs[0]!.municipalities, emptySearches: runs[0]!.emptySearches };
}

const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');

export function benchOperators(): Promise<BenchResult> {
  return Promise.resolve().then(run);
}

function run(): BenchResult {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'efa-bench-operators-'));
  try {
    // One signing key for every run: a generated one would put seconds of RSA key generation into start-up.
    const keyFile = writeRoutingSigningKey(dir);
    const sampleTenants = path.join(REPO, 'tenants');
    const sample = measure(sampleTenants, ['160510000000', '150030000000', '160530000000'], ['Erfurt', 'Magdeburg', '99084', 'Jena'], keyFile);

    console.log('\nOperators: a whole state and all of Germany on one installation (fresh processes, median of 3)');
    console.log(`samples (${sample.municipalities} municipalities): start-up ${sample.startMs.toFixed(0)} ms, heap after start ${sample.heapMb.toFixed(1)} MB`);
    const figures: BenchFigure[] = [
      figure('operators.samples.startMs', 'start-up with the samples', sample.startMs, 'ms'),
      figure('operators.samples.heapMB', 'heap after start with the samples', sample.heapMb, 'MB'),
    ];
    const notes = [`fresh processes, median of ${RUNS}; samples: ${sample.municipalities} municipalities`];

    const directory = path.join(SHARED, 'gv100ad-thueringen-20201231.txt');
    if (existsSync(directory)) {
      const tenants = path.join(dir, 'thueringen-full');
      cpSync(sampleTenants, tenants, { recursive: true });
      const file = path.join(tenants, 'thueringen.json');
      const started = performance.now();
      const plan = planMunicipalityImport({
        tenant: JSON.parse(readFileSync(file, 'utf8')) as Tenant,
        directory: { file: directory, bytes: readFileSync(directory) },
        postalCodes: { file: path.join(SHARED, 'plz-thueringen.csv'), bytes: readFileSync(path.join(SHARED, 'plz-thueringen.csv')) },
      });
      const importMs = performance.now() - started;
      writeFileSync(file, plan.text);
      const full = measure(tenants, ['160510000000', '160635006006', '160770009009'], ['Erfurt', 'Weissbach', 'Goessnitz', '99826', '07'], keyFile);
      const more = full.startMs - sample.startMs;
      console.log(`Thüringen imported (${plan.tenant.municipalities.length} municipalities, import ${importMs.toFixed(0)} ms): start-up ${full.startMs.toFixed(0)} ms, ${more.toFixed(0)} ms more than the samples (target ≤ ${THUERINGEN_MORE_MS} ms): ${verdict(more <= THUERINGEN_MORE_MS)}`);
      figures.push(
        figure('operators.thueringen.importMs', "import of Thüringen's official directory", importMs, 'ms'),
        figure('operators.thueringen.startMs', 'start-up with Thüringen imported', full.startMs, 'ms'),
        figure('operators.thueringen.startMoreMs', 'start-up with Thüringen, more than the samples', more, 'ms', { op: '<=', value: THUERINGEN_MORE_MS }),
      );
      notes.push(`Thüringen imported: ${plan.tenant.municipalities.length} municipalities`);
    } else {
      console.log(`Thüringen imported: not measured, the shared directory is missing (${directory})`);
      figures.push(
        figure('operators.thueringen.importMs', "import of Thüringen's official directory", null, 'ms'),
        figure('operators.thueringen.startMs', 'start-up with Thüringen imported', null, 'ms'),
        figure('operators.thueringen.startMoreMs', 'start-up with Thüringen, more than the samples', null, 'ms', { op: '<=', value: THUERINGEN_MORE_MS }),
      );
      notes.push(`Thüringen not measured: the shared directory is missing (${directory}; EFA_SHARED_DATA)`);
    }

    const germany = path.join(dir, 'all-germany');
    const set = writeAllGermany(germany, ['anwohnerparkausweis', 'hundesteuer-anmeldung', 'gewerbeanmeldung']);
    const all = measure(germany, set.sampleArs, set.sampleQueries, keyFile);
    const heapMore = all.heapMb - sample.heapMb;
    console.log(`all Germany generated (16 tenants, ${set.districts} districts, ${all.municipalities} municipalities, one authority per district):`);
    const searchUs = all.searchMs * 1000;
    console.log(`  start-up ${all.startMs.toFixed(0)} ms (target ≤ 3,000 ms): ${verdict(all.startMs <= GERMANY_START_MS)}`);
    console.log(`  heap after start ${all.heapMb.toFixed(1)} MB, ${heapMore.toFixed(1)} MB more than the samples (target ≤ ${GERMANY_HEAP_MORE_MB} MB): ${verdict(heapMore <= GERMANY_HEAP_MORE_MB)}`);
    console.log(`  route lookup median ${all.routeUs.toFixed(2)} µs (target ≤ ${ROUTE_US} µs): ${verdict(all.routeUs <= ROUTE_US)}`);
    console.log(`  region search median ${searchUs.toFixed(0)} µs (target ≤ 1,000 µs): ${verdict(searchUs <= SEARCH_US)}${all.emptySearches > 0 ? ` (${all.emptySearches} queries found nothing)` : ''}`);
    figures.push(
      figure('operators.germany.startMs', 'start-up with all of Germany', all.startMs, 'ms', { op: '<=', value: GERMANY_START_MS }),
      figure('operators.germany.heapMB', 'heap after start with all of Germany', all.heapMb, 'MB'),
      figure('operators.germany.heapMoreMB', 'heap with all of Germany, more than the samples', heapMore, 'MB', { op: '<=', value: GERMANY_HEAP_MORE_MB }),
      figure('operators.germany.routeUs', 'route lookup, median', all.routeUs, 'µs', { op: '<=', value: ROUTE_US }),
      figure('operators.germany.searchUs', 'region search, median', searchUs, 'µs', { op: '<=', value: SEARCH_US }),
    );
    notes.push(`all Germany generated: 16 tenants, ${set.districts} districts, ${all.municipalities} municipalities, one authority per district${all.emptySearches > 0 ? `; ${all.emptySearches} search queries found nothing` : ''}`);
    return { name: 'operators', figures, notes };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  benchOperators().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
