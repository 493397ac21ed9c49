import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * docs/architecture.md lists every folder of src/ with its job, the way docs/errors.md lists every
 * error code. The rule: a folder is listed when the first cell of a table row in the document
 * names it in backticks, as `<path>/` or `src/<path>/` (a link around it is fine):
 *
 *   | `delivery/email/` | Mail transport, the authority's e-mail channel, … |
 *   | [`src/config/`](../src/config) | … |
 *
 * Every folder below src/ that holds a file of its own must be listed (a folder holding only
 * folders, like src/payloads/, is listed through them), and every listed folder must exist, as
 * must every file the document names as `src/<path>.ts`.
 */
const SRC = path.join(__dirname, '..', '..', 'src');
const doc = readFileSync(path.join(__dirname, '..', '..', 'docs', 'architecture.md'), 'utf8');

function foldersWithFiles(dir: string, relative = ''): string[] {
  const entries = readdirSync(dir, { withFileTypes: true });
  const own = relative !== '' && entries.some((e) => e.isFile()) ? [relative] : [];
  return [
    ...own,
    ...entries
      .filter((e) => e.isDirectory())
      .flatMap((e) => foldersWithFiles(path.join(dir, e.name), relative === '' ? e.name : `${relative}/${e.name}`)),
  ];
}

/** The folders named in backticks in the first cell of a table row, without `src/` and the last slash. */
function listedFolders(markdown: string): string[] {
  return markdown
    .split('\n')
    .map((line) => /^\|([^|]*)\|/.exec(line)?.[1] ?? '')
    .flatMap((cell) => [...cell.matchAll(/`(?:src\/)?([\w-]+(?:\/[\w-]+)*)\/`/g)].map((m) => m[1]!));
}

const folders = foldersWithFiles(SRC).sort();
const listed = new Set(listedFolders(doc));

describe('docs/architecture.md', () => {
  test.each(folders)('lists src/%s/ with its job', (folder) => {
    expect(listed.has(folder)).toBe(true);
  });

  test('lists no folder that does not exist in src/', () => {
    expect([...listed].filter((folder) => !folders.includes(folder)).sort()).toEqual([]);
  });

  test('names only files of src/ that exist', () => {
    const named = [...new Set([...doc.matchAll(/src\/((?:[\w-]+\/)*[\w.-]+\.(?:ts|json))/g)].map((m) => m[1]!))];
    expect(named.filter((file) => !existsSync(path.join(SRC, file))).sort()).toEqual([]);
  });

  test('the rule reads folders from the first cell of table rows only', () => {
    expect(listedFolders('| `http/`, [`src/http/pages/`](../src/http/pages) | the `render/` folder |\nsee `forms/`\n| `errors.ts` | x |')).toEqual([
      'http',
      'http/pages',
    ]);
  });
});
