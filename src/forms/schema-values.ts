import { walkSchemaKeywords, type SchemaProblem } from './schema-walk';

/**
 * `enum` and `const` texts that no normalised answer can ever equal: answers are trimmed and put
 * into NFC before validation (normalize-answers.ts), so an option written with surrounding spaces
 * or in another normal form could be offered but never chosen. Refused when the form loads.
 */
export function findUnreachableValues(schema: unknown): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  const check = (value: unknown, pointer: string): void => {
    if (typeof value !== 'string') return;
    if (value !== value.trim()) problems.push({ pointer, reason: `"${value}" has spaces at its start or end; answers are trimmed, so it can never be chosen` });
    else if (value !== value.normalize('NFC')) problems.push({ pointer, reason: `"${value}" is not in Unicode NFC; answers are normalised to NFC, so it can never be chosen` });
  };
  walkSchemaKeywords(schema, (keyword, value, pointer) => {
    if (keyword === 'const') check(value, pointer);
    else if (keyword === 'enum' && Array.isArray(value)) value.forEach((v, i) => check(v, `${pointer}/${i}`));
  });
  return problems;
}
