import Ajv2020 from 'ajv/dist/2020';
import definitionSchema from '../../src/forms/form-definition.schema.json';
import tenantSchema from '../../src/routing/tenant.schema.json';

/**
 * The schemas of the operators' files are ours. The server compiles them without checking them
 * against the JSON Schema 2020-12 meta-schema (ajv's validateSchema: false, in
 * src/support/own-schema-validator.ts), because compiling the meta-schema for that check alone
 * cost about a tenth of every start-up; this is that check, once, here.
 */
describe('our own JSON Schemas', () => {
  const schemas = { 'src/routing/tenant.schema.json': tenantSchema, 'src/forms/form-definition.schema.json': definitionSchema };

  test.each(Object.entries(schemas))('%s is a valid JSON Schema 2020-12', (_file, schema) => {
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    expect(ajv.validateSchema(schema)).toBe(true);
    expect(ajv.errors ?? []).toEqual([]);
  });
});
