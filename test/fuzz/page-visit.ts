import { receiptPath } from '../../src/http/submissions-router';
import { stepFiles, stepFormFields, type ChosenFile } from '../support/page-form';
import type { FormPart, PageCase, RequestSpec } from './cases';
import type { CatalogForm } from './form-catalog';
import type { Answer } from './http-client';
import { percentEncode } from './percent-encoding';
import type { FuzzSession } from './session';

/**
 * Runs one page case like a browser without JavaScript: keeps the draft cookie, reads the CSRF
 * token from the page, posts urlencoded forms and follows the redirects (one at a time).
 */
class Browser {
  private readonly cookies = new Map<string, string>();

  constructor(private readonly session: FuzzSession, private readonly fuzzCase: PageCase) {}

  async get(route: string, path: string): Promise<Answer> {
    return this.take(await this.session.exchange(this.fuzzCase, route, { method: 'GET', path, headers: this.headers() }));
  }

  async post(route: string, path: string, body: string | Buffer, contentType = 'application/x-www-form-urlencoded'): Promise<Answer> {
    const headers = { ...this.headers(), ...(contentType !== '' ? { 'content-type': contentType } : {}) };
    const spec: RequestSpec = { method: 'POST', path, headers, body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body };
    return this.take(await this.session.exchange(this.fuzzCase, route, spec));
  }

  private headers(): Record<string, string> {
    return this.cookies.size > 0 ? { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {};
  }

  private take(answer: Answer): Answer {
    const set = answer.headers['set-cookie'] ?? [];
    for (const line of set) {
      const [pair = ''] = line.split(';');
      const at = pair.indexOf('=');
      if (at <= 0) continue;
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      if (value === '' || /max-age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return answer;
  }
}

function html(answer: Answer): string {
  return answer.body.toString('utf8');
}

function csrfOf(answer: Answer): string | undefined {
  return /name="_csrf" value="([^"]+)"/.exec(html(answer))?.[1];
}

function location(answer: Answer): string | undefined {
  const value = answer.headers.location;
  return answer.status === 303 && typeof value === 'string' && value.startsWith('/') ? value : undefined;
}

/**
 * A step's multipart post of one chosen file with the upload button, as a browser sends it:
 * the fields first (the CSRF token before the file), then the file, then the action.
 */
function multipartUpload(fields: ReadonlyArray<readonly [string, string]>, file: ChosenFile): { body: Buffer; contentType: string } {
  const boundary = `----efa-fuzz-${file.bytes.subarray(10, 18).toString('hex')}`;
  const field = (name: string, value: string) => Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`, 'utf8');
  const body = Buffer.concat([
    ...fields.map(([name, value]) => field(name, value)),
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${file.pointer}"; filename="${file.name}"\r\nContent-Type: application/pdf\r\n\r\n`, 'utf8'),
    file.bytes, Buffer.from('\r\n', 'latin1'),
    field('_action', 'upload'),
    Buffer.from(`--${boundary}--\r\n`, 'latin1'),
  ]);
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

function encodeParts(parts: readonly FormPart[]): string {
  return parts.map((p) => ('raw' in p ? p.raw : `${percentEncode(p[0])}=${percentEncode(p[1])}`)).join('&');
}

/** The route pattern of a page path, for grouping failures. */
function routeOf(method: string, path: string): string {
  const bare = path.split('?')[0] ?? path;
  const pattern = bare
    .replace(/^\/forms\/[^/]+\/steps\/[^/]*$/, '/forms/:id/steps/:step')
    .replace(/^\/forms\/[^/]+\/resume\/[^/]*$/, '/forms/:id/resume/:token')
    .replace(/^\/forms\/[^/]+\/(start|check|confirmation)$/, '/forms/:id/$1')
    .replace(/^\/forms\/[^/]+$/, '/forms/:id');
  return `${method} ${pattern.startsWith('/forms/') || pattern === '/' ? pattern : '(other path)'}`;
}

async function start(browser: Browser, form: CatalogForm): Promise<string | undefined> {
  const started = await browser.get('GET /forms/:id/start', `/forms/${form.id}/start`);
  return location(started);
}

/** Follows a redirect once and looks at the check page, which shows everything in the draft. */
async function lookAround(browser: Browser, form: CatalogForm, answer: Answer): Promise<void> {
  const next = location(answer);
  if (next) await browser.get(`${routeOf('GET', next)} (after redirect)`, next);
  const resume = /href="https?:\/\/[^/"]+(\/forms\/[^/"]+\/resume\/[^"]+)"/.exec(html(answer))?.[1];
  if (resume) await browser.get('GET /forms/:id/resume/:token', resume);
  await browser.get('GET /forms/:id/check', `/forms/${form.id}/check`);
}

