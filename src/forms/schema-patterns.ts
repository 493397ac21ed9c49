import { escapeToken } from './json-pointer';
import { linearPatternProblem } from './linear-regexp';

/** Keywords whose values are data, not schemas: a "pattern" inside them is no regular expression. */
const DATA_KEYWORDS = new Set(['const', 'enum', 'default', 'examples']);

export interface PatternProblem {
  /** JSON pointer into the form's schema. */
  readonly pointer: string;
  readonly reason: string;
}

/**
 * Every `pattern` and `patternProperties` key of a schema that RE2 cannot run (see
 * linear-regexp.ts), so that a form with one is refused at load with the exact place, instead of
 * failing somewhere inside ajv's compilation or, worse, running on a backtracking engine.
 */
export function findPatternProblems(schema: unknown): PatternProblem[] {
  const problems: PatternProblem[] = [];
  const visit = (node: unknown, pointer: string, depth: number): void => {
    if (depth > 256 || node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      node.forEach((item, i) => visit(item, `${pointer}/${i}`, depth + 1));
      return;
    }
    for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
      const at = `${pointer}/${escapeToken(key)}`;
      if (key === 'pattern' && typeof value === 'string') {
        const reason = linearPatternProblem(value);
        if (reason) problems.push({ pointer: at, reason });
      } else if (key === 'patternProperties' && value !== null && typeof value === 'object' && !Array.isArray(value)) {
        for (const [source, sub] of Object.entries(value as Record<string, unknown>)) {
          const reason = linearPatternProblem(source);
          if (reason) problems.push({ pointer: `${at}/${escapeToken(source)}`, reason });
          visit(sub, `${at}/${escapeToken(source)}`, depth + 1);
        }
      } else if (!DATA_KEYWORDS.has(key)) {
        visit(value, at, depth + 1);
      }
    }
  };
  visit(schema, '', 0);
  return problems;
}
