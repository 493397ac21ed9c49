import { cpSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import type { Container } from '../../src/container';
import { buildContainer, REPO, SAMPLE_FORMS, writeSampleTenant } from './test-setup';
import { csrfOf, encodeForm } from './page-form';

/**
 * Forms with file questions used only by the page upload tests: kept apart from
 * test/fixtures/forms/, whose every form other tests submit through the API with its examples
 * (a required file question has no example that could be submitted without an upload first).
 */
export const ATTACHMENT_FORMS = path.join(REPO, 'test', 'fixtures', 'attachment-forms');
/** The fixture's form: a name and a required file question taking up to 2 PDFs of at most 100 KiB. */
export const FILE_FORM = 'nachweis-test';
export const FILE_POINTER = '/nachweis';
export const FILE_STEP_URL = `/forms/${FILE_FORM}/steps/angaben`;
/** A municipality the sample tenant's first authority serves (Erfurt). */
export const ERFURT = '160510000000';

/** The samples and the fixture form with the file question, in `dir`, deliveries pointing nowhere. */
export async function fileFormContainer(dir: string, env: Record<string, string> = {}): Promise<Container> {
  const forms = path.join(dir, 'forms');
  const tenants = path.join(dir, 'tenants');
  cpSync(SAMPLE_FORMS, forms, { recursive: true });
  cpSync(ATTACHMENT_FORMS, forms, { recursive: true });
  mkdirSync(tenants, { recursive: true });
  const secrets = writeSampleTenant(tenants, 'http://127.0.0.1:9', [FILE_FORM]);
  return buildContainer({ ...secrets, FORMS_DIR: forms, TENANTS_DIR: tenants, DATA_DIR: path.join(dir, 'data'), ...env });
}

/** The files in DATA_DIR/attachments (SQLite's folder of uploads): what is stored. */
export function storedFiles(dir: string): string[] {
  const folder = path.join(dir, 'data', 'attachments');
  return existsSync(folder) ? readdirSync(folder).filter((f) => !f.startsWith('.')) : [];
}

/** A citizen's agent past the region step of the fixture form, on the file step. */
export async function atFileStep(app: Container['app']): Promise<{ agent: ReturnType<typeof request.agent>; csrf: string }> {
  const agent = request.agent(app);
  const start = await agent.get(`/forms/${FILE_FORM}/start`);
  const regionUrl = start.headers.location as string;
  const region = await agent.get(regionUrl);
  const toStep = await agent.post(regionUrl).type('form')
    .send(encodeForm([['_csrf', csrfOf(region.text)], ['/gemeinde', ERFURT], ['_action', 'continue']]));
  if (toStep.status !== 303 || toStep.headers.location !== FILE_STEP_URL) throw new Error(`region step answered ${toStep.status} ${String(toStep.headers.location)}`);
  const page = await agent.get(FILE_STEP_URL);
  return { agent, csrf: csrfOf(page.text) };
}

/** The uploaded files a step page lists: name and size as shown, and the id its remove button carries. */
export function listedFiles(html: string): Array<{ name: string; size: string; id: string }> {
  const items = [...html.matchAll(/<li class="efa-file__item">([\s\S]*?)<\/li>/g)].map((m) => m[1]!);
  return items.map((item) => ({
    name: /<span class="efa-file__name">([^<]*)<\/span>/.exec(item)?.[1] ?? '',
    size: /<span class="efa-file__size">\(([^)]*)\)<\/span>/.exec(item)?.[1] ?? '',
    id: /value="remove-file:([^"]+)"/.exec(item)?.[1] ?? '',
  }));
}

/** The texts of the error summary's links. */
export function summaryErrors(html: string): string[] {
  const summary = /<div class="efa-error-summary"[\s\S]*?<\/ul>/.exec(html)?.[0] ?? '';
  return [...summary.matchAll(/<li><a href="[^"]*">([^<]*)<\/a><\/li>/g)].map((m) => unescapeHtml(m[1]!));
}

/** The error shown at the field (its visually hidden "Fehler:" prefix left out). */
export function fieldError(html: string, id: string): string | undefined {
  const match = new RegExp(`<p id="${id}-error" class="efa-error-message"><span class="efa-visually-hidden">[^<]*</span> ([^<]*)</p>`).exec(html);
  return match ? unescapeHtml(match[1]!) : undefined;
}

export function unescapeHtml(text: string): string {
  return text.replace(/&#x27;/g, "'").replace(/&quot;/g, '"').replace(/&#x3D;/g, '=').replace(/&#x60;/g, '`').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}
