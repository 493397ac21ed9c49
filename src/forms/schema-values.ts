import { escapeToken } from './json-pointer';

export interface ValueProblem {
  readonly pointer: string;
  readonly reason: string;
}

/**
 * `enum` and `const` texts that no normalised answer can ever equal: answers are trimmed and put
 * into NFC before validation (normalize-answers.ts), so an option written with surrounding spaces
 * or in another normal form could be offered but never chosen. Refused when the form loads.
 */
export function findUnreachableValues(schema: unknown): ValueProblem[] {
  const problems: ValueProblem[] = [];
  const check = (value: unknown, pointer: string): void => {
    if (typeof value !== 'string') return;
    if (value !== value.trim()) problems.push({ pointer, reason: `"${value}" has spaces at its start or end; answers are trimmed, so it can never be chosen` });
    else if (value !== value.normalize('NFC')) problems.push({ pointer, reason: `"${value}" is not in Unicode NFC; answers are normalised to NFC, so it can never be chosen` });
  };
  const visit = (node: unknown, pointer: string, depth: number): void => {
    if (depth > 256 || node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      node.forEach((item, i) => visit(item, `${pointer}/${i}`, depth + 1));
      return;
    }
    for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
      const at = `${pointer}/${escapeToken(key)}`;
      if (key === 'const') check(value, at);
      else if (key === 'enum' && Array.isArray(value)) value.forEach((v, i) => check(v, `${at}/${i}`));
      else if (key !== 'default' && key !== 'examples') visit(value, at, depth + 1);
    }
  };
  visit(schema, '', 0);
  return problems;
}
