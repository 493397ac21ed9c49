/**
 * Runs browser-side work (axe) on a copy of a JavaScript-disabled page, in a JavaScript-enabled
 * page: in a document with scripting disabled, `axe.run` never settles (no timers fire, and
 * switching script execution back on over CDP does not revive them).
 *
 * The copy does not ask the server for the document again (a GET of page.url() would lose the
 * state of a POST that rendered, say, the error summary): the main document is answered from the
 * page's serialized DOM by route interception; stylesheets and images load from the server as
 * usual, with the page's cookies. It stays faithful to the no-JS page because:
 * - the original CSP is sent again (inline styles it blocked stay blocked), plus
 *   `script-src 'none'`, so no page script runs in the copy and changes the DOM (axe itself is
 *   injected over CDP, which no CSP governs);
 * - `<noscript>` content, inert text in a scripting document, is parsed back into elements.
 * Not copied: values typed with fill() (they live in properties, not in the serialized HTML).
 *
 * One copy page per browser and locale is reused: a later same-site navigation in the same tab
 * keeps its renderer process, whose V8 compilation cache makes injecting axe again ~0.1 s
 * instead of ~0.45 s, and it saves the ~0.2 s of opening a page. Checks on one copy page run
 * one after the other. `browser.close()` closes it.
 */
import type { Browser, Page, Response, Route } from 'playwright-core';

export interface NoScriptSource {
  page: Page;
  locale: string;
  /** The response that brought the page's document, for its Content-Security-Policy. */
  document: Response | undefined;
}

interface CopyPage {
  page: Promise<Page>;
  /** Settles when the last check queued on this copy page is done. */
  queue: Promise<unknown>;
}

const copyPages = new WeakMap<Browser, Map<string, CopyPage>>();

/** Loads a copy of `source.page` into the shared JS-enabled copy page and runs `work` there. */
export async function onNoScriptCopy<T>(source: NoScriptSource, work: (copy: Page) => Promise<T>): Promise<T> {
  const browser = source.page.context().browser();
  if (!browser) throw new Error('checkAccessibility: the page has no browser (persistent context?)');
  const url = new URL(source.page.url());
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`checkAccessibility: a JavaScript-off page must come from a server (got ${url.href})`);
  }
  url.hash = ''; // never sent to the server, so the intercepted request has none
  const copy = copyPageFor(browser, source.locale);
  const run = copy.queue.then(async () => {
    let page = await copy.page;
    if (page.isClosed()) {
      copy.page = openCopyPage(browser, source.locale);
      page = await copy.page;
    }
    await load(page, source, url.href);
    return work(page);
  });
  copy.queue = run.catch(() => undefined);
  return run;
}

function copyPageFor(browser: Browser, locale: string): CopyPage {
  let byLocale = copyPages.get(browser);
  if (!byLocale) {
    byLocale = new Map();
    copyPages.set(browser, byLocale);
  }
  let copy = byLocale.get(locale);
  if (!copy) {
    copy = { page: openCopyPage(browser, locale), queue: Promise.resolve() };
    byLocale.set(locale, copy);
  }
  return copy;
}

async function openCopyPage(browser: Browser, locale: string): Promise<Page> {
  const context = await browser.newContext({ javaScriptEnabled: true, locale });
  return context.newPage();
}

async function load(copy: Page, source: NoScriptSource, url: string): Promise<void> {
  const html = await source.page.content();
  const originalCsp = (await source.document?.headerValue('content-security-policy')) ?? null;
  const csp = originalCsp === null ? "script-src 'none'" : `${originalCsp}, script-src 'none'`;
  const viewport = source.page.viewportSize();
  if (viewport) await copy.setViewportSize(viewport);
  await copy.context().clearCookies();
  await copy.context().addCookies(await source.page.context().cookies());

  let answered = false;
  const matches = (u: URL): boolean => u.href === url;
  const answer = (route: Route): Promise<void> => {
    answered = true;
    return route.fulfill({
      status: 200,
      headers: { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': csp },
      body: html,
    });
  };
  await copy.route(matches, answer, { times: 1 });
  try {
    await copy.goto(url);
  } finally {
    await copy.unroute(matches, answer);
  }
  // Had the route missed, the server would have answered: another page, maybe a repeated POST.
  if (!answered) throw new Error(`checkAccessibility: the copy of ${url} was not served from the page`);
  await copy.evaluate(`for (const el of document.querySelectorAll('noscript')) {
    const t = document.createElement('template');
    t.innerHTML = el.textContent;
    el.replaceWith(t.content);
  }`);
}
