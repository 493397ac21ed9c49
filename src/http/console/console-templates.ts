import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import Handlebars from 'handlebars';

/** The console's pages (templates/console/), compiled once at start. */
export interface ConsoleTemplates {
  /** One page of templates/console/pages/ inside templates/console/layout.hbs. */
  render(page: string, model: Readonly<Record<string, unknown>>): string;
}

/** Leading white space of template lines is for people reading them; no console page has a <pre>. */
function compact(source: string): string {
  return source.replace(/^[ \t]+/gm, '');
}

async function readFolder(folder: string): Promise<Map<string, string>> {
  const files = (await readdir(folder).catch(() => [] as string[])).filter((f) => f.endsWith('.hbs'));
  const entries = await Promise.all(files.map(async (f) => [f.slice(0, -4), compact(await readFile(path.join(folder, f), 'utf8'))] as const));
  return new Map(entries);
}

/**
 * Reads templates/console/ (layout.hbs, pages/, partials/) into a Handlebars environment of its
 * own, so the console's partials never mix with the citizen pages'. A missing layout stops the
 * start (the rejection names the file).
 */
export async function loadConsoleTemplates(templatesDir: string): Promise<ConsoleTemplates> {
  const dir = path.join(templatesDir, 'console');
  const hbs = Handlebars.create();
  for (const [name, source] of await readFolder(path.join(dir, 'partials'))) hbs.registerPartial(name, hbs.compile(source));
  const layout = hbs.compile(compact(await readFile(path.join(dir, 'layout.hbs'), 'utf8')), { strict: false });
  const pages = new Map<string, HandlebarsTemplateDelegate>();
  for (const [name, source] of await readFolder(path.join(dir, 'pages'))) pages.set(name, hbs.compile(source));
  return {
    render(page, model) {
      const template = pages.get(page);
      if (!template) throw new Error(`no console page template ${page}`);
      return layout({ ...model, body: template(model) });
    },
  };
}