async function postCase(session: FuzzSession, fuzzCase: PageCase, form: CatalogForm, browser: Browser): Promise<void> {
  const plan = fuzzCase.plan;
  if (plan.type !== 'post') return;
  let token: string | undefined;
  if (plan.csrf !== 'no-draft') {
    const first = await start(browser, form);
    if (!first) return;
    const page = await browser.get('GET /forms/:id/steps/:step', first);
    token = csrfOf(page);
    if (!token) {
      if (page.status < 500) session.fail(fuzzCase, 'GET /forms/:id/steps/:step', 'step page without a CSRF token', page);
      return;
    }
  }
  const csrf: FormPart[] = plan.csrf === 'valid' ? [['_csrf', token!]]
    : plan.csrf === 'wrong' ? [['_csrf', `${token!.slice(0, -2)}xx`]]
      : plan.csrf === 'twice' ? [['_csrf', token!], ['_csrf', token!]]
        : [];
  const path = `/forms/${form.id}/${plan.target}`;
  const route = routeOf('POST', path);
  const posted = await browser.post(route, path, encodeParts([...csrf, ...plan.parts]), plan.contentType);
  if (fuzzCase.expectStatus && !fuzzCase.expectStatus.includes(posted.status)) {
    session.fail(fuzzCase, route, `expected ${fuzzCase.expectStatus.join(' or ')}`, posted);
  }
  if (posted.status < 500 && posted.status !== 0) await lookAround(browser, form, posted);
}

/** A whole application through the pages; a confirmation means a stored submission. */
async function fullCase(session: FuzzSession, fuzzCase: PageCase, form: CatalogForm, browser: Browser): Promise<void> {
  const plan = fuzzCase.plan;
  if (plan.type !== 'full') return;
  const notAccepted = (route: string, answer: Answer, why: string) => {
    if (plan.expectAccepted && answer.status < 500) session.fail(fuzzCase, route, 'valid example not accepted through the pages', answer, why);
  };
  let at = await start(browser, form);
  // Every step at most twice (a redirect may return to a step), then the check page.
  for (let i = 0; at?.includes('/steps/') && i < form.model.steps.length * 2; i++) {
    const page = await browser.get('GET /forms/:id/steps/:step', at);
    const token = csrfOf(page);
    const stepId = decodeURIComponent(at.split('/steps/')[1]!.split('?')[0]!);
    const step = form.model.steps.find((s) => s.id === stepId);
    if (!token || !step) return;
    const fields = stepFormFields(form.model, step, plan.data);
    // The files the answers name, chosen and uploaded one at a time, before the step is sent.
    let uploadRefused = false;
    for (const file of stepFiles(step, plan.data)) {
      const { body, contentType } = multipartUpload([['_csrf', token], ...fields], file);
      const uploaded = await browser.post('POST /forms/:id/steps/:step', at, body, contentType);
      if (!location(uploaded)) {
        notAccepted('POST /forms/:id/steps/:step', uploaded, `upload on step ${stepId} refused`);
        uploadRefused = true;
        break;
      }
    }
    if (uploadRefused) return;
    const posted = await browser.post('POST /forms/:id/steps/:step', at, encodeParts([['_csrf', token], ...fields, ['_action', 'continue']]));
    // A step refused with errors (400) is an ordinary outcome for hostile text; the visit ends.
    at = location(posted);
    if (!at) notAccepted('POST /forms/:id/steps/:step', posted, `step ${stepId} refused`);
  }
  if (at !== `/forms/${form.id}/check`) return;
  const check = await browser.get('GET /forms/:id/check', at);
  const token = csrfOf(check);
  if (!token) return;
  const declarations = form.model.declarations.map((d): [string, string] => [d.pattern, 'true']);
  const submitted = await browser.post('POST /forms/:id/check', at, encodeParts([['_csrf', token], ...declarations, ['_action', 'submit']]));
  const confirmation = location(submitted);
  if (!confirmation?.includes('/confirmation?')) {
    notAccepted('POST /forms/:id/check', submitted, 'submission refused');
    // Every step took the answers, so a refusal now must point at a field (a step or the
    // check page with its errors), not end in a page the citizen cannot get past.
    if (submitted.status >= 400 && submitted.status < 500 && !csrfOf(submitted)) {
      session.fail(fuzzCase, 'POST /forms/:id/check', 'steps took answers the submission refuses (dead end)', submitted);
    }
    return;
  }
  const page = await browser.get('GET /forms/:id/confirmation', confirmation);
  const query = new URL(confirmation, 'http://localhost').searchParams;
  const ref = query.get('ref');
  const token2 = query.get('token');
  if (page.status >= 500 || !ref || !token2) return;
  await session.checkAccepted(fuzzCase, 'POST /forms/:id/check', ref, receiptPath(ref, token2), undefined);
}

export async function runPageCase(session: FuzzSession, fuzzCase: PageCase, forms: readonly CatalogForm[]): Promise<void> {
  const form = forms.find((f) => f.id === fuzzCase.form);
  if (!form) throw new Error(`case ${fuzzCase.index}: unknown form ${fuzzCase.form}`);
  const browser = new Browser(session, fuzzCase);
  const plan = fuzzCase.plan;
  if (plan.type === 'post') await postCase(session, fuzzCase, form, browser);
  else if (plan.type === 'full') await fullCase(session, fuzzCase, form, browser);
  else {
    await start(browser, form);
    for (const path of plan.paths) await browser.get(routeOf('GET', path), path);
  }
}
