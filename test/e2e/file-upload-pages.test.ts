/// <reference lib="dom" />
import { randomBytes } from 'node:crypto';
import type { Container } from '../../src/container';
import { fieldId } from '../../src/forms/field-view';
import { ATTACHMENT_REFUSAL_TEXTS, FILE_STATUS_TEXTS } from '../../src/i18n/attachment-texts';
import { ERFURT, FILE_FORM, FILE_POINTER, fileFormContainer } from '../support/file-pages';
import { tempDir } from '../support/temp-dir';
import { launchBrowser, newPage, startServer, type Browser, type Page } from './support/browser';
import { fillWithKeyboard, inspect, pressButton } from './support/drive';

const pdf = (size: number) => Buffer.concat([Buffer.from('%PDF-1.7\n', 'latin1'), randomBytes(size - 9)]);
const png = (size: number) => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(size - 8)]);
const FIELD = fieldId(FILE_POINTER);

jest.setTimeout(120_000);

/**
 * Issue 15, point 2, in Debian's Chromium: the file question's step with JavaScript off (upload,
 * remove, upload again, submit; the keyboard reaches every control), the refusal shown in the
 * summary and at the field, and with JavaScript on the upload's progress. Every page state is
 * checked with axe and at 320 px (test/e2e/support/drive.ts inspect).
 */
