/**
 * Proves the e2e harness itself: axe finds what it should (with JavaScript on and off), the
 * JS-off copy behaves like the no-JS page, and the 320 px reflow check fires.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import express from 'express';
import {
  SCREENSHOT_DIR,
  checkAccessibility,
  launchBrowser,
  newPage,
  screenshot,
  startServer,
  type Browser,
} from './support/browser';

const CSP = "default-src 'self'; script-src 'self'; style-src 'self'";

function doc(title: string, body: string, head = ''): string {
  return (
    '<!doctype html><html lang="de"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>${title}</title><link rel="stylesheet" href="/style.css">${head}</head>` +
    `<body><main><h1>${title}</h1>${body}</main></body></html>`
  );
}

const ACCESSIBLE_FORM =
  '<form method="post" action="/accessible"><label for="name">Name (Pflichtfeld)</label>' +
  '<input id="name" name="name" autocomplete="name" required><button type="submit">Weiter</button></form>';

/** Requests the server saw per path, to prove the JS-off copy asks for no document again. */
const requests = new Map<string, number>();

function testApp(): express.Express {
  const app = express();
  app.use((req, res, next) => {
    requests.set(req.path, (requests.get(req.path) ?? 0) + 1);
    res.set('Content-Security-Policy', CSP);
    next();
  });
  app.get('/style.css', (_req, res) => {
    res.type('css').send(
      'body { font-family: sans-serif; margin: 1rem; color: #1a1a1a; background: #fff; }\n' +
        'label, input, button { display: block; margin: 0.5rem 0; font-size: 1rem; }\n' +
        '.wide { width: 600px; height: 2rem; background: #036; }\n',
    );
  });
  // Adds an unlabelled input: only a page that ran this script has the violation.
  app.get('/enhance.js', (_req, res) => {
    res.type('js').send("document.querySelector('main').append(document.createElement('input'));");
  });
  app.get('/accessible', (_req, res) => res.type('html').send(doc('Antrag stellen', ACCESSIBLE_FORM)));
  // A POST result the JS-off copy must reproduce without posting again.
  app.post('/accessible', (_req, res) =>
    res.type('html').send(doc('Angaben prüfen', '<p>Danke, Ihre Angaben sind eingegangen.</p>')),
  );
  app.get('/unlabelled', (_req, res) =>
    res.type('html').send(doc('Ohne Beschriftung', '<input id="nolabel" name="x"><img src="/style.css">')),
  );
  app.get('/scripted', (_req, res) =>
    res.type('html').send(doc('Mit Skript', '<p>Text</p>', '<script src="/enhance.js" defer></script>')),
  );
  app.get('/noscript', (_req, res) =>
    res.type('html').send(doc('Ohne Skript', '<noscript><input id="fallback" name="y"></noscript>')),
  );
  // Light grey on white fails contrast, but the CSP (style-src 'self') blocks the inline style.
  app.get('/inline-style', (_req, res) =>
    res.type('html').send(doc('Inline-Stil', '<p style="color:#eee">Kaum lesbar, wenn erlaubt</p>')),
  );
  app.get('/wide', (_req, res) => res.type('html').send(doc('Zu breit', '<div class="wide"></div>')));
  return app;
}

let browser: Browser;
let server: { url: string; close(): Promise<void> };

beforeAll(async () => {
  [browser, server] = await Promise.all([launchBrowser(), startServer(testApp())]);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe.each([
  ['on', true],
  ['off', false],
])('JavaScript %s', (_name, javaScript) => {
  const mode = javaScript ? 'js' : 'nojs';

  test('an accessible page passes axe and fits 320 px', async () => {
    const page = await newPage(browser, { javaScript });
    await page.goto(`${server.url}/accessible#name`);
    await checkAccessibility(page, `accessible (${mode})`);
    await screenshot(page, `harness-accessible-${mode}`);
    for (const suffix of ['desktop', '320']) {
      const file = path.join(SCREENSHOT_DIR, `harness-accessible-${mode}-${suffix}.png`);
      expect(existsSync(file) && statSync(file).size > 1000).toBe(true);
    }
    expect(page.viewportSize()).toEqual({ width: 1280, height: 900 });
  });

  test('a missing label is reported with rule id, selector and label', async () => {
    const page = await newPage(browser, { javaScript, locale: 'en-GB' });
    await page.goto(`${server.url}/unlabelled`);
    const error = await checkAccessibility(page, 'unlabelled').then(() => null, (err: unknown) => err);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toContain('"unlabelled"');
    expect(message).toMatch(/- label \[critical\]/);
    expect(message).toContain('    #nolabel  <input id="nolabel" name="x">');
    expect(message).toMatch(/- image-alt \[critical\]/);
  });

  test('inline styles that the CSP blocks stay blocked', async () => {
    const page = await newPage(browser, { javaScript });
    await page.goto(`${server.url}/inline-style`);
    await checkAccessibility(page, 'inline style');
  });

  test('a page wider than 320 px fails the reflow check', async () => {
    const page = await newPage(browser, { javaScript, width: 1024 });
    await page.goto(`${server.url}/wide`);
    await expect(screenshot(page, `harness-wide-${mode}`)).rejects.toThrow(
      /Page "harness-wide-.*" \(http:\/\/127\.0\.0\.1:\d+\/wide\) needs horizontal scrolling at 320 px.*div\.wide/,
    );
    expect(page.viewportSize()).toEqual({ width: 1024, height: 900 });
  });
});

test('JavaScript on: what scripts add is checked', async () => {
  const page = await newPage(browser, { javaScript: true });
  await page.goto(`${server.url}/scripted`);
  await page.waitForSelector('main > input', { state: 'attached' });
  await expect(checkAccessibility(page, 'scripted')).rejects.toThrow(/- label \[critical\]/);
});

test('JavaScript off: page scripts do not run in the copy axe checks', async () => {
  const page = await newPage(browser, { javaScript: false });
  await page.goto(`${server.url}/scripted`);
  await checkAccessibility(page, 'scripted without JS');
});

test('JavaScript off: <noscript> content is checked, and passes with JavaScript on', async () => {
  const off = await newPage(browser, { javaScript: false });
  await off.goto(`${server.url}/noscript`);
  await expect(checkAccessibility(off, 'noscript')).rejects.toThrow(/#fallback/);
  const on = await newPage(browser, { javaScript: true });
  await on.goto(`${server.url}/noscript`);
  await checkAccessibility(on, 'noscript with JS');
});

test('JavaScript off: the result of a POST is checked without posting again', async () => {
  const page = await newPage(browser, { javaScript: false });
  await page.goto(`${server.url}/accessible`);
  await page.fill('#name', 'Erika Mustermann');
  await page.click('button[type=submit]');
  await page.waitForURL(`${server.url}/accessible`);
  expect(await page.title()).toBe('Angaben prüfen');
  const before = requests.get('/accessible');
  await checkAccessibility(page, 'after POST');
  expect(requests.get('/accessible')).toBe(before);
});

test('JavaScript off: checks at the same time each see their own page', async () => {
  const [good, bad] = await Promise.all([newPage(browser, { javaScript: false }), newPage(browser, { javaScript: false })]);
  await Promise.all([good.goto(`${server.url}/accessible`), bad.goto(`${server.url}/unlabelled`)]);
  const [first, second] = await Promise.allSettled([
    checkAccessibility(bad, 'bad'),
    checkAccessibility(good, 'good'),
  ]);
  expect(first).toMatchObject({ status: 'rejected', reason: expect.objectContaining({ message: expect.stringContaining('"bad"') }) });
  expect(second).toEqual({ status: 'fulfilled', value: undefined });
});
