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
import { writeRoutingSigningKey } from './support/routing-signing-key';

const REPO = path.resolve(__dirname, '..');
const SHARED = process.env.EFA_SHARED_DATA ?? path.join(REPO, '..', 'shared', 'data');
const RUNS = 3;

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

export function benchOperators(): Promise<void> {
  return Promise.resolve().then(run);
}

function run(): void {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'efa-bench-operators-'));
  try {
    // One signing key for every run: a generated one would put seconds of RSA key generation into start-up.
    const keyFile = writeRoutingSigningKey(dir);
    const sampleTenants = path.join(REPO, 'tenants');
    const sample = measure(sampleTenants, ['160510000000', '150030000000', '160530000000'], ['Erfurt', 'Magdeburg', '99084', 'Jena'], keyFile);

    console.log('\nOperators: a whole state and all of Germany on one installation (fresh processes, median of 3)');
    console.log(`samples (${sample.municipalities} municipalities): start-up ${sample.startMs.toFixed(0)} ms, heap after start ${sample.heapMb.toFixed(1)} MB`);

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
      console.log(`Thüringen imported (${plan.tenant.municipalities.length} municipalities, import ${importMs.toFixed(0)} ms): start-up ${full.startMs.toFixed(0)} ms, ${(full.startMs - sample.startMs).toFixed(0)} ms more than the samples (target ≤ 500 ms): ${verdict(full.startMs - sample.startMs <= 500)}`);
    } else {
      console.log(`Thüringen imported: not measured, the shared directory is missing (${directory})`);
    }

    const germany = path.join(dir, 'all-germany');
    const set = writeAllGermany(germany, ['anwohnerparkausweis', 'hundesteuer-anmeldung', 'gewerbeanmeldung']);
    const all = measure(germany, set.sampleArs, set.sampleQueries, keyFile);
    const heapMore = all.heapMb - sample.heapMb;
    console.log(`all Germany generated (16 tenants, ${set.districts} districts, ${all.municipalities} municipalities, one authority per district):`);
    console.log(`  start-up ${all.startMs.toFixed(0)} ms (target ≤ 3,000 ms): ${verdict(all.startMs <= 3000)}`);
    console.log(`  heap after start ${all.heapMb.toFixed(1)} MB, ${heapMore.toFixed(1)} MB more than the samples (target ≤ 100 MB): ${verdict(heapMore <= 100)}`);
    console.log(`  route lookup median ${all.routeUs.toFixed(2)} µs (target ≤ 20 µs): ${verdict(all.routeUs <= 20)}`);
    console.log(`  region search median ${(all.searchMs * 1000).toFixed(0)} µs (target ≤ 1,000 µs): ${verdict(all.searchMs <= 1)}${all.emptySearches > 0 ? ` (${all.emptySearches} queries found nothing)` : ''}`);
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