describe('file questions in Chromium', () => {
  const dir = tempDir();
  let container: Container;
  let server: { url: string; close(): Promise<void> };
  let browser: Browser;

  beforeAll(async () => {
    container = await fileFormContainer(dir.path);
    server = await startServer(container.app);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await container?.close(1000);
    dir.remove();
  });

  async function open(options: { javaScript: boolean }): Promise<Page> {
    const page = await newPage(browser, options);
    page.setDefaultTimeout(10_000);
    return page;
  }

  const postalCode = () => container.routing.tenants().flatMap((t) => t.municipalities).find((m) => m.ars === ERFURT)!.postalCodes[0]!;

  /** From the start page past the region step, with the keyboard. */
  async function toFileStep(page: Page): Promise<void> {
    await page.goto(`${server.url}/forms/${FILE_FORM}/start`);
    await fillWithKeyboard(page, [['_q', postalCode()]]);
    await pressButton(page, 'search');
    await fillWithKeyboard(page, [['/gemeinde', ERFURT]]);
    await pressButton(page, 'continue');
    expect(new URL(page.url()).pathname).toBe(`/forms/${FILE_FORM}/steps/angaben`);
  }

  /** Tabs to the file input (a keyboard user opens the file chooser from there) and chooses a file. */
  async function chooseFile(page: Page, name: string, buffer: Buffer, mimeType = 'application/pdf'): Promise<void> {
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    for (let i = 0; i < 100 && (await page.evaluate((n) => (document.activeElement as HTMLInputElement | null)?.name === n, FILE_POINTER)) === false; i++) {
      await page.keyboard.press('Tab');
    }
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.type)).toBe('file');
    await page.locator(`#${FIELD}`).setInputFiles({ name, mimeType, buffer });
  }

  const listed = (page: Page) => page.locator('.efa-file__item .efa-file__name').allTextContents();

  test('without JavaScript: upload, remove, upload again, submit, all by keyboard', async () => {
    const page = await open({ javaScript: false });
    await toFileStep(page);
    await inspect(page, 'file-step');
    await fillWithKeyboard(page, [['/name', 'Anna Muster']]);
    await chooseFile(page, 'Erster Versuch.pdf', pdf(30_000));
    await pressButton(page, 'upload');
    expect(await listed(page)).toEqual(['Erster Versuch.pdf']);
    await expect(page.locator('.efa-file__size').first().textContent()).resolves.toBe('(29,3\u00a0KB)');
    await inspect(page, 'file-step-uploaded');
    // The remove button says which file it removes.
    const remove = page.locator('.efa-file__remove');
    await expect(remove.evaluate((b) => b.textContent?.replace(/\s+/g, ' ').trim())).resolves.toBe('Entfernen Erster Versuch.pdf');
    await pressButton(page, (await remove.getAttribute('value'))!);
    expect(await listed(page)).toEqual([]);
    await chooseFile(page, 'Fahrzeugschein.pdf', pdf(12_000));
    await pressButton(page, 'upload');
    expect(await listed(page)).toEqual(['Fahrzeugschein.pdf']);
    await pressButton(page, 'continue');
    expect(new URL(page.url()).pathname).toBe(`/forms/${FILE_FORM}/check`);
    await expect(page.locator('.efa-summary-list__files li').allTextContents()).resolves.toEqual(['Fahrzeugschein.pdf (11,7\u00a0KB)']);
    await inspect(page, 'file-check');
    await pressButton(page, 'submit');
    await expect(page.locator('h1').textContent()).resolves.toBe('Antrag eingegangen');
    await expect(page.locator('.efa-list .efa-file__name').allTextContents()).resolves.toEqual(['Fahrzeugschein.pdf']);
    await inspect(page, 'file-confirmation');
    const reference = (await page.locator('.efa-reference').textContent())!.trim();
    const sent = await container.store.attachments.ofSubmission(reference);
    expect(sent.map((a) => [a.fileName, a.size])).toEqual([['Fahrzeugschein.pdf', 12_000]]);
    await page.context().close();
  });

  test('without JavaScript: a refused file is in the summary and at the field, whose link leads to the input', async () => {
    const page = await open({ javaScript: false });
    await toFileStep(page);
    await chooseFile(page, 'foto.pdf', png(4000));
    await pressButton(page, 'upload');
    const message = `Nachweis: ${ATTACHMENT_REFUSAL_TEXTS['type not accepted'].de}`;
    await expect(page.locator('.efa-error-summary a').allTextContents()).resolves.toEqual([message]);
    await expect(page.locator(`#${FIELD}-error`).textContent()).resolves.toContain(message);
    await expect(page.locator('.efa-error-summary a').getAttribute('href')).resolves.toBe(`#${FIELD}`);
    await inspect(page, 'file-step-refused');
    await page.context().close();
  });

  test('with JavaScript: the upload shows its progress in a live region and the page shows the file', async () => {
    const page = await open({ javaScript: true });
    const problems: string[] = [];
    page.on('console', (m) => {
      // The refused upload's 400 is the answer expected; anything else (a CSP refusal, a script error) is not.
      if (m.type() === 'error' && !m.text().includes('status of 400')) problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    await toFileStep(page);
    await inspect(page, 'file-step-js');
    // What the script puts into the question's live region, as it happens.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { seen: string[] }).seen = seen;
      const status = document.querySelector('[data-upload-status]')!;
      new MutationObserver(() => {
        const bar = status.querySelector('progress');
        seen.push(`${bar ? `progress:${bar.getAttribute('aria-label')}` : 'none'}|${status.textContent ?? ''}`);
      }).observe(status, { childList: true, subtree: true, characterData: true });
    });
    await page.locator('[name="/name"]').fill('Anna Muster');
    await page.locator(`#${FIELD}`).setInputFiles({ name: 'gross.pdf', mimeType: 'application/pdf', buffer: pdf(90_000) });
    await page.locator('button[value="upload"]').click();
    await page.locator('.efa-file__item').waitFor();
    expect(await listed(page)).toEqual(['gross.pdf']);
    // Answered in place: the same document, which saw the progress bar and its texts.
    const seen = await page.evaluate(() => (window as unknown as { seen?: string[] }).seen ?? []);
    expect(seen.some((s) => s.startsWith('progress:Fortschritt beim Hochladen'))).toBe(true);
    expect(seen.some((s) => s.includes('Die Datei ist hochgeladen und wird geprüft.'))).toBe(true);
    await expect(page.locator('[data-upload-status]').getAttribute('aria-live')).resolves.toBe('polite');
    await inspect(page, 'file-step-js-uploaded');
    // A refused file: the error page replaces the form, its summary focused.
    await page.locator(`#${FIELD}`).setInputFiles({ name: 'foto.pdf', mimeType: 'application/pdf', buffer: png(3000) });
    await page.locator('button[value="upload"]').click();
    await page.locator('.efa-error-summary').waitFor();
    expect(await page.evaluate(() => document.activeElement?.classList.contains('efa-error-summary'))).toBe(true);
    await expect(page.title()).resolves.toMatch(/^Fehler: /);
    // With a file chosen, "Weiter" sends it too and goes on.
    await page.locator(`#${FIELD}`).setInputFiles({ name: 'zweite.pdf', mimeType: 'application/pdf', buffer: pdf(5000) });
    await page.locator('.efa-button-group button[value="continue"]').click();
    await page.waitForURL(`${server.url}/forms/${FILE_FORM}/check`);
    await expect(page.locator('.efa-summary-list__files li').allTextContents()).resolves.toEqual(['gross.pdf (87,9\u00a0KB)', 'zweite.pdf (4,9\u00a0KB)']);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  const note = (page: Page) => page.locator('[data-file-note]');
  /** What has focus, as a short description ("body", or the tag with its id or data attribute). */
  const focused = (page: Page) => page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return 'body';
    return `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.hasAttribute('data-file-note') ? '[data-file-note]' : ''}${el.hasAttribute('data-upload-status') ? '[data-upload-status]' : ''}`;
  });

  test('without JavaScript: the page after an upload or a removal says so in a status region, also with the question full', async () => {
    const page = await open({ javaScript: false });
    await toFileStep(page);
    await fillWithKeyboard(page, [['/name', 'Anna Muster']]);
    await chooseFile(page, 'scan.pdf', pdf(8000));
    await pressButton(page, 'upload');
    await expect(note(page).getAttribute('role')).resolves.toBe('status');
    await expect(note(page).textContent()).resolves.toBe('Datei „scan.pdf“ wurde hochgeladen.');
    // The address says nothing of the file.
    expect(page.url()).toBe(`${server.url}/forms/${FILE_FORM}/steps/angaben`);
    await chooseFile(page, 'zweiter Nachweis.pdf', pdf(9000));
    await pressButton(page, 'upload');
    // The question holds its two files: no input any more, the message and the list instead.
    expect(await listed(page)).toEqual(['scan.pdf', 'zweiter Nachweis.pdf']);
    await expect(page.locator(`input#${FIELD}`).count()).resolves.toBe(0);
    await expect(note(page).textContent()).resolves.toBe('Datei „zweiter Nachweis.pdf“ wurde hochgeladen.');
    await inspect(page, 'file-step-full');
    // Said once: a reload no longer says it.
    await page.reload();
    await expect(note(page).count()).resolves.toBe(0);
    await pressButton(page, (await page.locator('.efa-file__remove').first().getAttribute('value'))!);
    expect(await listed(page)).toEqual(['zweiter Nachweis.pdf']);
    await expect(note(page).textContent()).resolves.toBe('Die Datei wurde entfernt.');
    await expect(note(page).getAttribute('role')).resolves.toBe('status');
    await inspect(page, 'file-step-removed');
    await page.context().close();
  });

  test('with JavaScript: focus goes to the upload\u2019s status while it runs and to the message after it, never to <body>', async () => {
    const page = await open({ javaScript: true });
    await toFileStep(page);
    await page.locator('[name="/name"]').fill('Anna Muster');
    await page.locator(`#${FIELD}`).setInputFiles({ name: 'scan.pdf', mimeType: 'application/pdf', buffer: pdf(60_000) });
    // Where focus is while the server has the upload (its buttons are disabled then).
    let during = '';
    const stepUrl = `${server.url}/forms/${FILE_FORM}/steps/angaben`;
    await page.route(stepUrl, async (route) => {
      if (route.request().method() === 'POST' && during === '') during = await focused(page);
      await route.continue();
    });
    await page.locator('button[value="upload"]').focus();
    await page.keyboard.press('Enter');
    await note(page).waitFor();
    await page.unroute(stepUrl);
    expect(during).toBe(`div#${FIELD}-status[data-upload-status]`);
    await expect(note(page).textContent()).resolves.toBe('Datei „scan.pdf“ wurde hochgeladen.');
    expect(await focused(page)).toBe(`p#${FIELD}-note[data-file-note]`);
    // Tab goes on from the question.
    await page.keyboard.press('Tab');
    expect(await focused(page)).not.toBe('body');
    await inspect(page, 'file-step-js-note');
    // A removal (a normal submit): the page that comes focuses its message too.
    await Promise.all([page.waitForEvent('load'), page.locator('.efa-file__remove').click()]);
    await expect(note(page).textContent()).resolves.toBe('Die Datei wurde entfernt.');
    expect(await focused(page)).toBe(`p#${FIELD}-note[data-file-note]`);
    await page.context().close();
  });

  test('with JavaScript: an upload cut off (no answer) or too slow (408) is not sent again by itself; the message says so, the file stays chosen for another try', async () => {
    const page = await open({ javaScript: true });
    await toFileStep(page);
    await page.locator('[name="/name"]').fill('Anna Muster');
    await page.locator(`#${FIELD}`).setInputFiles({ name: 'langsam.pdf', mimeType: 'application/pdf', buffer: pdf(40_000) });
    const posts: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST') posts.push(r.url());
    });
    const interrupted = FILE_STATUS_TEXTS.interrupted.de;
    for (const answer of ['abort', 408] as const) {
      await page.route(`${server.url}/forms/${FILE_FORM}/steps/angaben`, (route) =>
        (answer === 'abort' ? route.abort('connectionreset') : route.fulfill({ status: 408, body: '' })));
      const before = posts.length;
      await page.locator('button[value="upload"]').focus();
      await page.keyboard.press('Enter');
      await page.waitForFunction((text) => document.querySelector('[data-upload-status]')?.textContent === text, interrupted);
      await page.waitForLoadState();
      // One post, no normal submit after it: still the same document, the file still chosen.
      expect(posts.length - before).toBe(1);
      await expect(page.locator(`#${FIELD}`).evaluate((input: HTMLInputElement) => [...(input.files ?? [])].map((f) => f.name))).resolves.toEqual(['langsam.pdf']);
      await expect(page.locator('button[value="upload"]').isEnabled()).resolves.toBe(true);
      expect(await focused(page)).toBe(`div#${FIELD}-status[data-upload-status]`);
      await page.unroute(`${server.url}/forms/${FILE_FORM}/steps/angaben`);
    }
    await inspect(page, 'file-step-js-interrupted');
    // Another try, now that the server is reached, takes the same file.
    await page.locator('button[value="upload"]').click();
    await note(page).waitFor();
    expect(await listed(page)).toEqual(['langsam.pdf']);
    await page.context().close();
  });
});
