import { readdirSync } from 'node:fs';
import path from 'node:path';
import { reachableImports } from '../support/import-graph';

/**
 * `npm run test:unit` (jest.unit.config.js) runs test/unit and promises to need nothing but Node
 * and `npm ci`. Every system tool the tests use (xmllint, pdftotext, qpdf, java, chromium,
 * openssl, mount) is started through node:child_process, so no file a unit test imports, however
 * indirectly, may import it; such a test belongs in test/integration.
 */
const REPO = path.join(__dirname, '..', '..');
const unitTests = readdirSync(__dirname)
  .filter((name) => name.endsWith('.test.ts'))
  .map((name) => path.join(__dirname, name));

test.each(unitTests.map((file) => path.relative(REPO, file)))('%s starts no other program', (file) => {
  const reached = reachableImports([path.join(REPO, file)]);
  const spawning = [...reached]
    .filter(([, packages]) => packages.some((p) => p === 'child_process' || p === 'node:child_process'))
    .map(([reachedFile]) => path.relative(REPO, reachedFile));
  expect(spawning).toEqual([]);
});
