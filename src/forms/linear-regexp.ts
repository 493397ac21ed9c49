import { RE2JS } from 're2js';

/**
 * Patterns from form schemas run on RE2 (re2js, a pure-JavaScript port): matching takes time
 * linear in the input, so no pattern a form author writes can backtrack catastrophically
 * (`^(a+)+$` on 33 characters blocked V8's engine for 67 s). The price: RE2 has no
 * backreferences and no lookaround; such patterns are refused when the form loads, with the
 * reason, instead of being run by a backtracking engine.
 *
 * A JSON Schema pattern means what it means in ECMA-262 (ajv compiles it with the `u` flag), so
 * the pattern is first checked by V8's parser (parsing only: nothing is matched there) and then
 * rewritten where RE2 reads the same text differently (see toRe2Syntax).
 */

/** What ajv needs of a regular expression. */
export interface LinearRegExp {
  test(input: string): boolean;
  toString(): string;
}

/**
 * ECMAScript's `\s`: WhiteSpace and LineTerminator of ECMA-262 (\t \n \v \f \r, U+0020, U+00A0,
 * U+1680, U+2000–U+200A, U+2028, U+2029, U+202F, U+205F, U+3000, U+FEFF). RE2's `\s` is ASCII only.
 */
const WHITE_SPACE: readonly (readonly [number, number])[] = [
  [0x9, 0xd], [0x20, 0x20], [0xa0, 0xa0], [0x1680, 0x1680], [0x2000, 0x200a], [0x2028, 0x2029],
  [0x202f, 0x202f], [0x205f, 0x205f], [0x3000, 0x3000], [0xfeff, 0xfeff],
];
const WHITE_SPACE_CODE_POINTS: readonly number[] = WHITE_SPACE.flatMap(([from, to]) =>
  Array.from({ length: to - from + 1 }, (_, k) => from + k),
);

/** A code point as RE2 reads it literally, inside or outside a class. */
function re2Char(cp: number): string {
  return /^[0-9A-Za-z]$/.test(String.fromCodePoint(cp)) ? String.fromCodePoint(cp) : `\\x{${cp.toString(16).toUpperCase()}}`;
}

function re2Members(cps: readonly number[]): string {
  return cps.map(re2Char).join('');
}

/** The members of ECMAScript's `\s`, for use inside an RE2 class. */
const SPACE_MEMBERS = WHITE_SPACE.map(([from, to]) => (from === to ? re2Char(from) : `${re2Char(from)}-${re2Char(to)}`)).join('');
/** ECMAScript's `.` without the s flag: anything but the four line terminators. */
const DOT = '[^\\n\\r\\x{2028}\\x{2029}]';
/** `[]` and `[^]`, which RE2 cannot write as such (there `]` right after `[` is a member). */
const NOTHING = '[^\\x{0}-\\x{10FFFF}]';
const ANYTHING = '[\\x{0}-\\x{10FFFF}]';

/** A pattern the translation cannot carry over to RE2 (the message says why). */
class Untranslatable extends Error {}

type Atom =
  /** One code point. */
  | { readonly kind: 'char'; readonly cp: number }
  /** A class escape RE2 understands as ECMAScript does: its text inside and outside a class. */
  | { readonly kind: 'set'; readonly inside: string; readonly outside: string }
  /** `\S`, which inside a class needs the whole class to be rewritten. */
  | { readonly kind: 'notSpace' }
  /** Text outside a class that RE2 reads as ECMAScript does, or refuses (backreferences). */
  | { readonly kind: 'raw'; readonly text: string };

const SINGLE_CHAR_ESCAPES: Readonly<Record<string, number>> = { t: 0x9, n: 0xa, v: 0xb, f: 0xc, r: 0xd, '0': 0x0 };

