import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import Handlebars from 'handlebars';
import type { Language } from '../i18n/language';
import { loadTranslator, type UiStrings } from '../i18n/translator';

/** Renders a page into the layout. Templates are read and compiled once, at start. */
export interface PageRenderer {
  render(page: string, model: Readonly<Record<string, unknown>>): string;
  strings(language: Language): UiStrings;
}

/**
 * Template indentation is for people reading the templates; sending it costs bytes on every
 * page (a citizen on a slow connection, and the server writing it). Leading white space of each
 * template line goes; no template puts line-initial text inside <textarea> or <pre>.
 */
function compact(source: string): string {
  return source.replace(/^[ \t]+/gm, '');
}

async function readTemplates(folder: string): Promise<Map<string, string>> {
  const files = (await readdir(folder)).filter((f) => f.endsWith('.hbs'));
  const entries = await Promise.all(files.map(async (f) => [f.slice(0, -4), compact(await readFile(path.join(folder, f), 'utf8'))] as const));
  return new Map(entries);
}

/**
 * Loads templates/ (layouts, partials, pages, locales). A private Handlebars environment keeps
 * two apps in one process (tests) from sharing partials. Missing strings are start-up errors.
 */
export async function loadPageRenderer(templatesDir: string): Promise<PageRenderer> {
  const hbs = Handlebars.create();
  for (const [name, source] of await readTemplates(path.join(templatesDir, 'partials'))) {
    hbs.registerPartial(name, hbs.compile(source, { strict: false, noEscape: false }));
  }
  const layout = hbs.compile(compact(await readFile(path.join(templatesDir, 'layouts', 'main.hbs'), 'utf8')));
  const pages = new Map<string, HandlebarsTemplateDelegate>();
  for (const [name, source] of await readTemplates(path.join(templatesDir, 'pages'))) pages.set(name, hbs.compile(source));

  const translator = await loadTranslator(path.join(templatesDir, 'locales'));

  return {
    render(page, model) {
      const template = pages.get(page);
      if (!template) throw new Error(`no page template ${page}`);
      const body = template(model);
      return layout({ ...model, body });
    },
    strings: (language) => translator.strings(language),
  };
}
