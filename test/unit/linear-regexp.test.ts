import { readdirSync } from 'node:fs';
import path from 'node:path';
import { compileLinearRegExp, linearPatternProblem } from '../../src/forms/linear-regexp';
import { findPatternProblems } from '../../src/forms/schema-patterns';
import { readJson, SAMPLE_FORMS } from '../support/test-setup';

/**
 * A JSON Schema pattern means what ECMA-262 says (ajv compiles it with the u flag); V8 is the
 * reference. The RE2 translation must give the same answer for every pattern and input.
 */

/** Every `pattern` and `patternProperties` key in the sample forms' schemas. */
function samplePatterns(): string[] {
  const found: string[] = [];
  const visit = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(visit);
    for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
      if (key === 'pattern' && typeof value === 'string') found.push(value);
      if (key === 'patternProperties' && value !== null && typeof value === 'object') found.push(...Object.keys(value));
      visit(value);
    }
  };
  for (const id of readdirSync(SAMPLE_FORMS)) {
    visit(readJson<{ schema: unknown }>(path.join(SAMPLE_FORMS, id, 'form.json')).schema);
  }
  return [...new Set(found)];
}

const PATTERNS: readonly string[] = [
  // White space: ECMAScript's \s is Unicode, RE2's is ASCII.
  String.raw`^[^\s]+$`,
  String.raw`^\S+$`,
  String.raw`\s`,
  String.raw`^\s*$`,
  String.raw`^\s`,
  String.raw`\s$`,
  String.raw`^[\s]$`,
  String.raw`^[\s\w]+$`,
  String.raw`^[^\s\d]+$`,
  String.raw`^[\p{Lu}\s]+$`,
  // \S inside a class: rewritten as a whole.
  String.raw`[\S]`,
  String.raw`^[\S]+$`,
  String.raw`^[a\S]$`,
  String.raw`^[\s\S]$`,
  String.raw`^[^\s\S]$`,
  String.raw`^[^\S]$`,
  String.raw`^[^\S\n]+$`,
  String.raw`^[\S\t]+$`,
  String.raw`^[^\S\p{Zs}]$`,
  String.raw`^[\S\p{Zs}]+$`,
  String.raw`^[\d\S]$`,
  String.raw`^[^\d\S]$`,
  String.raw`^[\D\S]$`,
  String.raw`^[\S\u3000-\u3001]$`,
  String.raw`^[^\S\u00a0 ]$`,
  // The dot: ECMAScript's excludes \n, \r, U+2028, U+2029; RE2's only \n.
  String.raw`^.+$`,
  String.raw`^a.b$`,
  String.raw`^.$`,
  String.raw`^..$`,
  String.raw`[.]`,
  String.raw`^[.]+$`,
  String.raw`\.`,
  String.raw`^a\.b$`,
  // Escapes and class edges.
  String.raw`^[\]a]+$`,
  String.raw`^[^\]]+$`,
  String.raw`^\\d$`,
  String.raw`^\\$`,
  String.raw`^\\\\$`,
  String.raw`^[\\]$`,
  String.raw`^[\[\]]$`,
  String.raw`^[[:a]+$`,
  String.raw`^[\-a]$`,
  String.raw`^[a-]$`,
  String.raw`^[-a]$`,
  String.raw`^[--a]+$`,
  String.raw`^[a-c-e]+$`,
  String.raw`^[^^]$`,
  String.raw`^[\^]$`,
  String.raw`^\/$`,
  String.raw`^\$\^\.\*\+\?\(\)\[\]\{\}\|$`,
  String.raw`[]`,
  String.raw`^[^]$`,
  String.raw`^[^]*$`,
  String.raw`^[^a]$`,
  String.raw`^[\b]$`,
  String.raw`^a\0$`,
  String.raw`^\x41$`,
  String.raw`^\cJ$`,
  String.raw`^[\cI]$`,
  String.raw`^\t\n\v\f\r$`,
  String.raw`^\r?\n$`,
  String.raw`^[\r\n]$`,
  // \d \w \b are ASCII in both engines (u flag, no i flag).
  String.raw`^\d+$`,
  String.raw`^\w+$`,
  String.raw`^\W$`,
  String.raw`^\D$`,
  String.raw`\bword\b`,
  String.raw`\Bor\B`,
  // \u escapes, surrogate pairs, astral characters.
  String.raw`^\u00e4$`,
  String.raw`^\u00C4[a-z]+$`,
  String.raw`^\u{1F600}$`,
  String.raw`^\uD83D\uDE00$`,
  String.raw`^[\uD83D\uDE00]$`,
  String.raw`^\uD83D$`,
  String.raw`^[\uD800-\uDFFF]$`,
  '^[😀-😂]$',
  String.raw`\u2028`,
  String.raw`^[\u{1F600}-\u{1F64F}]+$`,
  // Properties, groups, quantifiers.
  String.raw`^\p{L}+$`,
  String.raw`^\P{L}$`,
  String.raw`^\p{Zs}$`,
  String.raw`^(?:a|b)+$`,
  String.raw`^(?<n>a)b?$`,
  String.raw`^a{2,3}$`,
  String.raw`^a+?b*?$`,
  String.raw`^[äöüß]+$`,
];

