/// <reference lib="dom" />
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Container } from '../../src/container';
import { planMunicipalityImport } from '../../src/directory/plan-import';
import type { Tenant } from '../../src/routing/tenant';
import { requireSharedData, sharedFile } from '../support/shared-data';
import { tempDir } from '../support/temp-dir';
import { buildContainer, SAMPLE_FORMS, writeSampleTenant } from '../support/test-setup';
import { checkAccessibility, launchBrowser, newPage, startServer, type Browser, type Page } from './support/browser';

/**
 * The region step with the whole official directory of Thüringen loaded (633 municipalities):
 * a postal code several municipalities share lists them all, German spellings find their
 * municipality, and the page stays accessible (axe) without JavaScript.
 */
const DIRECTORY = 'gv100ad-thueringen-20201231.txt';
const POSTAL_CODES = 'plz-thueringen.csv';

jest.setTimeout(60_000);

requireSharedData([DIRECTORY, POSTAL_CODES]);

describe('the region step with a whole state loaded', () => {
  const dir = tempDir();
  let container: Container;
  let server: { url: string; close(): Promise<void> };
  let browser: Browser;

  beforeAll(async () => {
    const tenants = path.join(dir.path, 'tenants');
    mkdirSync(tenants);
    const env = writeSampleTenant(tenants, 'http://127.0.0.1:9');
    const file = path.join(tenants, 'thueringen.json');
    const plan = planMunicipalityImport({
      tenant: JSON.parse(readFileSync(file, 'utf8')) as Tenant,
      directory: { file: sharedFile(DIRECTORY), bytes: readFileSync(sharedFile(DIRECTORY)) },
      postalCodes: { file: sharedFile(POSTAL_CODES), bytes: readFileSync(sharedFile(POSTAL_CODES)) },
    });
    writeFileSync(file, plan.text);
    container = await buildContainer({ ...env, FORMS_DIR: SAMPLE_FORMS, TENANTS_DIR: tenants, DATA_DIR: path.join(dir.path, 'data') });
    server = await startServer(container.app);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await container?.close(1000);
    dir.remove();
  });

  async function search(page: Page, query: string): Promise<string[]> {
    await page.locator('[name="_q"]').fill(query);
    await page.locator('button[value="search"]').click();
    return page.locator('.efa-radios__label').allTextContents();
  }

  it('lists every municipality of a shared postal code and finds German spellings, accessibly, without JavaScript', async () => {
    expect(container.routing.tenants().find((t) => t.id === 'thueringen')!.municipalities).toHaveLength(633);
    const page = await newPage(browser, { javaScript: false });
    page.setDefaultTimeout(5000);
    await page.goto(`${server.url}/forms/hundesteuer-anmeldung/start`);
    expect(page.url()).toContain('/steps/gemeinde');

    // Every municipality the directory and the postal-code list give for 99826, by name.
    const expected = container.routing.tenants().flatMap((t) => t.municipalities).filter((m) => m.postalCodes.includes('99826')).map((m) => m.name).sort((a, b) => a.localeCompare(b, 'de'));
    expect(expected.length).toBeGreaterThan(1);
    const listed = await search(page, '99826');
    expect(listed.map((label) => label.replace(/ \(.*$/, ''))).toEqual(expected);
    await checkAccessibility(page, 'region-step-shared-postal-code');

    expect((await search(page, 'Goessnitz')).map((l) => l.replace(/ \(.*$/, ''))).toEqual(['Gößnitz']);
    expect((await search(page, 'Weissensee')).map((l) => l.replace(/ \(.*$/, ''))).toEqual(['Weißensee']);
    expect((await search(page, 'erfurt, stadt')).map((l) => l.replace(/ \(.*$/, ''))).toEqual(['Erfurt']);
    await checkAccessibility(page, 'region-step-folded-name');
    await page.close();
  });
});
