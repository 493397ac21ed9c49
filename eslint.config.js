// @ts-check
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');

module.exports = tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'data/', 'test-output/', '*.js', 'templates/assets/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: __dirname },
    },
    rules: {
      // A promise nobody awaits loses its errors: the worker and servers must not do that.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      'no-console': 'error',
      eqeqeq: ['error', 'always'],
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Only the entry points (src/main.ts, src/worker-main.ts, src/cli/main.ts) read the environment.' }],
      // The e2e tests load the DOM types for code that runs in the browser; the server has no DOM.
      'no-restricted-globals': ['error', 'document', 'window', 'navigator', 'location', 'localStorage'],
    },
  },
  {
    files: ['test/e2e/**/*.ts'],
    rules: { 'no-restricted-globals': 'off' },
  },
  {
    // The launcher of `npm run efa` (plain CommonJS: it runs before anything is compiled).
    files: ['scripts/**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      sourceType: 'commonjs',
      globals: { require: 'readonly', __dirname: 'readonly', process: 'readonly' },
    },
    rules: { ...tseslint.configs.disableTypeChecked.rules, '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['src/main.ts', 'src/worker-main.ts', 'src/cli/main.ts', 'test/**/*.ts', 'bench/**/*.ts', 'src/dev/**/*.ts'],
    rules: { 'no-restricted-properties': 'off', 'no-console': 'off' },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Tests bend sample files into broken shapes; typing every shape would hide the intent.
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
);
