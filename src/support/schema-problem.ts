import type { ErrorObject } from 'ajv';

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
  return { pointer: error.instancePath, reason: error.message ?? error.keyword };
}
