/**
 * One start-up measurement in a fresh process (bench/operators.bench.ts runs it): builds the
 * container on the given tenants folder, then reports the time it took, the heap after a full
 * garbage collection, and the median time of a route lookup and of a region search.
 * Run with --expose-gc. Prints one JSON line.
 */
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../src/config/load-config';
import { createContainer } from '../src/container';
import { createMunicipalitySearch } from '../src/routing/municipality-search';
import { createJsonLogger } from '../src/support/logger';

const [tenantsDir, dataDir, formsDir, templatesDir, arsList, queryList] = process.argv.slice(2) as [string, string, string, string, string, string];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const config = loadConfig({ ...process.env, FORMS_DIR: formsDir, TENANTS_DIR: tenantsDir, DATA_DIR: dataDir, TEMPLATES_DIR: templatesDir, DELIVERY_WORKER: 'off' });
  const started = performance.now();
  const container = await createContainer({ config, env: {}, logger: createJsonLogger(() => undefined), product: { name: 'efa-forms', version: 'bench' } });
  const startMs = performance.now() - started;
  gc();
  const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;

  const formId = container.forms.ids()[0]!;
  const arsKeys = arsList.split(',').filter(Boolean);
  const queries = queryList.split('|').filter(Boolean);
  // Route lookups: batches of 1,000, the median batch divided by 1,000 (µs per lookup).
  const batches: number[] = [];
  for (let b = 0; b < 200; b++) {
    const t = performance.now();
    for (let i = 0; i < 1000; i++) container.routing.resolve(formId, arsKeys[(b * 1000 + i) % arsKeys.length]!);
    batches.push(((performance.now() - t) * 1000) / 1000);
  }
  const search = createMunicipalitySearch(container.routing.tenants());
  const searches: number[] = [];
  for (let round = 0; round < 20; round++) {
    for (const q of queries) {
      const t = performance.now();
      search.search(q);
      searches.push(performance.now() - t);
    }
  }
  const found = queries.map((q) => search.search(q).length);
  await container.close(1000);
  process.stdout.write(`${JSON.stringify({ startMs, heapMb, routeUs: median(batches), searchMs: median(searches), municipalities: search.size, emptySearches: found.filter((n) => n === 0).length })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
