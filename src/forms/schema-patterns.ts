import { linearPatternProblem } from './linear-regexp';
import { escapeToken } from '../support/json-pointer';
import { walkSchemaKeywords, type SchemaProblem } from './schema-walk';

/**
 * Every `pattern` and `patternProperties` key of a schema that RE2 cannot run (see
 * linear-regexp.ts), so that a form with one is refused at load with the exact place, instead of
 * failing somewhere inside ajv's compilation or, worse, running on a backtracking engine.
 */
export function findPatternProblems(schema: unknown): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  walkSchemaKeywords(schema, (keyword, value, pointer) => {
    if (keyword === 'pattern' && typeof value === 'string') {
      const reason = linearPatternProblem(value);
      if (reason) problems.push({ pointer, reason });
    } else if (keyword === 'patternProperties' && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const source of Object.keys(value)) {
        const reason = linearPatternProblem(source);
        if (reason) problems.push({ pointer: `${pointer}/${escapeToken(source)}`, reason });
      }
    }
  });
  return problems;
}
