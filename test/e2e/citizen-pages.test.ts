/// <reference lib="dom" />
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Container } from '../../src/container';
import { canonicalOrder } from '../../src/forms/canonical-order';
import type { CompiledForm } from '../../src/forms/compiled-form';
import { parsePointer } from '../../src/support/json-pointer';
import { stepFiles, type ChosenFile } from '../support/page-form';
import { buildContainer, example, FIXTURE_FORMS, readJson, SAMPLE_FORMS, writeSampleTenant } from '../support/test-setup';
import { tempDir } from '../support/temp-dir';
import { launchBrowser, newPage, startServer, type Browser, type Page } from './support/browser';
import { fillWithKeyboard, fillWithPointer, growLists, inspect, listSizes, pressButton, stepIdOf, uploadFiles, visibleFields } from './support/drive';

/**
 * Debian's Chromium drives the citizen pages of every sample form and of a form without `ui`.
 * Every page state visited is checked with axe (WCAG 2.x A/AA) and photographed at desktop
 * width and at 320 px (test-output/screenshots), where nothing may scroll sideways.
 */
const FORMS: ReadonlyArray<readonly [string, string, string]> = [
  ['anwohnerparkausweis', SAMPLE_FORMS, 'valid-1'],
  ['hundesteuer-anmeldung', SAMPLE_FORMS, 'valid-1'],
  ['gewerbeanmeldung', SAMPLE_FORMS, 'valid-1'],
  ['pruefungsanmeldung', FIXTURE_FORMS, 'valid-1'],
];

// One flow visits up to ten page states, each checked with axe (~1.5 s without JavaScript).
jest.setTimeout(120_000);

