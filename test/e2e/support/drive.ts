/// <reference lib="dom" />
// Functions passed to page.evaluate run in the browser, so this file needs the DOM types.
import type { Page } from 'playwright-core';
import type { CompiledForm as FormModel } from '../../../src/forms/compiled-form';
import type { FormStep } from '../../../src/forms/form-tree';
import { stepFormFields, type ChosenFile } from '../../support/page-form';
import { checkAccessibility, screenshot } from './browser';

/** Checks one page state: axe (zero violations), then screenshots at desktop and 320 px. */
export async function inspect(page: Page, name: string): Promise<void> {
  await checkAccessibility(page, name);
  await screenshot(page, name);
}

export function stepIdOf(page: Page): string | undefined {
  return /\/steps\/([^/?#]+)/.exec(page.url())?.[1];
}

/** The step's fields except the hidden list counters (lists are grown with their buttons). */
export function visibleFields(model: FormModel, step: FormStep, data: unknown): Array<[string, string]> {
  return stepFormFields(model, step, data).filter(([name]) => !name.endsWith('|count'));
}

/** How many entries each list of the step needs, from the answers. */
export function listSizes(step: FormStep, data: unknown): Array<[string, number]> {
  return step.nodes
    .filter((n) => n.kind === 'repeat')
    .map((n) => {
      const list = (data as Record<string, unknown>)[n.name];
      return [n.pattern, Array.isArray(list) ? list.length : 0];
    });
}

const css = (name: string) => `[name="${name.replace(/"/g, '\\"')}"]`;

/** Fills a step as a mouse user would (playwright fill/check/select), without pressing keys. */
export async function fillWithPointer(page: Page, fields: ReadonlyArray<readonly [string, string]>): Promise<void> {
  for (const [name, value] of fields) {
    const first = page.locator(css(name)).first();
    const type = await first.getAttribute('type');
    const tag = await first.evaluate((el) => el.tagName.toLowerCase());
    if (type === 'radio' || type === 'checkbox') await page.locator(`${css(name)}[value="${value}"]`).check();
    else if (tag === 'select') await first.selectOption(value);
    else await first.fill(value);
  }
}

/** Grows the lists of the current step to the sizes needed with the "add another" button. */
export async function growLists(page: Page, sizes: ReadonlyArray<readonly [string, number]>, useKeyboard: boolean): Promise<void> {
  for (const [pointer, size] of sizes) {
    for (;;) {
      const count = Number(await page.locator(css(`${pointer}|count`)).getAttribute('value'));
      if (count >= size) break;
      const button = page.locator(`button[value="add:${pointer}"]`);
      if (useKeyboard) await pressButton(page, `add:${pointer}`);
      else await button.click();
      await page.waitForLoadState();
    }
  }
}

async function activeName(page: Page): Promise<string | null> {
  return page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name ?? null);
}

/** Presses Tab until the element matching `predicate` has focus; fails after 400 presses. */
async function tabTo(page: Page, describe: string, predicate: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await predicate()) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`keyboard: could not reach ${describe} with Tab`);
}

/** Tabs to the submit button with this value (or the link with this text) and presses Enter. */
export async function pressButton(page: Page, value: string): Promise<void> {
  await tabTo(page, `button ${value}`, async () =>
    page.evaluate((v) => {
      const el = document.activeElement as HTMLButtonElement | HTMLAnchorElement | null;
      return !!el && ((el.tagName === 'BUTTON' && (el as HTMLButtonElement).value === v) || (el.tagName === 'A' && el.textContent?.trim() === v));
    }, value));
  // Every button and link used here loads a new page (POST, redirect, GET).
  await Promise.all([page.waitForEvent('load'), page.keyboard.press('Enter')]);
}

/**
 * Chooses the step's files one at a time (the input takes one) and sends each with its
 * question's upload button, clicked or reached with Tab and pressed with Enter; a keyboard user
 * first tabs to the input, where the file chooser opens. Fails unless each file is then listed
 * on the page. With JavaScript the script sends the upload and may answer in place, without a
 * new page load, so this waits for the list rather than for a load.
 */
export async function uploadFiles(page: Page, files: readonly ChosenFile[], useKeyboard: boolean): Promise<void> {
  for (const file of files) {
    const items = page.locator('.efa-file__item');
    const before = await items.count();
    const input = page.locator(`input[type="file"]${css(file.pointer)}`);
    if (useKeyboard) {
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      await tabTo(page, file.pointer, async () => (await activeName(page)) === file.pointer);
    }
    await input.setInputFiles({ name: file.name, mimeType: 'application/pdf', buffer: file.bytes });
    if (useKeyboard) {
      // From the input onwards, the first upload button is its question's.
      await tabTo(page, `upload button of ${file.pointer}`, async () =>
        page.evaluate(() => {
          const el = document.activeElement as HTMLButtonElement | null;
          return el?.tagName === 'BUTTON' && el.name === '_action' && el.value.startsWith('upload');
        }));
      await page.keyboard.press('Enter');
    } else {
      await page.locator('[data-file-question]', { has: input }).locator('button[name="_action"][value^="upload"]').click();
    }
    const summary = page.locator('.efa-error-summary');
    await items.nth(before).or(summary).first().waitFor();
    await page.waitForLoadState();
    if ((await summary.count()) > 0) throw new Error(`upload of ${file.name} refused: ${(await summary.textContent())?.replace(/\s+/g, ' ').trim()}`);
    const listed = (await items.nth(before).locator('.efa-file__name').textContent())?.trim();
    if (listed !== file.name) throw new Error(`upload: listed "${String(listed)}", expected "${file.name}"`);
  }
}

/**
 * Fills a step with the keyboard only: Tab to each field, type text, Space for checkboxes,
 * arrow keys in radio groups and selects, as a citizen without a mouse does.
 */
export async function fillWithKeyboard(page: Page, fields: ReadonlyArray<readonly [string, string]>): Promise<void> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  for (const [name, value] of fields) {
    await tabTo(page, name, async () => (await activeName(page)) === name);
    const info = await page.evaluate(() => {
      const el = document.activeElement as HTMLInputElement;
      return { tag: el.tagName.toLowerCase(), type: el.type, checked: el.checked, value: el.value };
    });
    if (info.type === 'checkbox') {
      if (!info.checked) await page.keyboard.press('Space');
    } else if (info.type === 'radio') {
      for (let i = 0; i < 20; i++) {
        const now = await page.evaluate(() => {
          const el = document.activeElement as HTMLInputElement;
          return { value: el.value, checked: el.checked };
        });
        if (now.value === value) {
          if (!now.checked) await page.keyboard.press('Space');
          break;
        }
        await page.keyboard.press('ArrowDown');
      }
    } else if (info.tag === 'select') {
      for (let i = 0; i < 50 && (await page.evaluate(() => (document.activeElement as HTMLSelectElement).value)) !== value; i++) {
        await page.keyboard.press('ArrowDown');
      }
    } else {
      await page.keyboard.press('Control+A');
      await page.keyboard.press('Delete');
      await page.keyboard.type(value);
    }
    const result = await page.evaluate((n) => {
      const els = [...document.querySelectorAll<HTMLInputElement>(`[name="${n}"]`)];
      const el = els.find((e) => (e.type === 'radio' || e.type === 'checkbox' ? e.checked : true));
      return el?.value ?? null;
    }, name);
    if (result !== value) throw new Error(`keyboard: ${name} is "${String(result)}", expected "${value}"`);
  }
}
