import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startConsoleFixture, TOKEN_A, type ConsoleFixture } from '../support/console-fixture';
import { checkAccessibility, launchBrowser, newPage, screenshot, type Browser, type Page } from './support/browser';

/**
 * The operator console in Chromium with JavaScript off, in the real container as the integration
 * tests build it (see console-fixture.ts), its app listening on 127.0.0.1 through node:http as
 * main.ts listens: every page is used by its links, forms and buttons only, axe (WCAG 2.x A/AA)
 * finds nothing on any of them, and nothing scrolls sideways at 320 px.
 */
jest.setTimeout(120_000);

let browser: Browser;
let fixture: ConsoleFixture;
let server: { url: string; close(): Promise<void> };

beforeAll(async () => {
  fixture = await startConsoleFixture();
  [browser, server] = await Promise.all([launchBrowser(), fixture.listen()]);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await fixture?.close();
});

async function check(page: Page, name: string): Promise<void> {
  await checkAccessibility(page, `console: ${name}`);
  await screenshot(page, `console-${name}`);
}

async function navigate(page: Page, linkText: string): Promise<void> {
  await page.locator('nav.con-nav a', { hasText: linkText }).click();
}

test('every console page works without JavaScript, has no axe violations and reflows at 320 px', async () => {
  const page = await newPage(browser, { javaScript: false });

  await page.goto(`${server.url}/admin`);
  expect(new URL(page.url()).pathname).toBe('/admin/sign-in');
  await check(page, 'sign-in');

  await page.locator('#token').fill('wrong token');
  await page.locator('button[type="submit"]', { hasText: 'Anmelden' }).click();
  expect(await page.locator('.con-error-summary').textContent()).toContain('Die Anmeldung ist fehlgeschlagen.');
  await check(page, 'sign-in-refused');

  await page.locator('#token').fill(TOKEN_A);
  await page.locator('button[type="submit"]', { hasText: 'Anmelden' }).click();
  expect(new URL(page.url()).pathname).toBe('/admin');
  await check(page, 'overview');

  await navigate(page, 'Abdeckung');
  expect(await page.locator('h1').textContent()).toBe('Online-Abdeckung');
  await check(page, 'coverage');

  await navigate(page, 'Zuständigkeiten');
  expect(await page.locator('main').textContent()).toContain('Live, aber noch nie erfolgreich zugestellt');
  await check(page, 'responsibilities');

  await page.locator('a', { hasText: 'Details und Test-Zustellung: Gewerbeamt Alpha' }).click();
  await check(page, 'authority');

  // A refused test delivery: the result page says so, and its job is dead at once.
  fixture.receiver.respond = () => 500;
  await page.locator('button', { hasText: 'Test-Zustellung senden' }).click();
  expect(await page.locator('.con-result').textContent()).toContain('fehlgeschlagen');
  // The channel's reason is technical English under a German label, marked so screen readers pronounce it as English.
  expect(await page.locator('.con-result dt', { hasText: 'Technische Angabe (englisch)' }).count()).toBe(1);
  expect(await page.locator('.con-result dd[lang="en"]').textContent()).toBe('receiver answered HTTP 500');
  await check(page, 'test-delivery-failed');
  fixture.receiver.respond = () => 204;

  await page.locator('a', { hasText: 'Verlauf dieses Vorgangs' }).click();
  expect(await page.locator('main').textContent()).toContain('Zustellung endgültig fehlgeschlagen');
  await check(page, 'submission');

  await navigate(page, 'Zustellungen');
  await check(page, 'deliveries');
  await page.locator('.con-table button', { hasText: 'Erneut versuchen' }).first().click();
  expect(await page.locator('.con-notice').textContent()).toContain('Der Auftrag steht wieder in der Warteschlange.');
  await check(page, 'job');

  await navigate(page, 'Vorgang suchen');
  await check(page, 'find-submission');

  await navigate(page, 'Protokoll');
  expect(await page.locator('main').textContent()).toContain('delivery.retry');
  await check(page, 'audit');

  await navigate(page, 'Neu laden');
  await check(page, 'reload');
  const file = path.join(fixture.tenantsDir, 'land-a.json');
  const original = readFileSync(file, 'utf8');
  writeFileSync(file, original.replace('"gewerbeanmeldung"', '"no-such-form"'));
  await page.locator('button', { hasText: 'Jetzt neu laden' }).click();
  expect(await page.locator('.con-error-summary').textContent()).toContain('no-such-form');
  await check(page, 'reload-refused');
  writeFileSync(file, original);

  await page.goto(`${server.url}/admin/deliveries/00000000-0000-4000-8000-000000000000`);
  expect(await page.locator('h1').textContent()).toBe('Seite nicht gefunden');
  await check(page, 'not-found');

  await page.goto(`${server.url}/admin/responsibilities`);
  await page.locator('a[hreflang="en"]').click();
  expect(await page.locator('h1').textContent()).toBe('Responsibilities and rollout');
  await check(page, 'responsibilities-en');

  await page.locator('button', { hasText: 'Sign out' }).click();
  expect(await page.locator('.con-notice').textContent()).toBe('You are signed out.');
  await check(page, 'signed-out-en');
  await page.context().close();
});
