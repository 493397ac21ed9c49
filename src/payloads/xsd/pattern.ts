/**
 * Translates a JSON Schema `pattern` (an ECMAScript regular expression, compiled by ajv with the
 * `u` flag, matching anywhere in the string) into an XSD 1.0 `xs:pattern` (its own dialect,
 * always matching the whole value).
 *
 * The translation never makes the pattern stricter than the original: a value the form accepted
 * must pass the XSD. Where XSD cannot say the same thing the result is `ok: false` with a reason,
 * and the generator leaves the facet out (the XSD is then more permissive than the form):
 * lookarounds, backreferences, word boundaries, anchors inside the pattern, `\D` `\W` `\S` inside
 * a character class, `\P{..}` inside a character class, Unicode properties other than general
 * categories, and characters XML cannot carry (`\0`, `\f`, `\v`, `\cX`). Where the two dialects differ the translation is exact:
 * `\d` becomes `[0-9]`, `\w` becomes `[A-Za-z0-9_]` and `\s` lists ECMAScript's white space (XSD's
 * own escapes mean other sets). `.` stays `.`, which in XSD also matches U+2028 and U+2029.
 */
export type PatternConversion =
  | { readonly ok: true; readonly xsd: string }
  | { readonly ok: false; readonly reason: string };

class Unsupported extends Error {}

/** Every character, including line breaks (`[\s\S]` is valid in both dialects). */
const ANY = '[\\s\\S]';
/** ECMAScript's \s, without \v and \f, which XML 1.0 cannot carry (so no value contains them). */
const ECMA_SPACE = '\\t\\n\\r \u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\uFEFF';
const DIGIT = '0-9';
const WORD = 'A-Za-z0-9_';

/** General categories XSD 1.0 knows as \p{..}, and the ECMAScript long names of some of them. */
const XSD_CATEGORIES = new Set('L Lu Ll Lt Lm Lo M Mn Mc Me N Nd Nl No P Pc Pd Ps Pe Pi Pf Po Z Zs Zl Zp S Sm Sc Sk So C Cc Cf Co Cn'.split(' '));
const LONG_CATEGORY_NAMES: Readonly<Record<string, string>> = {
  Letter: 'L', Uppercase_Letter: 'Lu', Lowercase_Letter: 'Ll', Titlecase_Letter: 'Lt', Modifier_Letter: 'Lm', Other_Letter: 'Lo',
  Mark: 'M', Number: 'N', Decimal_Number: 'Nd', digit: 'Nd', Punctuation: 'P', punct: 'P', Symbol: 'S', Separator: 'Z',
  Space_Separator: 'Zs', Control: 'Cc', cntrl: 'Cc',
};