const INPUTS: readonly string[] = [
  '', 'a', 'b', 'aa', 'aaa', 'abc', 'word', 'a word here', 'swordfish', 'A', 'Ä', 'Ü', 'äöü', 'ß', 'abc123', '123',
  '123456789012345', 'B-AB 123', 'M AB 1234E', 'HRB 12345', 'HRA 1 AB', '+49 30 1234567', '+49 (0)30/123-45',
  ' ', 'a b', '\u00a0', 'a\u00a0b', '\u3000', '\u3001', '\u1680', '\u2000', '\u200a', '\u202f', '\u205f', '\ufeff',
  '\u200b', '\u180e', '\u0085', '\t', 'a\tb', '\v', '\f', '\r', '\n', '\r\n', 'a\rb', 'a\nb', 'axb', '\u2028',
  '\u2029', 'a\u2028b', '\t\n\v\f\r',
  '😀', '😁', '😂', '😃', 'a😀b', '😀😀', '\ud83d', '\ude00', '\ud800', 'a\ud800b',
  '\\', '\\\\', '\\d', '.', 'a.b', '..', ']', '[', ']a', 'a]', '[:a', '^', '-', '-a', 'd', 'e', '/', ':',
  '$^.*+?()[]{}|', '\b', '\0', 'a\0', 'ab', 'aab',
];

function mismatches(pattern: string): string[] {
  const reference = new RegExp(pattern, 'u');
  const linear = compileLinearRegExp(pattern);
  return INPUTS.filter((input) => linear.test(input) !== reference.test(input)).map(
    (input) => `${JSON.stringify(input)}: V8 ${reference.test(input)}, RE2 ${linear.test(input)}`,
  );
}

describe('schema patterns on RE2 answer as ECMA-262 (V8, u flag) does', () => {
  test('the sample forms have patterns, and all of them are in the corpus', () => {
    expect(samplePatterns().length).toBeGreaterThan(0);
  });

  test.each([...new Set([...samplePatterns(), ...PATTERNS])])('%s', (pattern) => {
    expect(mismatches(pattern)).toEqual([]);
  });

  test.each([
    String.raw`^\s$`,
    String.raw`^\S$`,
    String.raw`^.$`,
    String.raw`^[a\S]$`,
    String.raw`^[^\S\n]$`,
    String.raw`^[\S\p{Zs}]$`,
  ])('%s: the same for every code point of the BMP and some beyond', (pattern) => {
    const reference = new RegExp(pattern, 'u');
    const linear = compileLinearRegExp(pattern);
    const differing: string[] = [];
    const codePoints = [...Array.from({ length: 0x10000 }, (_, cp) => cp), 0x10000, 0x1f600, 0xe0020, 0x10ffff];
    for (const cp of codePoints) {
      const input = String.fromCodePoint(cp);
      if (linear.test(input) !== reference.test(input)) differing.push(`U+${cp.toString(16)}`);
    }
    expect(differing).toEqual([]);
  });

  test('toString shows the pattern as written', () => {
    expect(String(compileLinearRegExp(String.raw`^\S+$`))).toBe(String.raw`/^\S+$/`);
  });
});

describe('patterns that cannot run are refused with a reason', () => {
  test.each([
    [String.raw`(a)\1`, /cannot run in linear time.*backreferences/],
    [String.raw`^(?<n>a)\k<n>$`, /cannot run in linear time/],
    [String.raw`^(?=a)a$`, /cannot run in linear time.*lookaround/],
    [String.raw`(?<!x)y`, /cannot run in linear time/],
    [String.raw`a{2000}`, /cannot run in linear time.*repeats above 1000/],
    // Valid ECMAScript, but a property name RE2 does not know.
    [String.raw`^\p{Script=Greek}$`, /cannot run in linear time.*Script=Greek/],
    [String.raw`^\p{Letter}$`, /cannot run in linear time.*Letter/],
  ])('%s', (pattern, reason) => {
    expect(() => compileLinearRegExp(pattern)).toThrow(reason);
    expect(linearPatternProblem(pattern)).toMatch(reason);
  });

  // RE2 would accept these with a meaning of its own; ECMA-262 (and so JSON Schema) has none.
  test.each([
    String.raw`(?i)abc`,
    String.raw`^abc\z`,
    String.raw`\Aabc`,
    String.raw`[[:alpha:]]`,
    String.raw`^\p{Greek}$`,
    String.raw`a{`,
    String.raw`a]`,
    String.raw`(?P<n>a)`,
    String.raw`\Qa.b\E`,
    String.raw`^[\d-z]$`,
    '\\',
  ])('%s is no ECMA-262 pattern (u flag) and is refused', (pattern) => {
    expect(() => compileLinearRegExp(pattern)).toThrow(/is no ECMA-262 regular expression \(JSON Schema patterns are read with the u flag\): Invalid regular expression/);
  });

  test('the refusal names the place in the schema', () => {
    const schema = { type: 'object', properties: { a: { type: 'string', pattern: '(?i)x' }, b: { type: 'string', pattern: String.raw`^[\S]+$` } } };
    expect(findPatternProblems(schema)).toEqual([{ pointer: '/properties/a/pattern', reason: expect.stringContaining('no ECMA-262 regular expression') }]);
  });
});
