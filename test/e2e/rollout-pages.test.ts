import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Container } from '../../src/container';
import { buildContainer, SAMPLE_FORMS, writeSampleTenant } from '../support/test-setup';
import { tempDir } from '../support/temp-dir';
import { launchBrowser, newPage, startServer, type Browser, type Page } from './support/browser';
import { inspect } from './support/drive';

/**
 * Issue 12 in Chromium with JavaScript off: the region step's answer for a paused route (an
 * error at the field, before anything else is asked) and the box of Erfurt's local parameters on
 * the next step, each with axe (0 violations) and screenshots at desktop width and 320 px.
 */
jest.setTimeout(120_000);

const FORMS = ['anwohnerparkausweis', 'hundesteuer-anmeldung', 'gewerbeanmeldung'];

describe('rollout states and local parameters in Chromium', () => {
  const dir = tempDir('efa-rollout-e2e-');
  let container: Container;
  let server: { url: string; close(): Promise<void> };
  let browser: Browser;

  beforeAll(async () => {
    const tenants = path.join(dir.path, 'tenants');
    mkdirSync(tenants);
    const env = writeSampleTenant(tenants, 'http://127.0.0.1:9', [], {
      'stadt-jena-buergeramt': { serves: [{ forms: FORMS, regions: ['160530000000'], rollout: 'paused' }] },
      // Weimar's dog tax is being tested: citizens are refused, its testers' link opens it.
      'stadt-weimar': { serves: [{ forms: FORMS, regions: ['160550000000'], rollout: 'testing' }] },
    });
    container = await buildContainer({ ...env, FORMS_DIR: SAMPLE_FORMS, TENANTS_DIR: tenants, DATA_DIR: path.join(dir.path, 'data'), DELIVERY_WORKER: 'off' });
    server = await startServer(container.app);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await container?.close(1000);
    dir.remove();
  });

  async function chooseMunicipality(page: Page, postalCode: string, ars: string): Promise<void> {
    await page.goto(`${server.url}/forms/hundesteuer-anmeldung/start`);
    await page.locator('[name="_q"]').fill(postalCode);
    await Promise.all([page.waitForEvent('load'), page.locator('button[value="search"]').click()]);
    await page.locator(`input[type="radio"][value="${ars}"]`).check();
    await Promise.all([page.waitForEvent('load'), page.locator('.efa-button-group button[value="continue"]').click()]);
  }

  test('a paused route is refused on the region step; a live one shows its parameters on the next step', async () => {
    const page = await newPage(browser, { javaScript: false });
    page.setDefaultTimeout(5000);
    try {
      await chooseMunicipality(page, '07743', '160530000000');
      expect(page.url()).toMatch(/\/steps\/gemeinde$/);
      const summary = page.locator('.efa-error-summary');
      await expect(summary.textContent()).resolves.toContain('Für Jena ist dieser Antrag vorübergehend nicht online verfügbar. Bitte wenden Sie sich an Stadtverwaltung Jena, Bürgerservice (buergerservice.jena@example.org).');
      await inspect(page, 'rollout-paused-region-step');

      await chooseMunicipality(page, '99084', '160510000000');
      expect(page.url()).not.toMatch(/\/steps\/gemeinde$/);
      const box = page.getByRole('complementary', { name: 'Was in Erfurt gilt' });
      await expect(box.getByRole('heading', { level: 2 }).textContent()).resolves.toBe('Was in Erfurt gilt');
      await expect(box.locator('dt').allTextContents()).resolves.toEqual(['Gebühr', 'Rechtsgrundlage', 'Bearbeitungsdauer', 'Weitere Informationen', 'Ansprechpersonen', 'Anschrift']);
      await expect(box.textContent()).resolves.toContain('108,00\u00a0€');
      await inspect(page, 'rollout-parameters-box');
    } finally {
      await page.close();
    }
  });

  test("a tester's link: the notice on every page, the testing route open; an invalid link is a readable page", async () => {
    const page = await newPage(browser, { javaScript: false });
    page.setDefaultTimeout(5000);
    try {
      const link = await container.live.current().testLinks.issue({ authorityId: 'stadt-weimar', formId: 'hundesteuer-anmeldung' }, { kind: 'admin', id: 'admin' });
      if ('refused' in link) throw new Error(`no link: ${link.refused}`);
      await page.goto(`${server.url}${link.path}`);
      expect(page.url()).toBe(`${server.url}/forms/hundesteuer-anmeldung`);
      const notice = page.locator('.efa-test-mode');
      await expect(notice.textContent()).resolves.toContain('Testzugang:');
      await inspect(page, 'tester-start');
      await chooseMunicipality(page, '99423', '160550000000');
      // Past the region step: the testing route takes the tester.
      expect(page.url()).not.toMatch(/\/steps\/gemeinde$/);
      await expect(page.locator('.efa-test-mode').count()).resolves.toBe(1);
      await inspect(page, 'tester-question-step');

      await page.goto(`${server.url}/test-access/${'x'.repeat(43)}`);
      await expect(page.locator('h1').textContent()).resolves.toContain('Dieser Testzugang gilt nicht');
      await inspect(page, 'tester-link-invalid');
    } finally {
      await page.close();
    }
  });
});