function isXmlChar(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

/** A character outside a class, escaped where XSD gives it a meaning. */
function literal(cp: number): string {
  if (!isXmlChar(cp)) throw new Unsupported(`the character U+${cp.toString(16).toUpperCase()} cannot appear in XML`);
  const c = String.fromCodePoint(cp);
  if (c === '\t') return '\\t';
  if (c === '\n') return '\\n';
  if (c === '\r') return '\\r';
  return '\\|.?*+(){}[]'.includes(c) ? `\\${c}` : c;
}

/** A character inside a class (`-`, `^`, `[` and `]` are escaped wherever they stand). */
function classChar(cp: number): string {
  const c = String.fromCodePoint(cp);
  if (c === '\t') return '\\t';
  if (c === '\n') return '\\n';
  if (c === '\r') return '\\r';
  return '\\[]-^'.includes(c) ? `\\${c}` : c;
}

/** A range cut down to the characters XML can carry (the others never occur in a value). */
function classRange(from: number, to: number): string {
  const parts: string[] = [];
  const legal: Array<[number, number]> = [[0x9, 0x9], [0xa, 0xa], [0xd, 0xd], [0x20, 0xd7ff], [0xe000, 0xfffd], [0x10000, 0x10ffff]];
  for (const [low, high] of legal) {
    const a = Math.max(from, low);
    const b = Math.min(to, high);
    if (a > b) continue;
    parts.push(a === b ? classChar(a) : `${classChar(a)}-${classChar(b)}`);
  }
  return parts.join('');
}

/**
 * `\p{..}` as XSD writes it. The negation `\P{..}` is written as the class `[^\p{..}]`: libxml2
 * (2.9) misreads `\P{..}` after a loop that can match the same characters (`a*\P{Lu}` refuses
 * "a"), and `[\s\S]*` precedes every unanchored pattern. Inside a class there is no such rewrite.
 */
function unicodeProperty(name: string, negated: boolean, inClass: boolean): string {
  const short = name.replace(/^(General_Category|gc)=/, '');
  const category = XSD_CATEGORIES.has(short) ? short : LONG_CATEGORY_NAMES[short];
  if (category === undefined) throw new Unsupported(`the Unicode property \\p{${name}} has no XSD equivalent`);
  if (!negated) return `\\p{${category}}`;
  if (inClass) throw new Unsupported('\\P{..} inside a character class is misread by libxml2');
  return `[^\\p{${category}}]`;
}

/** Reads a pattern code point by code point, as ajv's `u` flag does. */
class Reader {
  private readonly chars: string[];
  index = 0;
  constructor(pattern: string) {
    this.chars = Array.from(pattern);
  }
  peek(offset = 0): string | undefined {
    return this.chars[this.index + offset];
  }
  next(): string {
    const c = this.chars[this.index++];
    if (c === undefined) throw new Unsupported('the pattern ends unexpectedly');
    return c;
  }
  hex(count: number): number {
    let text = '';
    for (let i = 0; i < count; i++) text += this.next();
    if (!/^[0-9A-Fa-f]+$/.test(text)) throw new Unsupported(`invalid escape \\${text}`);
    return parseInt(text, 16);
  }
  until(end: string): string {
    let text = '';
    while (this.peek() !== end) text += this.next();
    this.next();
    return text;
  }
}

/** A character escape after the backslash: `\t`, `\xHH`, `\uHHHH` (pairs), `\u{H..}`, `\.`. */
function escapedCodePoint(r: Reader, c: string): number | undefined {
  if (c === 't') return 0x9;
  if (c === 'n') return 0xa;
  if (c === 'r') return 0xd;
  if (c === 'x') return r.hex(2);
  if (c === 'u') {
    if (r.peek() === '{') {
      r.next();
      const hex = r.until('}');
      if (!/^[0-9A-Fa-f]+$/.test(hex)) throw new Unsupported(`invalid escape \\u{${hex}}`);
      return parseInt(hex, 16);
    }
    const unit = r.hex(4);
    if (unit >= 0xd800 && unit <= 0xdbff && r.peek() === '\\' && r.peek(1) === 'u' && r.peek(2) !== '{') {
      const saved = r.index;
      r.next();
      r.next();
      const low = r.hex(4);
      if (low >= 0xdc00 && low <= 0xdfff) return 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
      r.index = saved;
    }
    return unit;
  }
  if ('^$\\.*+?()[]{}|/-'.includes(c)) return c.codePointAt(0);
  if ('fv0'.includes(c) || c === 'c') throw new Unsupported(`\\${c} stands for a character XML cannot carry`);
  if (c === 'b' || c === 'B') throw new Unsupported('word boundaries (\\b, \\B) have no XSD equivalent');
  if (/[1-9]/.test(c) || c === 'k') throw new Unsupported('backreferences have no XSD equivalent');
  return undefined;
}

function characterClass(r: Reader): string {
  const negated = r.peek() === '^';
  if (negated) r.next();
  let items = '';
  let empty = true;
  while (r.peek() !== ']') {
    const c = r.next();
    let from: number | undefined;
    if (c === '\\') {
      const e = r.next();
      if (e === 'd' || e === 'w' || e === 's') {
        items += e === 'd' ? DIGIT : e === 'w' ? WORD : ECMA_SPACE;
        empty = false;
        continue;
      }
      if (e === 'D' || e === 'W' || e === 'S') throw new Unsupported(`\\${e} inside a character class has no exact XSD equivalent`);
      if (e === 'p' || e === 'P') {
        if (r.next() !== '{') throw new Unsupported(`invalid escape \\${e}`);
        items += unicodeProperty(r.until('}'), e === 'P', true);
        empty = false;
        continue;
      }
      if (e === 'b') throw new Unsupported('\\b inside a class stands for a character XML cannot carry');
      from = escapedCodePoint(r, e);
      if (from === undefined) throw new Unsupported(`unknown escape \\${e}`);
    } else {
      from = c.codePointAt(0);
    }
    if (from === undefined) throw new Unsupported('empty character');
    let to = from;
    if (r.peek() === '-' && r.peek(1) !== ']' && r.peek(1) !== undefined) {
      r.next();
      const d = r.next();
      const end = d === '\\' ? escapedCodePoint(r, r.next()) : d.codePointAt(0);
      if (end === undefined) throw new Unsupported('a class escape cannot end a range');
      to = end;
    }
    const range = classRange(from, to);
    if (range !== '') empty = false;
    items += range;
  }
  r.next();
  if (empty) throw new Unsupported('an empty character class has no XSD equivalent');
  return `[${negated ? '^' : ''}${items}]`;
}

/** A quantifier, if one starts here; a lazy `?` after it is dropped (it cannot change a match). */
function quantifier(r: Reader): string {
  const c = r.peek();
  let out = '';
  if (c === '*' || c === '+' || c === '?') out = r.next();
  else if (c === '{') {
    r.next();
    const body = r.until('}');
    if (!/^\d+(,\d*)?$/.test(body)) throw new Unsupported(`invalid quantifier {${body}}`);
    out = `{${body}}`;
  }
  if (out !== '' && r.peek() === '?') r.next();
  return out;
}

function group(r: Reader): string {
  if (r.peek() !== '?') return '(';
  r.next();
  const kind = r.next();
  if (kind === ':') return '(';
  if (kind === '=' || kind === '!') throw new Unsupported('lookaheads have no XSD equivalent');
  if (kind === '<') {
    if (r.peek() === '=' || r.peek() === '!') throw new Unsupported('lookbehinds have no XSD equivalent');
    r.until('>'); // a named group matches like any group
    return '(';
  }
  throw new Unsupported(`the group (?${kind} has no XSD equivalent`);
}

function escapeOutsideClass(r: Reader): string {
  const e = r.next();
  if (e === 'd') return `[${DIGIT}]`;
  if (e === 'D') return `[^${DIGIT}]`;
  if (e === 'w') return `[${WORD}]`;
  if (e === 'W') return `[^${WORD}]`;
  if (e === 's') return `[${ECMA_SPACE}]`;
  if (e === 'S') return `[^${ECMA_SPACE}]`;
  if (e === 'p' || e === 'P') {
    if (r.next() !== '{') throw new Unsupported(`invalid escape \\${e}`);
    return unicodeProperty(r.until('}'), e === 'P', false);
  }
  const cp = escapedCodePoint(r, e);
  if (cp === undefined) throw new Unsupported(`unknown escape \\${e}`);
  return literal(cp);
}

interface Branch {
  text: string;
  start: boolean;
  end: boolean;
}

function convert(pattern: string): string {
  const r = new Reader(pattern);
  const branches: Branch[] = [{ text: '', start: false, end: false }];
  let depth = 0;
  for (let c = r.peek(); c !== undefined; c = r.peek()) {
    const branch = branches[branches.length - 1]!;
    if (branch.end && c !== '|') throw new Unsupported('$ in the middle of the pattern has no XSD equivalent');
    r.next();
    if (c === '^') {
      if (depth > 0 || branch.text !== '' || branch.start) throw new Unsupported('^ in the middle of the pattern has no XSD equivalent');
      branch.start = true;
    } else if (c === '$') {
      if (depth > 0) throw new Unsupported('$ inside a group has no XSD equivalent');
      branch.end = true;
    } else if (c === '|' && depth === 0) {
      branches.push({ text: '', start: false, end: false });
    } else if (c === '|') {
      branch.text += '|';
    } else if (c === '(') {
      depth++;
      branch.text += group(r);
    } else if (c === ')') {
      depth--;
      branch.text += `)${quantifier(r)}`;
    } else if (c === '[') {
      branch.text += `${characterClass(r)}${quantifier(r)}`;
    } else if (c === '\\') {
      branch.text += `${escapeOutsideClass(r)}${quantifier(r)}`;
    } else if (c === '.') {
      branch.text += `.${quantifier(r)}`;
    } else if ('*+?{}]'.includes(c)) {
      throw new Unsupported(`unexpected ${c}`);
    } else {
      const cp = c.codePointAt(0);
      if (cp === undefined) throw new Unsupported('empty character');
      branch.text += `${literal(cp)}${quantifier(r)}`;
    }
  }
  if (depth !== 0) throw new Unsupported('unbalanced parentheses');
  // XSD patterns match the whole value; an unanchored side of ECMAScript may match anywhere.
  return branches.map((b) => `${b.start ? '' : `${ANY}*`}${b.text}${b.end ? '' : `${ANY}*`}`).join('|');
}

/** Converts one JSON Schema pattern; see the module comment for what cannot be converted. */
export function ecmaPatternToXsd(pattern: string): PatternConversion {
  try {
    return { ok: true, xsd: convert(pattern) };
  } catch (err) {
    if (err instanceof Unsupported) return { ok: false, reason: err.message };
    throw err;
  }
}
