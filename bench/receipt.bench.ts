/**
 * The PDF receipt (issue 4): median time to render a two-page receipt with the embedded font,
 * from a stored submission, after a warm-up. Target: under 5 ms. Only the rendering is timed;
 * loading the submission and building the model are not. Each render has its own applicant
 * (names, address, dogs), as on a server, so the shaping cache only knows the form's own words.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../src/config/load-config';
import type { Language } from '../src/errors';
import { createContainer } from '../src/container';
import { loadPageRenderer } from '../src/render/templates';
import { buildFormModel } from '../src/render/form-model';
import { buildReceiptModel } from '../src/receipts/receipt-model';
import { loadReceiptFonts } from '../src/receipts/receipt-fonts';
import { renderReceipt } from '../src/receipts/render-receipt';
import { createMunicipalitySearch } from '../src/routing/municipality-search';
import { createJsonLogger } from '../src/support/logger';

const REPO = path.resolve(__dirname, '..');
const WARM_UP = 30;
const RUNS = Number(process.env.BENCH_RECEIPT_RUNS ?? 300);
const TARGET_MS = 5;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 0 ? (sorted[mid - 1]! + sorted[mid]!) / 2 : sorted[mid]!;
}

function pageCount(pdf: Buffer): number {
  return (pdf.toString('latin1').match(/\/Type \/Page\b/g) ?? []).length;
}

export async function benchReceipt(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'efa-bench-receipt-'));
  const tenants = path.join(dir, 'tenants');
  mkdirSync(tenants);
  cpSync(path.join(REPO, 'tenants'), tenants, { recursive: true });
  const templatesDir = path.join(REPO, 'templates');
  const config = loadConfig({ NODE_ENV: 'production', PUBLIC_BASE_URL: 'https://antrag.example.de', ADMIN_TOKEN_HASH: 'f'.repeat(64), FORMS_DIR: path.join(REPO, 'forms'), TENANTS_DIR: tenants, DATA_DIR: path.join(dir, 'data'), TEMPLATES_DIR: templatesDir });
  const container = await createContainer({ config, env: {}, logger: createJsonLogger(() => undefined), product: { name: 'efa-forms', version: 'bench' } });
  try {
    // The dog tax sample with four dogs fills two pages.
    const data = JSON.parse(readFileSync(path.join(REPO, 'forms/hundesteuer-anmeldung/examples/valid-1.json'), 'utf8')) as { hunde: unknown[] };
    data.hunde = [...data.hunde, ...data.hunde];
    const accepted = await container.submissions.accept('hundesteuer-anmeldung', { data }, 'de');
    const submission = await container.store.submissions.find(accepted.id);
    const xml = (await container.store.deliveries.jobsOf(accepted.id)).find((job) => job.channel === 'http')?.body;
    const found = submission ? container.routing.authority(submission.authorityId) : undefined;
    const form = container.forms.get('hundesteuer-anmeldung');
    if (!submission || xml === undefined || !found || !form) throw new Error('the submission to render was not stored');
    const pages = await loadPageRenderer(templatesDir);
    const source = {
      submission, xml, model: buildFormModel(form), tenant: found.tenant, authority: found.authority,
      strings: (language: Language) => pages.strings(language), municipalities: createMunicipalitySearch(container.routing.tenants()),
    };
    const model = buildReceiptModel(source);

    const applicant = (n: number) => {
      const variant = structuredClone(data) as { halter: Record<string, unknown> & { anschrift: Record<string, unknown> }; hunde: Array<Record<string, unknown>> };
      Object.assign(variant.halter, { vorname: `Vorname${n}`, nachname: `Familienname${n}`, email: `person${n}@example.org` });
      variant.halter.anschrift.strasse = `Straße${n}`;
      variant.hunde.forEach((dog, i) => Object.assign(dog, { name: `Hund${n}x${i}`, rasse: `Rasse${n}x${i}` }));
      return buildReceiptModel({ ...source, submission: { ...submission, dataJson: JSON.stringify(variant) } });
    };
    const models = Array.from({ length: WARM_UP + RUNS }, (_, n) => applicant(n));

    const fonts = loadReceiptFonts();
    let pdf = await renderReceipt(model, fonts, xml);
    if (pageCount(pdf) !== 2) throw new Error(`the receipt has ${pageCount(pdf)} pages, not 2: the benchmark would measure another document`);
    for (let i = 0; i < WARM_UP; i++) await renderReceipt(models[i]!, fonts, xml);
    const times: number[] = [];
    for (let i = WARM_UP; i < WARM_UP + RUNS; i++) {
      const start = performance.now();
      pdf = await renderReceipt(models[i]!, fonts, xml);
      times.push(performance.now() - start);
    }
    if (pageCount(pdf) !== 2) throw new Error(`the last receipt has ${pageCount(pdf)} pages, not 2`);
    const result = median(times);
    console.log(`\nPDF receipt (2 pages, DejaVu Sans embedded, PDF/A-3b, ${(pdf.length / 1024).toFixed(0)} KiB), ${RUNS} renders after ${WARM_UP} warm-up`);
    console.log(`median ${result.toFixed(2)} ms, p90 ${[...times].sort((a, b) => a - b)[Math.floor(RUNS * 0.9)]!.toFixed(2)} ms (target under ${TARGET_MS} ms): ${result < TARGET_MS ? 'met' : 'NOT met'}`);
  } finally {
    await container.close(1000);
    rmSync(dir, { recursive: true, force: true });
  }
}
