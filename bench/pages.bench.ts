/**
 * Citizen pages under load (issue: "cheap pages"): requests/s and p99 latency of a question
 * page GET and of a step POST at 50 connections, each next to an express hello-world built on
 * the same base app and middleware, and their ratios. Target: at least 50 % of hello-world.
 * Everything runs on 127.0.0.1; the load is bounded in time.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import express from 'express';
import { baseApp } from '../src/app';
import { loadConfig } from '../src/config/load-config';
import { createContainer } from '../src/container';
import { writeRoutingSigningKey } from './support/routing-signing-key';
import { createJsonLogger } from '../src/support/logger';

const REPO = path.resolve(__dirname, '..');
const CONNECTIONS = 50;
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 8);

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

function listen(app: express.Express): Promise<{ url: string; close: () => Promise<void> }> {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => {
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () => new Promise((r) => {
          server.closeAllConnections();
          server.close(() => r());
        }),
      });
    });
  });
}

export async function benchPages(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'efa-bench-'));
  const tenants = path.join(dir, 'tenants');
  mkdirSync(tenants);
  cpSync(path.join(REPO, 'tenants'), tenants, { recursive: true });
  const config = loadConfig({ NODE_ENV: 'production', PUBLIC_BASE_URL: 'https://antrag.example.de', ADMIN_TOKEN_HASH: 'f'.repeat(64), ROUTING_SIGNING_KEY_FILE: writeRoutingSigningKey(dir), FORMS_DIR: path.join(REPO, 'forms'), TENANTS_DIR: tenants, DATA_DIR: path.join(dir, 'data'), TEMPLATES_DIR: path.join(REPO, 'templates'),
    // One load generator is one client: the per-client limits would turn most answers into 429s.
    RATE_LIMIT_DRAFTS: '0', RATE_LIMIT_STEPS: '0', RATE_LIMIT_SUBMISSIONS: '0' });
  const container = await createContainer({ config, env: {}, logger: createJsonLogger(() => undefined), product: { name: 'efa-forms', version: 'bench' } });
  const app = await listen(container.app);

  // The hello-world baseline: same base app and headers, the pages' CSP, a form body parser.
  const hello = baseApp();
  hello.use((_req, res, next) => {
    res.set({ 'content-security-policy': "default-src 'self'", 'cache-control': 'no-store' });
    next();
  });
  hello.get('/', (_req, res) => {
    res.type('html').send('<!DOCTYPE html><html lang="de"><title>Hallo</title><p>Hallo Welt</p></html>');
  });
  hello.post('/', express.urlencoded({ extended: false }), (_req, res) => {
    res.redirect(303, '/');
  });
  const baseline = await listen(hello);

  try {
    // One citizen's draft: the question page is the dog owner's details (step 2).
    const start = await fetch(`${app.url}/forms/hundesteuer-anmeldung/start`, { redirect: 'manual' });
    const cookie = (start.headers.get('set-cookie') ?? '').split(';')[0]!;
    const stepUrl = `${app.url}/forms/hundesteuer-anmeldung/steps/halter`;
    const page = await (await fetch(stepUrl, { headers: { cookie } })).text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
    const example = JSON.parse(readFileSync(path.join(REPO, 'forms/hundesteuer-anmeldung/examples/valid-1.json'), 'utf8')) as { halter: Record<string, unknown> };
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
    const helloGet = await load(`${baseline.url}/`, { expect: 200 });
    const pageGet = await load(stepUrl, { headers: { cookie }, expect: 200 });
    const helloPost = await load(`${baseline.url}/`, { method: 'POST', headers: formHeaders, body, expect: 303 });
    const stepPost = await load(stepUrl, { method: 'POST', headers: formHeaders, body, expect: 303 });

    const row = (name: string, r: Result) => `${name.padEnd(34)} ${r.rps.toFixed(0).padStart(8)} req/s   p99 ${String(r.p99).padStart(4)} ms`;
    console.log(`\nCitizen pages, ${CONNECTIONS} connections, ${DURATION_S} s each (127.0.0.1)`);
    console.log(row('hello-world GET', helloGet));
    console.log(row('question page GET (step 2)', pageGet));
    console.log(row('hello-world POST (form body, 303)', helloPost));
    console.log(row('step POST (validate, save, 303)', stepPost));
    console.log(`ratio question page GET / hello-world: ${((pageGet.rps / helloGet.rps) * 100).toFixed(1)} % (target ≥ 50 %)`);
    console.log(`ratio step POST / hello-world POST:    ${((stepPost.rps / helloPost.rps) * 100).toFixed(1)} % (target ≥ 50 %)`);
  } finally {
    await app.close();
    await baseline.close();
    await container.close(1000);
    rmSync(dir, { recursive: true, force: true });
  }
}
