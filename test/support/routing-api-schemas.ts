import { existsSync, readFileSync } from 'node:fs';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { load } from 'js-yaml';
import { sharedFile } from './shared-data';

/**
 * FIT-Connect's Routing API v2 description, read from the shared data folder (shared-data.ts:
 * EFA_SHARED_DATA, which .ci/run sets, else ../shared/data beside the checkout; see its README);
 * it is not copied into the repository. Its component schemas (OpenAPI 3.0) are
 * compiled with ajv so that tests can check our answers against them exactly as written.
 */
export const ROUTING_API_DESCRIPTION = sharedFile('fitko-routing-api-v2.yaml');

export interface RoutingApiSchemas {
  /** A validator for `#/components/schemas/<name>` (route-result, area-result, error, info, jwk …). */
  validator(name: string, change?: (schema: Record<string, unknown>) => Record<string, unknown>): ValidateFunction;
}

/** OpenAPI 3.0's `nullable: true` as JSON Schema's type list (the description may use it). */
function withoutNullable(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutNullable);
  if (node === null || typeof node !== 'object') return node;
  const entries = Object.entries(node as Record<string, unknown>).filter(([key]) => key !== 'nullable').map(([key, value]) => [key, withoutNullable(value)]);
  const converted = Object.fromEntries(entries) as Record<string, unknown>;
  if ((node as Record<string, unknown>).nullable === true && typeof converted.type === 'string') converted.type = [converted.type, 'null'];
  return converted;
}

/**
 * The schemas, or undefined when the shared folder is absent (a user's own clone). Under CI the
 * file must be there: a missing one fails with its path, it never skips.
 */
export function loadRoutingApiSchemas(file = ROUTING_API_DESCRIPTION, ci = process.env.CI === 'true'): RoutingApiSchemas | undefined {
  if (!existsSync(file)) {
    if (ci) throw new Error(`${file} is missing: the Routing API tests validate against it (see ../shared/data/README.md)`);
    return undefined;
  }
  const description = load(readFileSync(file, 'utf8')) as { components: { schemas: Record<string, Record<string, unknown>> } };
  const schemas = withoutNullable(description.components.schemas) as Record<string, Record<string, unknown>>;
  return {
    validator(name, change = (s) => s) {
      const ajv = new Ajv({ strict: true, allErrors: true });
      addFormats(ajv);
      // OpenAPI's own words: `example` (documentation), `components` (where the $refs point) and
      // the int32 format.
      ajv.addVocabulary(['example', 'components']);
      ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
      const own = schemas[name];
      if (!own) throw new Error(`${file} has no schema "${name}"`);
      ajv.addSchema({ $id: 'fitko', components: { schemas: { ...schemas, [name]: change(own) } } });
      return ajv.compile({ $ref: `fitko#/components/schemas/${name}` });
    },
  };
}
