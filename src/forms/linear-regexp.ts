import { RE2JS } from 're2js';

/**
 * Patterns from form schemas run on RE2 (re2js, a pure-JavaScript port): matching takes time
 * linear in the input, so no pattern a form author writes can backtrack catastrophically
 * (`^(a+)+$` on 33 characters blocked V8's engine for 67 s). The price: RE2 has no
 * backreferences and no lookaround; such patterns are refused when the form loads, with the
 * reason, instead of being run by a backtracking engine.
 */

/** What ajv needs of a regular expression. */
export interface LinearRegExp {
  test(input: string): boolean;
  toString(): string;
}

/**
 * ECMA-262 escapes RE2 spells differently: `\uXXXX` and `\u{X…}` become `\x{…}`. Everything
 * else is passed through; `\\u` (an escaped backslash before a `u`) is left alone.
 */
function toRe2Syntax(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c !== '\\') {
      out += c;
      continue;
    }
    const rest = pattern.slice(i + 1);
    const braced = /^u\{([0-9a-fA-F]{1,6})\}/.exec(rest);
    const plain = /^u([0-9a-fA-F]{4})/.exec(rest);
    const hex = braced ?? plain;
    if (hex) {
      out += `\\x{${hex[1]!}}`;
      i += hex[0].length;
    } else {
      out += pattern.slice(i, i + 2);
      i += 1;
    }
  }
  return out;
}

/** Compiles a schema pattern for RE2; throws an Error whose message says why it cannot run. */
export function compileLinearRegExp(pattern: string): LinearRegExp {
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(toRe2Syntax(pattern));
  } catch (err) {
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
