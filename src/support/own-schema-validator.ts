import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

/**
 * The ajv for the schemas that ship with the code and check operators' files
 * (routing/tenant.schema.json, forms/form-definition.schema.json): strict, first error only. It is
 * set for start-up time, since both are compiled at every start (issue 14 point 5), each option
 * leaving what the validators decide as it was:
 *
 * - validateSchema: false. The schemas are ours, not operators' files; test/unit/own-schemas.test.ts
 *   checks that they are valid JSON Schema 2020-12. Checking them here compiled the whole 2020-12
 *   meta-schema for nothing but that (once per ajv, and there were two).
 * - code.optimize: false (see forms/data-ajv.ts).
 * - inlineRefs: false. Each $defs entry becomes one function instead of a copy at every $ref
 *   (the tenant's validator: 41 KB of source instead of 67 KB). Results and errors are the same
 *   but for schemaPath, which describeSchemaError does not read.
 *
 * One ajv for both: formats are set up once. The schemas' $ids differ, so they do not clash.
 */
let ajv: Ajv2020 | undefined;

export function compileOwnSchema(schema: object): ValidateFunction {
  if (!ajv) {
    ajv = new Ajv2020({ strict: true, allErrors: false, validateSchema: false, inlineRefs: false, code: { optimize: false } });
    addFormats(ajv);
  }
  return ajv.compile(schema);
}
