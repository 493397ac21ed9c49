/**
 * End-to-end browser harness: Debian's Chromium driven by playwright-core, axe-core for
 * accessibility, screenshots at desktop width and at 320 CSS px (WCAG 1.4.10 reflow).
 *
 * Share one browser per test file — launching costs about half a second, so:
 *
 *   let browser: Browser;
 *   beforeAll(async () => { browser = await launchBrowser(); });
 *   afterAll(async () => { await browser.close(); });
 *
 * and give every test its own page (`newPage`), which comes in its own context, so cookies and
 * sessions never leak between tests. `browser.close()` closes every context, including the one
 * page that checkAccessibility keeps for JavaScript-off pages; close `page.context()` earlier
 * only to free memory in a long file.
 *
 * Browser-side code is passed to `page.evaluate` as strings: tsconfig has no DOM lib, and the
 * strings keep it that way.
 */
import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import axe from 'axe-core';
import type { Express } from 'express';
import { chromium, type Browser, type Page, type Response } from 'playwright-core';
import { onNoScriptCopy } from './no-script-copy';

export type { Browser, Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const SCREENSHOT_DIR = path.resolve(__dirname, '../../../test-output/screenshots');
const DEFAULT_VIEWPORT = { width: 1280, height: 900 };
const NARROW_WIDTH = 320;
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

export interface PageOptions {
  /** false = the page as a citizen without JavaScript sees it; every page must work that way. */
  javaScript: boolean;
  /** Viewport width in CSS px; 1280 unless given. */
  width?: number;
  /** Browser language (Accept-Language, navigator.language); de-DE unless given. */
  locale?: 'de-DE' | 'en-GB';
}

interface PageInfo {
  javaScript: boolean;
  locale: 'de-DE' | 'en-GB';
  /** The response that brought the current document, for its Content-Security-Policy. */
  document?: Response;
}

/** What newPage knew about each page; checkAccessibility needs to know whether JS is off. */
const pages = new WeakMap<Page, PageInfo>();

/**
 * Launches Debian's Chromium headless. Throws when it is not installed: e2e tests must fail
 * loudly rather than skip, or a machine without Chromium would pass them all unseen.
 */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium is required for the end-to-end tests but ${CHROMIUM_PATH} is missing: ` +
        'apt-get install -y --no-install-recommends chromium (.ci/run installs it in CI).',
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * A page in a fresh context (own cookies). The page keeps the server's Content-Security-Policy
 * (no bypassCSP): what the tests see is what the CSP lets a citizen's browser do.
 */
export async function newPage(browser: Browser, options: PageOptions): Promise<Page> {
  const locale = options.locale ?? 'de-DE';
  const context = await browser.newContext({
    javaScriptEnabled: options.javaScript,
    viewport: { width: options.width ?? DEFAULT_VIEWPORT.width, height: DEFAULT_VIEWPORT.height },
    locale,
  });
  const page = await context.newPage();
  const info: PageInfo = { javaScript: options.javaScript, locale };
  pages.set(page, info);
  page.on('response', (response) => {
    if (response.request().isNavigationRequest() && response.frame() === page.mainFrame()) {
      info.document = response;
    }
  });
  return page;
}

/** One axe violation, reduced in the browser to what the failure message shows. */
interface Violation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  count: number;
  nodes: { target: string; html: string }[];
}

/**
 * Runs axe-core (WCAG 2.0/2.1/2.2 A and AA rules) and throws one readable Error listing every
 * violation; zero violations pass.
 *
 * axe is injected through the DevTools protocol (`page.evaluate(axe.source)`), which the page's
 * CSP does not govern, so no bypassCSP is needed (`addScriptTag` would be blocked by
 * `script-src 'self'`). With JavaScript disabled, axe can be injected but `axe.run` never
 * settles (the document runs no timers, and switching script execution back on over CDP does
 * not revive them), so axe runs on a JS-enabled copy; see no-script-copy.ts.
 */
export async function checkAccessibility(page: Page, label: string): Promise<void> {
  const info = pages.get(page);
  if (!info) throw new Error(`checkAccessibility("${label}"): open the page with newPage()`);
  const violations = info.javaScript
    ? await runAxe(page)
    : await onNoScriptCopy({ page, locale: info.locale, document: info.document }, runAxe);
  if (violations.length > 0) {
    const mode = info.javaScript ? 'JavaScript on' : 'JavaScript off; axe ran on a copy';
    throw new Error(
      `Accessibility: ${violations.length} axe violation(s) on "${label}" (${page.url()}, ${mode}):\n` +
        violations.map(formatViolation).join('\n'),
    );
  }
}

async function runAxe(page: Page): Promise<Violation[]> {
  if ((await page.evaluate<boolean>('typeof globalThis.axe === "undefined"'))) {
    await page.evaluate(axe.source);
  }
  const options = JSON.stringify({ runOnly: { type: 'tag', values: AXE_TAGS } });
  return page.evaluate<Violation[]>(`
    axe.run(document, ${options}).then((result) => result.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl, count: v.nodes.length,
      nodes: v.nodes.slice(0, 3).map((n) => ({
        // One selector per frame level, shadow DOM steps within a level joined by >>>.
        target: n.target.map((t) => [].concat(t).join(' >>> ')).join(' | '),
        html: n.html,
      })),
    })))`);
}

function formatViolation(v: Violation): string {
  const nodes = v.nodes.map((n) => `    ${n.target}  ${n.html.slice(0, 200)}`);
  const more = v.count > v.nodes.length ? [`    … and ${v.count - v.nodes.length} more`] : [];
  return [`  - ${v.id} [${v.impact ?? 'no impact'}] ${v.help} (${v.helpUrl})`, ...nodes, ...more].join('\n');
}

/**
 * Full-page PNGs at the current width and at 320 CSS px in test-output/screenshots
 * (`<name>-desktop.png`, `<name>-320.png`), then asserts that at 320 px nothing needs horizontal
 * scrolling (WCAG 1.4.10). Works with JavaScript disabled: Playwright's screenshots and
 * evaluate go through the DevTools protocol, not page scripts.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}-desktop.png`), fullPage: true });
  const viewport = page.viewportSize() ?? DEFAULT_VIEWPORT;
  await page.setViewportSize({ width: NARROW_WIDTH, height: viewport.height });
  try {
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}-320.png`), fullPage: true });
    const overflow = await page.evaluate<{ scrollWidth: number; clientWidth: number; widest: string[] }>(`(() => {
      const root = document.documentElement;
      const widest = [...document.body.querySelectorAll('*')]
        .map((el) => ({ el, right: el.getBoundingClientRect().right }))
        .filter((e) => e.right > root.clientWidth)
        .sort((a, b) => b.right - a.right)
        .slice(0, 3)
        .map((e) => e.el.tagName.toLowerCase() + (e.el.id ? '#' + e.el.id : '') +
          [...e.el.classList].map((c) => '.' + c).join('') + ' (right edge ' + Math.round(e.right) + ' px)');
      return { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, widest };
    })()`);
    if (overflow.scrollWidth > overflow.clientWidth) {
      throw new Error(
        `Page "${name}" (${page.url()}) needs horizontal scrolling at ${NARROW_WIDTH} px: ` +
          `scrollWidth ${overflow.scrollWidth} > clientWidth ${overflow.clientWidth}. ` +
          `Widest elements: ${overflow.widest.join(', ') || '(none found in body)'}. ` +
          `See ${path.join(SCREENSHOT_DIR, `${name}-320.png`)}`,
      );
    }
  } finally {
    await page.setViewportSize(viewport);
  }
}

/** Starts `app` on 127.0.0.1 at a free port; close() also ends the browser's keep-alive sockets. */
export async function startServer(app: Express): Promise<{ url: string; close(): Promise<void> }> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