describe('citizen pages in Chromium', () => {
  const dir = tempDir();
  let container: Container;
  let server: { url: string; close(): Promise<void> };
  let browser: Browser;
  const models = new Map<string, CompiledForm>();
  const data = new Map<string, Record<string, unknown>>();

  beforeAll(async () => {
    const forms = path.join(dir.path, 'forms');
    const tenants = path.join(dir.path, 'tenants');
    cpSync(SAMPLE_FORMS, forms, { recursive: true });
    cpSync(FIXTURE_FORMS, forms, { recursive: true });
    mkdirSync(tenants);
    const env = writeSampleTenant(tenants, 'http://127.0.0.1:9', ['pruefungsanmeldung']);
    container = await buildContainer({ ...env, FORMS_DIR: forms, TENANTS_DIR: tenants, DATA_DIR: path.join(dir.path, 'data') });
    server = await startServer(container.app);
    browser = await launchBrowser();
    for (const [id, folder, name] of FORMS) {
      models.set(id, container.forms.get(id)!);
      data.set(id, folder === SAMPLE_FORMS ? example(id, name) : readJson(path.join(folder, id, 'examples', `${name}.json`)));
    }
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await container?.close(1000);
    dir.remove();
  });

  /** Fail within seconds, with Playwright's message, instead of waiting for the test timeout. */
  async function open(options: { javaScript: boolean }): Promise<Page> {
    const page = await newPage(browser, options);
    page.setDefaultTimeout(5000);
    return page;
  }

  const postalCodeOf = (ars: string) => container.routing.tenants().flatMap((t) => t.municipalities).find((m) => m.ars === ars)!.postalCodes[0]!;

  /**
   * From the region step to the check page, filling each step with the form's example answers
   * and choosing a file for each attachment they name (after the step's other answers, which the
   * upload must keep). Answers the files uploaded.
   */
  async function completeSteps(page: Page, formId: string, options: { keyboard: boolean; inspectAs?: string }): Promise<ChosenFile[]> {
    const model = models.get(formId)!;
    const answers = data.get(formId)!;
    const uploaded: ChosenFile[] = [];
    for (let guard = 0; guard < 20 && stepIdOf(page); guard++) {
      const step = model.steps.find((s) => s.id === stepIdOf(page))!;
      if (step.id === 'gemeinde') {
        const ars = visibleFields(model, step, answers)[0]![1];
        if (options.keyboard) {
          await fillWithKeyboard(page, [['_q', postalCodeOf(ars)]]);
          await pressButton(page, 'search');
        } else {
          await page.locator('[name="_q"]').fill(postalCodeOf(ars));
          await page.locator('button[value="search"]').click();
        }
        if (options.inspectAs) await inspect(page, `${options.inspectAs}-gemeinde-results`);
      } else {
        if (options.inspectAs) await inspect(page, `${options.inspectAs}-${step.id}`);
        await growLists(page, listSizes(step, answers), options.keyboard);
      }
      const fields = visibleFields(model, step, answers);
      if (options.keyboard) await fillWithKeyboard(page, fields);
      else await fillWithPointer(page, fields);
      const files = stepFiles(step, answers);
      if (files.length > 0) {
        await uploadFiles(page, files, options.keyboard);
        uploaded.push(...files);
        if (options.inspectAs) await inspect(page, `${options.inspectAs}-${step.id}-uploaded`);
      }
      if (options.keyboard) await pressButton(page, 'continue');
      else await page.locator('.efa-button-group button[value="continue"]').click();
      await page.waitForLoadState();
      expect(await page.locator('.efa-error-summary').count()).toBe(0);
    }
    expect(new URL(page.url()).pathname).toBe(`/forms/${formId}/check`);
    return uploaded;
  }

  /** The answers with each file question's made-up ids replaced by the ids the uploads got, in their order. */
  function withAttachmentIds(answers: Record<string, unknown>, sent: ReadonlyArray<{ id: string; fieldPointer: string }>): Record<string, unknown> {
    const copy = structuredClone(answers);
    for (const pointer of new Set(sent.map((a) => a.fieldPointer))) {
      const tokens = parsePointer(pointer);
      const parent = tokens.slice(0, -1).reduce<Record<string, unknown>>((node, t) => node[t] as Record<string, unknown>, copy);
      parent[tokens[tokens.length - 1]!] = sent.filter((a) => a.fieldPointer === pointer).map((a) => a.id);
    }
    return copy;
  }

  test.each(FORMS.map(([id]) => id))('%s: the whole application with JavaScript disabled', async (formId) => {
    const page = await open({ javaScript: false });
    await page.goto(`${server.url}/forms/${formId}`);
    await inspect(page, `${formId}-start`);
    await page.locator('a.efa-button--start').click();
    await inspect(page, `${formId}-gemeinde`);
    const chosen = await completeSteps(page, formId, { keyboard: false, inspectAs: formId });
    await inspect(page, `${formId}-check`);
    for (const declaration of models.get(formId)!.declarations) await page.locator(`[name="${declaration.pattern}"]`).check();
    await page.locator('button[value="submit"]').click();
    await inspect(page, `${formId}-confirmation`);
    const reference = (await page.locator('.efa-reference').textContent())!.trim();
    const stored = await container.store.submissions.find(reference);
    const form = container.forms.get(formId)!;
    // The files chosen, byte for byte, are the submission's; its answers name them by their ids.
    const sent = await container.store.attachments.ofSubmission(reference);
    const sha512 = (bytes: Buffer) => createHash('sha512').update(bytes).digest('hex');
    expect(sent.map((a) => [a.fieldPointer, a.fileName, a.size, a.sha512])).toEqual(chosen.map((f) => [f.pointer, f.name, f.bytes.length, sha512(f.bytes)]));
    expect(stored?.dataJson).toBe(JSON.stringify(canonicalOrder(withAttachmentIds(data.get(formId)!, sent), form.fields)));
    await page.context().close();
  });

  test.each(FORMS.map(([id]) => id))('%s: mistakes are summarised, focused and marked at the fields', async (formId) => {
    const page = await open({ javaScript: true });
    await page.goto(`${server.url}/forms/${formId}/start`);
    // On the region step, continue without choosing a municipality.
    await page.locator('.efa-button-group button[value="continue"]').click();
    await expect(page.title()).resolves.toMatch(/^Fehler: /);
    const focused = await page.evaluate(() => document.activeElement?.classList.contains('efa-error-summary'));
    expect(focused).toBe(true);
    await inspect(page, `${formId}-gemeinde-error`);
    // The summary's link takes the keyboard focus to the field.
    await page.locator('.efa-error-summary a').first().click();
    expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('_q');
    await page.context().close();
  });

  test.each(FORMS.map(([id]) => id))('%s: an answer changed from the summary returns to the summary', async (formId) => {
    const page = await open({ javaScript: false });
    await page.goto(`${server.url}/forms/${formId}/start`);
    await completeSteps(page, formId, { keyboard: false });
    const rows = page.locator('.efa-summary-list__row');
    // The first answer typed into a text field: follow its change link and type a new one.
    const count = await rows.count();
    let changed = false;
    for (let i = 1; i < count && !changed; i++) {
      const shown = (await rows.nth(i).locator('.efa-summary-list__value').textContent())!.trim();
      await rows.nth(i).locator('a').click();
      const input = page.locator(`input.efa-input[type="text"][value="${shown.replace(/"/g, '\\"')}"]:not([inputmode])`).first();
      if (shown !== '' && (await input.count()) > 0) {
        await input.fill('Geändert Ä');
        await inspect(page, `${formId}-change`);
        await page.locator('.efa-button-group button[value="continue"]').click();
        expect(await page.locator('.efa-error-summary').count()).toBe(0);
        changed = true;
      } else {
        await page.goBack();
      }
    }
    expect(changed).toBe(true);
    expect(new URL(page.url()).pathname).toBe(`/forms/${formId}/check`);
    await expect(page.locator('.efa-summary-list').first().textContent()).resolves.toBeDefined();
    expect(await page.content()).toContain('Geändert Ä');
    await page.context().close();
  });

  test.each(FORMS.map(([id]) => id))('%s: save and continue later in another browser', async (formId) => {
    const page = await open({ javaScript: false });
    await page.goto(`${server.url}/forms/${formId}/start`);
    await completeSteps(page, formId, { keyboard: false });
    await page.locator('button[value="save"]').click();
    await inspect(page, `${formId}-saved`);
    const link = (await page.locator('.efa-resume-link a').getAttribute('href'))!;
    const other = await open({ javaScript: false });
    await other.goto(link);
    expect(new URL(other.url()).pathname).toBe(`/forms/${formId}/check`);
    const rows = await other.locator('.efa-summary-list__value').allTextContents();
    expect(rows.filter((r) => r.trim() !== '').length).toBeGreaterThan(3);
    await page.context().close();
    await other.context().close();
  });

  test.each(FORMS.map(([id]) => id))('%s: in English', async (formId) => {
    const page = await open({ javaScript: false });
    await page.goto(`${server.url}/forms/${formId}`);
    await page.locator('a.efa-header__language').click();
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await inspect(page, `${formId}-start-en`);
    await page.locator('a.efa-button--start').click();
    await expect(page.locator('h1').textContent()).resolves.toBe('Your municipality');
    await completeSteps(page, formId, { keyboard: false, inspectAs: `${formId}-en` });
    await expect(page.locator('h1').textContent()).resolves.toBe('Check your answers');
    await inspect(page, `${formId}-check-en`);
    await page.context().close();
  });

  test.each(FORMS.map(([id]) => id))('%s: keyboard only, from the start page to the confirmation', async (formId) => {
    const page = await open({ javaScript: true });
    await page.goto(`${server.url}/forms/${formId}`);
    await pressButton(page, 'Jetzt beginnen');
    // With JavaScript on, each state is checked again (the script may change the page).
    await completeSteps(page, formId, { keyboard: true, inspectAs: `${formId}-js` });
    await inspect(page, `${formId}-check-js`);
    const declarations = models.get(formId)!.declarations.map((d) => [d.pattern, 'true'] as [string, string]);
    await fillWithKeyboard(page, declarations);
    await pressButton(page, 'submit');
    await expect(page.locator('h1').textContent()).resolves.toBe('Antrag eingegangen');
    await page.context().close();
  });
});
