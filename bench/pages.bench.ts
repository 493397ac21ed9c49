/**
 * Citizen pages under load (issues "cheap pages" and 14): requests/s and p99 latency of a
 * question page GET and of a step POST at 50 connections, each next to the express hello-world
 * (support/hello-world.ts, built on the same base app), and their ratios. Targets (issue 14):
 * question page GET ≥ 0.5 × hello-world GET, step POST ≥ 0.35 × hello-world POST, p99 of each
 * ≤ 50 ms. Also the hello-world JSON POST (the dog-tax submission body, answered 201), the
 * baseline of the submission figures. Everything runs on 127.0.0.1; the load is bounded in time.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { loadConfig } from '../src/config/load-config';
import { createContainer } from '../src/container';
import { figure, type BenchResult } from './support/figures';
import { HELLO_WORLD_PATHS, helloWorldApp } from './support/hello-world-app';
import { listenLocal } from './support/local-server';
import { writeRoutingSigningKey } from './support/routing-signing-key';
import { createJsonLogger } from '../src/support/logger';

const REPO = path.resolve(__dirname, '..');
const CONNECTIONS = 50;
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5);

interface Result { readonly rps: number; readonly p99: number }

async function load(url: string, options: { method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: string; expect: number }): Promise<Result> {
  // The load generator runs in its own thread, so it does not take the server's CPU time.
  const result = await autocannon({ url, workers: 1, connections: CONNECTIONS, duration: DURATION_S, method: options.method ?? 'GET', headers: options.headers ?? {}, ...(options.body ? { body: options.body } : {}) });
  const wrong = result.non2xx - (options.expect >= 300 ? result.requests.total : 0);
  if (result.errors > 0 || (options.expect < 300 && result.non2xx > 0)) {
    throw new Error(`${url}: ${result.errors} errors, ${result.non2xx} non-2xx responses (${wrong})`);
  }
  return { rps: result.requests.average, p99: result.latency.p99 };
}

const P99_TARGET_MS = 50;
const PAGE_RATIO_TARGET = 0.5;
const STEP_RATIO_TARGET = 0.35;

export async function benchPages(): Promise<BenchResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'efa-bench-'));
  const tenants = path.join(dir, 'tenants');
  mkdirSync(tenants);
  cpSync(path.join(REPO, 'tenants'), tenants, { recursive: true });
  const config = loadConfig({ NODE_ENV: 'production', PUBLIC_BASE_URL: 'https://antrag.example.de', ADMIN_TOKEN_HASH: 'f'.repeat(64), ROUTING_SIGNING_KEY_FILE: writeRoutingSigningKey(dir), FORMS_DIR: path.join(REPO, 'forms'), TENANTS_DIR: tenants, DATA_DIR: path.join(dir, 'data'), TEMPLATES_DIR: path.join(REPO, 'templates'),
    // One load generator is one client: the per-client limits would turn most answers into 429s.
    RATE_LIMIT_DRAFTS: '0', RATE_LIMIT_STEPS: '0', RATE_LIMIT_SUBMISSIONS: '0',
    // Production refuses to start with e-mail authorities (Sachsen-Anhalt's samples) and no SMTP
    // server; nothing is submitted here, so nothing is ever sent to this closed port.
    SMTP_URL: 'smtp://127.0.0.1:9' });
  const container = await createContainer({ config, env: {}, logger: createJsonLogger(() => undefined), product: { name: 'efa-forms', version: 'bench' } });
  const app = await listenLocal(container.app);
  const baseline = await listenLocal(helloWorldApp());

  try {
    // One citizen's draft: the question page is the dog owner's details (step 2).
    const start = await fetch(`${app.url}/forms/hundesteuer-anmeldung/start`, { redirect: 'manual' });
    const cookie = (start.headers.get('set-cookie') ?? '').split(';')[0]!;
    const stepUrl = `${app.url}/forms/hundesteuer-anmeldung/steps/halter`;
    const page = await (await fetch(stepUrl, { headers: { cookie } })).text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
    const example = JSON.parse(readFileSync(path.join(REPO, 'forms/hundesteuer-anmeldung/examples/valid-1.json'), 'utf8')) as { halter: Record<string, unknown> };
    // The body a dog-tax submission sends to the JSON API: what the hello-world JSON POST parses.
    const submissionBody = JSON.stringify({ data: example });
    const fields: Array<[string, string]> = [['_csrf', csrf]];
    const flatten = (value: unknown, pointer: string): void => {
      if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) flatten(v, `${pointer}/${k}`);
      else if (/geburtsdatum$/.test(pointer) && typeof value === 'string') {
        const [y, m, d] = value.split('-');
        fields.push([`${pointer}|day`, d!], [`${pointer}|month`, m!], [`${pointer}|year`, y!]);
      } else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') fields.push([pointer, String(value)]);
    };
    flatten(example.halter, '/halter');
    fields.push(['_action', 'continue']);
    const body = fields.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
    const check = await fetch(stepUrl, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body, redirect: 'manual' });
    if (check.status !== 303) throw new Error(`the step POST answered ${check.status}, not 303: the benchmark would measure an error page`);

    const formHeaders = { cookie, 'content-type': 'application/x-www-form-urlencoded' };
    const helloGet = await load(`${baseline.url}${HELLO_WORLD_PATHS.page}`, { expect: 200 });
    const pageGet = await load(stepUrl, { headers: { cookie }, expect: 200 });
    const helloPost = await load(`${baseline.url}${HELLO_WORLD_PATHS.form}`, { method: 'POST', headers: formHeaders, body, expect: 303 });
    const stepPost = await load(stepUrl, { method: 'POST', headers: formHeaders, body, expect: 303 });
    const helloJsonPost = await load(`${baseline.url}${HELLO_WORLD_PATHS.json}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: submissionBody, expect: 201 });

    const row = (name: string, r: Result) => `${name.padEnd(34)} ${r.rps.toFixed(0).padStart(8)} req/s   p99 ${String(r.p99).padStart(4)} ms`;
    const pageRatio = pageGet.rps / helloGet.rps;
    const stepRatio = stepPost.rps / helloPost.rps;
    console.log(`\nCitizen pages, ${CONNECTIONS} connections, ${DURATION_S} s each (127.0.0.1)`);
    console.log(row('hello-world GET', helloGet));
    console.log(row('question page GET (step 2)', pageGet));
    console.log(row('hello-world POST (form body, 303)', helloPost));
    console.log(row('step POST (validate, save, 303)', stepPost));
    console.log(row('hello-world JSON POST (201)', helloJsonPost));
    console.log(`ratio question page GET / hello-world: ${(pageRatio * 100).toFixed(1)} % (target ≥ ${Math.round(PAGE_RATIO_TARGET * 100)} %)`);
    console.log(`ratio step POST / hello-world POST:    ${(stepRatio * 100).toFixed(1)} % (target ≥ ${Math.round(STEP_RATIO_TARGET * 100)} %)`);

    const p99Target = { op: '<=', value: P99_TARGET_MS } as const;
    return {
      name: 'pages',
      figures: [
        figure('pages.helloGet.rps', 'hello-world GET', helloGet.rps, 'req/s'),
        figure('pages.helloGet.p99Ms', 'hello-world GET p99', helloGet.p99, 'ms'),
        figure('pages.questionGet.rps', 'question page GET (step 2)', pageGet.rps, 'req/s'),
        figure('pages.questionGet.p99Ms', 'question page GET p99', pageGet.p99, 'ms', p99Target),
        figure('pages.questionGet.ratio', 'question page GET / hello-world GET', pageRatio, 'ratio', { op: '>=', value: PAGE_RATIO_TARGET }),
        figure('pages.helloPost.rps', 'hello-world POST (form body, 303)', helloPost.rps, 'req/s'),
        figure('pages.helloPost.p99Ms', 'hello-world POST p99', helloPost.p99, 'ms'),
        figure('pages.stepPost.rps', 'step POST (validate, save, 303)', stepPost.rps, 'req/s'),
        figure('pages.stepPost.p99Ms', 'step POST p99', stepPost.p99, 'ms', p99Target),
        figure('pages.stepPost.ratio', 'step POST / hello-world POST', stepRatio, 'ratio', { op: '>=', value: STEP_RATIO_TARGET }),
        figure('pages.helloJsonPost.rps', 'hello-world JSON POST (submission body, 201)', helloJsonPost.rps, 'req/s'),
        figure('pages.helloJsonPost.p99Ms', 'hello-world JSON POST p99', helloJsonPost.p99, 'ms'),
      ],
      notes: [`${CONNECTIONS} connections, ${DURATION_S} s per load (BENCH_DURATION_S), one load after the other on 127.0.0.1`],
    };
  } finally {
    await app.close();
    await baseline.close();
    await container.close(1000);
    rmSync(dir, { recursive: true, force: true });
  }
}