/** Reads the escape starting at pattern[i] (a backslash); returns the atom and the index after it. */
function readEscape(pattern: string, i: number, inClass: boolean): { atom: Atom; end: number } {
  const c = pattern[i + 1];
  const rest = pattern.slice(i + 1);
  if (c === undefined) throw new Untranslatable('the pattern ends with a lone backslash');
  if (c === 'u') {
    const braced = /^u\{([0-9a-fA-F]+)\}/.exec(rest);
    if (braced) return { atom: { kind: 'char', cp: parseInt(braced[1]!, 16) }, end: i + 1 + braced[0].length };
    // With the u flag, \uD83D\uDE00 is one code point (U+1F600), not two surrogates.
    const pair = /^u([dD][89abAB][0-9a-fA-F]{2})\\u([dD][c-fC-F][0-9a-fA-F]{2})/.exec(rest);
    if (pair) {
      const cp = 0x10000 + ((parseInt(pair[1]!, 16) - 0xd800) << 10) + (parseInt(pair[2]!, 16) - 0xdc00);
      return { atom: { kind: 'char', cp }, end: i + 1 + pair[0].length };
    }
    const plain = /^u([0-9a-fA-F]{4})/.exec(rest);
    if (plain) return { atom: { kind: 'char', cp: parseInt(plain[1]!, 16) }, end: i + 1 + plain[0].length };
    throw new Untranslatable('\\u is not followed by four hex digits or {…}');
  }
  if (c === 'x') {
    const hex = /^x([0-9a-fA-F]{2})/.exec(rest);
    if (!hex) throw new Untranslatable('\\x is not followed by two hex digits');
    return { atom: { kind: 'char', cp: parseInt(hex[1]!, 16) }, end: i + 4 };
  }
  if (c === 'c') {
    const letter = /^c([A-Za-z])/.exec(rest);
    if (!letter) throw new Untranslatable('\\c is not followed by a letter');
    return { atom: { kind: 'char', cp: letter[1]!.charCodeAt(0) % 32 }, end: i + 3 };
  }
  const single = SINGLE_CHAR_ESCAPES[c];
  if (single !== undefined) return { atom: { kind: 'char', cp: single }, end: i + 2 };
  if (c === 's') return { atom: { kind: 'set', inside: SPACE_MEMBERS, outside: `[${SPACE_MEMBERS}]` }, end: i + 2 };
  if (c === 'S') return { atom: { kind: 'notSpace' }, end: i + 2 };
  // \d \D \w \W are ASCII in both (with the u flag and without i).
  if ('dDwW'.includes(c)) return { atom: { kind: 'set', inside: `\\${c}`, outside: `\\${c}` }, end: i + 2 };
  if (c === 'p' || c === 'P') {
    // Passed on: RE2 knows the general categories and script names (\p{Greek}; ECMAScript's
    // \p{Script=Greek} and long names like \p{Letter} are refused by RE2).
    const property = /^[pP]\{[^}]*\}/.exec(rest);
    if (!property) throw new Untranslatable(`\\${c} is not followed by {…}`);
    return { atom: { kind: 'set', inside: `\\${property[0]}`, outside: `\\${property[0]}` }, end: i + 1 + property[0].length };
  }
  if (c === 'b') return inClass ? { atom: { kind: 'char', cp: 0x8 }, end: i + 2 } : { atom: { kind: 'raw', text: '\\b' }, end: i + 2 };
  if (c === 'B' || c === 'k' || /[1-9]/.test(c)) {
    if (inClass) throw new Untranslatable(`\\${c} inside a character class`);
    // \B is the same in both; backreferences (\1, \k<name>) are passed on for RE2 to refuse.
    return { atom: { kind: 'raw', text: `\\${c}` }, end: i + 2 };
  }
  // An identity escape: \. \\ \[ \] \/ \- and the like stand for the character itself.
  const cp = pattern.codePointAt(i + 1)!;
  return { atom: { kind: 'char', cp }, end: i + 1 + (cp > 0xffff ? 2 : 1) };
}

/** Reads one class atom at pattern[j]: an escape or a literal code point. */
function readClassAtom(pattern: string, j: number): { atom: Atom; end: number } {
  if (pattern[j] === '\\') return readEscape(pattern, j, true);
  const cp = pattern.codePointAt(j)!;
  return { atom: { kind: 'char', cp }, end: j + (cp > 0xffff ? 2 : 1) };
}

/** The white space RE2 does not find among the class members `members` (RE2 syntax, no brackets). */
function spaceLacking(members: string): number[] {
  if (members === '') return [...WHITE_SPACE_CODE_POINTS];
  const has = RE2JS.compile(`^[${members}]$`);
  return WHITE_SPACE_CODE_POINTS.filter((cp) => !has.test(String.fromCodePoint(cp)));
}

