/**
 * js-yaml comes with the dev tooling (eslint's config loader) and ships no types; the tests use
 * it only to read the shared FIT-Connect OpenAPI description (test/support/routing-api-schemas.ts).
 */
declare module 'js-yaml' {
  export function load(text: string): unknown;
}
