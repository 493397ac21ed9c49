import express from 'express';
import { computeCoverage, type CoverageForm } from '../../src/coverage/coverage';
import { renderCoverageHtml } from '../../src/coverage/coverage-html';
import { buildRoutingTable } from '../../src/routing/routing-table';
import type { Municipality, Tenant } from '../../src/routing/tenant';
import { checkAccessibility, launchBrowser, newPage, screenshot, startServer, type Browser } from './support/browser';

/**
 * The coverage report's HTML page in Chromium, as a ministry opens it: axe (WCAG 2.x A/AA) finds
 * nothing with JavaScript on or off, nothing scrolls sideways at 320 px (the tables scroll in
 * their own region), and the bars are drawn by the inline style alone. The page includes the
 * authorities section with last deliveries and a flagged authority.
 */
jest.setTimeout(60_000);

// Two districts of a made-up Land, partly served, with long names and one missing population.
const municipalities: Municipality[] = [
  ...Array.from({ length: 6 }, (_, i): Municipality => ({
    ars: `15001000${i + 1}00${i + 1}`, name: `Nordgemeinde ${i + 1}`, population: 1200 * (i + 1), postalCodes: ['11111'],
  })),
  ...Array.from({ length: 5 }, (_, i): Municipality => ({
    ars: `15002000${i + 1}00${i + 1}`, name: i === 0 ? 'Sankt Marienthal-Oberweißbach an der Schwarza' : `Südgemeinde ${i + 1}`,
    ...(i === 4 ? {} : { population: 800 * (i + 1) }), postalCodes: ['22222'],
  })),
];
const tenant: Tenant = {
  id: 'testland',
  name: { de: 'Freistaat Testland', en: 'Free State of Testland' },
  regions: ['15'],
  links: { imprintUrl: 'https://example.org/i', privacyUrl: 'https://example.org/p', accessibilityUrl: 'https://example.org/a' },
  municipalities,
  districts: [{ ars: '15001', name: 'Landkreis Nordwald-Hochebene' }, { ars: '15002', name: 'Landkreis Süd' }],
  authorities: [
    { id: 'lra-nord', name: 'Landratsamt Nord', email: 'nord@example.org', delivery: { type: 'email' }, serves: [{ forms: ['gewerbe', 'hund'], regions: ['15001'] }] },
    { id: 'gemeinde-sued-2', name: 'Gemeinde Süd 2', email: 'sued2@example.org', delivery: { type: 'email' }, serves: [{ forms: ['gewerbe'], regions: ['150020002002'] }] },
  ],
};
const forms: CoverageForm[] = [
  { id: 'gewerbe', title: { de: 'Gewerbe anmelden', en: 'Register a business' } },
  { id: 'hund', title: { de: 'Hund zur Hundesteuer anmelden', en: 'Register a dog for dog tax' } },
];
const html = renderCoverageHtml(computeCoverage({
  routing: buildRoutingTable([{ file: 'testland.json', tenant }], new Set(forms.map((f) => f.id))), forms, now: new Date('2026-12-01T09:30:00Z'),
  // The authorities section with every column: one tested authority, one live without any delivery (flagged).
  lastDeliveries: new Map([['lra-nord', { test: new Date('2026-11-30T08:15:00Z'), real: new Date('2026-11-29T16:40:00Z') }]]),
}));

let browser: Browser;
let server: { url: string; close(): Promise<void> };

beforeAll(async () => {
  const app = express();
  app.get('/abdeckung.html', (_req, res) => res.type('html').send(html));
  [browser, server] = await Promise.all([launchBrowser(), startServer(app)]);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

test.each([true, false])('the page has no axe violations and reflows at 320 px (JavaScript %s)', async (javaScript) => {
  const page = await newPage(browser, { javaScript });
  await page.goto(`${server.url}/abdeckung.html`);
  await checkAccessibility(page, `coverage report, JavaScript ${javaScript ? 'on' : 'off'}`);
  await screenshot(page, `coverage-report${javaScript ? '' : '-no-js'}`);
  // The bars are drawn: the overview's first fill is as wide as the share beside it (7 of 11 municipalities).
  const first = await page.evaluate<{ ratio: number; text: string }>(`(() => {
    const fill = document.querySelector('.fill');
    return { ratio: fill.getBoundingClientRect().width / fill.parentElement.clientWidth, text: fill.closest('td').textContent };
  })()`);
  expect(first.text).toContain('7 von 11');
  expect(first.text).toContain('63,6\u202F%');
  expect(first.ratio).toBeCloseTo(0.63, 2);
  const flagged = await page.evaluate<string>(`document.querySelector('#authorities').closest('section').textContent`);
  expect(flagged).toContain('Live, aber noch nie zugestellt');
  await page.context().close();
});
