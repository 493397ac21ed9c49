/**
 * Bounded work per request (issue 9): the longest the server's event loop is held while hostile
 * requests within BODY_LIMIT arrive, and the largest answer. Target: no request holds the event
 * loop longer than 100 ms; no problem answer larger than 64 KB. The requests are sent from a
 * worker thread, so the delay measured on this thread is the server's own. 127.0.0.1 only;
 * every scenario is a fixed number of requests.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { loadConfig } from '../src/config/load-config';
import { createContainer } from '../src/container';
import { MAX_PROBLEM_BYTES } from '../src/http/problem';
import { createJsonLogger } from '../src/support/logger';
import { figure, type BenchResult } from './support/figures';

const REPO = path.resolve(__dirname, '..');
const HOLD_TARGET_MS = 100;

interface Scenario {
  readonly name: string;
  readonly body: string;
  readonly parallel: number;
}

function scenarios(): Scenario[] {
  const valid = JSON.parse(readFileSync(path.join(REPO, 'forms/hundesteuer-anmeldung/examples/valid-1.json'), 'utf8')) as Record<string, unknown>;
  const withData = (change: (d: Record<string, unknown>) => void): string => {
    const data = structuredClone(valid);
    change(data);
    return JSON.stringify({ data });
  };
  return [
    { name: '330,000 empty list items (990 KB)', parallel: 8, body: withData((d) => { d.hunde = Array.from({ length: 330_000 }, () => ({})); }) },
    { name: '2,400 list items (more than maxItems)', parallel: 8, body: withData((d) => { d.hunde = Array.from({ length: 2_400 }, () => ({})); }) },
    { name: '4,900 wrong extra answers (100 errors shown)', parallel: 8, body: withData((d) => { for (let i = 0; i < 4_900; i++) d[`feld${i}`] = i; }) },
    { name: '60,000 unknown keys', parallel: 8, body: withData((d) => { for (let i = 0; i < 60_000; i++) d[`x${i}`] = 0; }) },
    { name: 'texts of 300 KB in three fields', parallel: 8, body: withData((d) => { const h = d.halter as Record<string, unknown>; h.vorname = h.nachname = h.telefon = 'x'.repeat(300_000); }) },
    { name: '64,000 combining marks in one text', parallel: 8, body: withData((d) => { (d.halter as Record<string, unknown>).vorname = `a${'\u0301'.repeat(32_000)}${'\u0323'.repeat(32_000)}`; }) },
    { name: 'nesting 5,000 deep', parallel: 8, body: `{"data":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}` },
    { name: 'a valid submission', parallel: 8, body: JSON.stringify({ data: valid }) },
  ];
}

/**
 * Sends the scenario's requests from a worker thread, all at once or one after the other;
 * resolves with the statuses and the largest answer.
 */
function send(url: string, scenario: Scenario, atOnce: boolean): Promise<{ statuses: Record<string, number>; maxBytes: number }> {
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const one = async () => {
      const res = await fetch(workerData.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: workerData.body });
      return { status: res.status, bytes: (await res.arrayBuffer()).byteLength };
    };
    (async () => {
      const answers = [];
      if (workerData.atOnce) answers.push(...await Promise.all(Array.from({ length: workerData.parallel }, one)));
      else for (let i = 0; i < workerData.parallel; i++) answers.push(await one());
      const statuses = {};
      for (const a of answers) statuses[a.status] = (statuses[a.status] || 0) + 1;
      parentPort.postMessage({ statuses, maxBytes: Math.max(...answers.map((a) => a.bytes)) });
    })();`;
  return new Promise((resolve, reject) => {
    const worker = new Worker(code, { eval: true, workerData: { url, body: scenario.body, parallel: scenario.parallel, atOnce } });
    worker.once('message', (m: { statuses: Record<string, number>; maxBytes: number }) => {
      resolve(m);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

export async function benchHostile(): Promise<BenchResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'efa-bench-'));
  const tenants = path.join(dir, 'tenants');
  mkdirSync(tenants);
  cpSync(path.join(REPO, 'tenants'), tenants, { recursive: true });
  const config = loadConfig({
    NODE_ENV: 'test', FORMS_DIR: path.join(REPO, 'forms'), TENANTS_DIR: tenants, DATA_DIR: path.join(dir, 'data'), TEMPLATES_DIR: path.join(REPO, 'templates'),
    RATE_LIMIT_DRAFTS: '0', RATE_LIMIT_STEPS: '0', RATE_LIMIT_SUBMISSIONS: '0',
  });
  const container = await createContainer({ config, env: {}, logger: createJsonLogger(() => undefined), product: { name: 'efa-forms', version: 'bench' } });
  const server = container.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/forms/hundesteuer-anmeldung/submissions`;
  try {
    console.log('\nHostile requests within BODY_LIMIT: longest event-loop delay of the server, with the requests one after the other');
    console.log('(what one request holds; target ≤ 100 ms) and 8 at once (Node runs the bodies that arrived together back to back);');
    console.log('largest answer (problem documents ≤ 64 KB)');
    const measure = async (scenario: Scenario, atOnce: boolean) => {
      const loop = monitorEventLoopDelay({ resolution: 1 });
      loop.enable();
      const result = await send(url, scenario, atOnce);
      loop.disable();
      return { ...result, maxMs: loop.max / 1e6 };
    };
    let worst = 0;
    let worstName = '';
    let worstTogether = 0;
    let largest = 0;
    const all = scenarios();
    for (const scenario of all) {
      await send(url, scenario, false); // warm-up round, not measured
      const single = await measure(scenario, false);
      const together = await measure(scenario, true);
      if (single.maxMs > worst) {
        worst = single.maxMs;
        worstName = scenario.name;
      }
      worstTogether = Math.max(worstTogether, together.maxMs);
      largest = Math.max(largest, single.maxBytes, together.maxBytes);
      const statuses = Object.entries(single.statuses).map(([s, n]) => `${n}×${s}`).join(' ');
      console.log(`${scenario.name.padEnd(46)} one by one ${single.maxMs.toFixed(1).padStart(6)} ms  ${scenario.parallel} at once ${together.maxMs.toFixed(1).padStart(6)} ms  answer max ${String(Math.max(single.maxBytes, together.maxBytes)).padStart(6)} B  ${statuses}`);
    }
    console.log(`worst event-loop delay of one request: ${worst.toFixed(1)} ms (target ≤ ${HOLD_TARGET_MS} ms)`);
    return {
      name: 'hostile',
      figures: [
        figure('hostile.oneRequest.maxDelayMs', 'longest event-loop hold, hostile requests one by one', worst, 'ms', { op: '<=', value: HOLD_TARGET_MS }),
        figure('hostile.eightAtOnce.maxDelayMs', 'longest event-loop hold, 8 hostile requests at once', worstTogether, 'ms'),
        figure('hostile.answer.maxBytes', 'largest answer to a hostile request', largest, 'bytes', { op: '<=', value: MAX_PROBLEM_BYTES }),
      ],
      notes: [`${all.length} scenarios within BODY_LIMIT, 8 requests each, one by one and 8 at once; the longest hold one by one: ${worstName}`],
    };
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await container.close(1000);
    rmSync(dir, { recursive: true, force: true });
  }
}
