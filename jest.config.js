/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
    // jose 6 ships only ES modules. Node itself requires them (require(esm)), but Jest's CommonJS
    // module loader cannot, so its files are transpiled to CommonJS like our own code.
    '/node_modules/jose/.+\\.js$': ['ts-jest', { tsconfig: { allowJs: true } }],
  },
  // Everything else in node_modules is CommonJS already and stays untransformed (and fast).
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  // Integration tests start servers and databases; keep the run predictable on 2 cores.
  maxWorkers: 2,
  testTimeout: 30000,
};
