import type { ErrorObject } from 'ajv';

/** The pattern tenant-file texts carry: no control characters but tab, line feed and carriage return. */
export const NO_CONTROL_CHARACTERS = '^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F]*$';

/**
 * Turns ajv's first error about a configuration file into a pointer and a reason an operator can
 * act on: a missing property points at the property, not at its parent object.
 */
export function describeSchemaError(error: ErrorObject | null | undefined): { pointer: string; reason: string } {
  if (!error) return { pointer: '', reason: 'invalid' };
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required') return { pointer: `${error.instancePath}/${String(params.missingProperty)}`, reason: 'is required' };
  if (error.keyword === 'additionalProperties') {
    return { pointer: `${error.instancePath}/${String(params.additionalProperty)}`, reason: 'is not a known property' };
  }
  // The schemas' one pattern against control characters, said in words rather than as a regex.
  if (error.keyword === 'pattern' && params.pattern === NO_CONTROL_CHARACTERS) {
    return { pointer: error.instancePath, reason: 'contains a control character (only tab and line breaks are allowed in texts)' };
  }
  return { pointer: error.instancePath, reason: error.message ?? error.keyword };
}