/** Translates the class starting at pattern[i] (a `[`); returns RE2 text and the index after it. */
function translateClass(pattern: string, i: number): { text: string; end: number } {
  let j = i + 1;
  const negated = pattern[j] === '^';
  if (negated) j++;
  if (pattern[j] === ']') return { text: negated ? ANYTHING : NOTHING, end: j + 1 };
  let members = '';
  let notSpace = false;
  while (pattern[j] !== ']') {
    if (j >= pattern.length) throw new Untranslatable('a character class is not closed');
    const first = readClassAtom(pattern, j);
    j = first.end;
    if (pattern[j] === '-' && j + 1 < pattern.length && pattern[j + 1] !== ']') {
      const last = readClassAtom(pattern, j + 1);
      if (first.atom.kind !== 'char' || last.atom.kind !== 'char') throw new Untranslatable('a class escape cannot end a range');
      members += `${re2Char(first.atom.cp)}-${re2Char(last.atom.cp)}`;
      j = last.end;
      continue;
    }
    const atom = first.atom;
    if (atom.kind === 'char') members += re2Char(atom.cp);
    else if (atom.kind === 'set') members += atom.inside;
    else if (atom.kind === 'notSpace') notSpace = true;
    else throw new Untranslatable(`${atom.text} inside a character class`);
  }
  const end = j + 1;
  if (!notSpace) return { text: `[${negated ? '^' : ''}${members}]`, end };
  // [X\S] is everything but the white space X lacks; [^X\S] is exactly that white space.
  const lacking = spaceLacking(members);
  if (negated) return { text: lacking.length === 0 ? NOTHING : `[${re2Members(lacking)}]`, end };
  return { text: lacking.length === 0 ? ANYTHING : `[^${re2Members(lacking)}]`, end };
}

/**
 * Rewrites a valid ECMA-262 pattern (u flag) into RE2 syntax with the same meaning:
 * - `\s` lists ECMAScript's white space (RE2's is ASCII), `\S` is its complement, also inside a
 *   class (`[a\S]` becomes "anything but the white space that is not `a`");
 * - `.` excludes \n, \r, U+2028 and U+2029 (RE2's `.` only \n);
 * - `\uXXXX`, `\u{…}`, surrogate pairs `\uD83D\uDE00`, `\xHH`, `\cX`, `\0` and `[\b]` become
 *   RE2's `\x{…}`; `[]` and `[^]` become "nothing" and "anything";
 * - every other literal inside a class is written so RE2 cannot misread it (`[` would start
 *   `[:alpha:]`, a `]` right after `[` would be a member);
 * - `\d`, `\w`, `\b`, `\B`, `\p{…}`, groups, quantifiers and anchors are passed on (with the u
 *   flag they mean in ECMAScript what they mean in RE2); so are backreferences and lookaround,
 *   which RE2 refuses.
 */
function toRe2Syntax(pattern: string): string {
  let out = '';
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === '\\') {
      const { atom, end } = readEscape(pattern, i, false);
      if (atom.kind === 'char') out += re2Char(atom.cp);
      else if (atom.kind === 'set') out += atom.outside;
      else if (atom.kind === 'notSpace') out += `[^${SPACE_MEMBERS}]`;
      else out += atom.text;
      i = end;
    } else if (c === '[') {
      const { text, end } = translateClass(pattern, i);
      out += text;
      i = end;
    } else {
      out += c === '.' ? DOT : c;
      i++;
    }
  }
  return out;
}

/** Compiles a schema pattern for RE2; throws an Error whose message says why it cannot run. */
export function compileLinearRegExp(pattern: string): LinearRegExp {
  try {
    // Only V8's parser runs here (the pattern is compiled lazily, at its first match, never made).
    new RegExp(pattern, 'u');
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`pattern ${JSON.stringify(pattern)} is no ECMA-262 regular expression (JSON Schema patterns are read with the u flag): ${reason}`);
  }
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(toRe2Syntax(pattern));
  } catch (err) {
    if (err instanceof Untranslatable) throw new Error(`pattern ${JSON.stringify(pattern)} cannot be translated for RE2: ${err.message}`);
    const reason = err instanceof Error ? err.message.replace(/^error parsing regexp: /, '') : String(err);
    throw new Error(`pattern ${JSON.stringify(pattern)} cannot run in linear time (RE2 has no backreferences, lookaround or repeats above 1000): ${reason}`);
  }
  return {
    test: (input: string) => compiled.test(input),
    toString: () => `/${pattern}/`,
  };
}

/** The reason a pattern cannot be used, or undefined when it can. */
export function linearPatternProblem(pattern: string): string | undefined {
  try {
    compileLinearRegExp(pattern);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/**
 * ajv's `code.regExp` option: ajv calls it once per pattern at compile time. The `code`
 * property is what ajv would print for standalone code, which efa-forms never generates.
 */
export const linearRegExpEngine = Object.assign((pattern: string) => compileLinearRegExp(pattern), {
  code: 'require("efa-forms/linear-regexp").compileLinearRegExp',
});
