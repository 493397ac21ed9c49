/**
 * `npm run test:unit`: only test/unit, the tests that need nothing but Node and `npm ci` (no
 * xmllint, poppler, qpdf, Java, Chromium, openssl, PostgreSQL, root). Same transform as the whole
 * suite (jest.config.js, which `npm test` runs once, test/unit included); no type-check and no lint
 * before it, and as many workers as the machine has, so it is done in seconds.
 * test/unit/unit-tier.test.ts fails when a unit test reaches node:child_process.
 */
const base = require('./jest.config');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  roots: ['<rootDir>/test/unit'],
  // The 2-worker limit of jest.config.js is for the servers and databases of the integration tests.
  maxWorkers: '100%',
};
