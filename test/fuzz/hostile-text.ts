import type { Random } from './prng';

/**
 * Hostile text: what a citizen's browser, a copy-and-paste or an attacker may put into a text
 * field. Each generator returns the text and a short label for the failure report.
 */
export interface HostileText {
  readonly text: string;
  readonly label: string;
}

const C0 = Array.from({ length: 32 }, (_, i) => i);
const C1 = Array.from({ length: 33 }, (_, i) => 0x7f + i);
/** Bidi embeddings, overrides, isolates and marks. */
const BIDI = [0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069, 0x200e, 0x200f, 0x061c];
/** Zero width joiner, non-joiner, combining grapheme joiner, word joiner, BOM, soft hyphen. */
const JOINERS = [0x200d, 0x200c, 0x034f, 0x2060, 0xfeff, 0x00ad];
const TIFINAGH = 'ⵜⴰⵎⴰⵣⵉⵖⵜ ⴰⵎⴰⵣⵉⵖ ⵎⵓⵃⵎⵎⴷ';

function fromCodePoints(points: readonly number[]): string {
  // String.fromCharCode for surrogate halves so that lone ones stay lone.
  return points.map((p) => (p >= 0xd800 && p <= 0xdfff ? String.fromCharCode(p) : String.fromCodePoint(p))).join('');
}

/** A code point anywhere in plane `plane` (0–16), surrogates included. */
export function codePointInPlane(random: Random, plane: number): number {
  return plane * 0x10000 + random.int(0, 0xffff);
}

/** `length` random code points from one plane, or from all 17 when plane is undefined. */
export function planeText(random: Random, length: number, plane?: number): HostileText {
  const p = plane ?? random.int(0, 16);
  const points = Array.from({ length }, () => codePointInPlane(random, plane ?? random.int(0, 16)));
  return { text: fromCodePoints(points), label: plane === undefined ? 'code points from all planes' : `plane ${p} code points` };
}

/** Ordinary letters with the hostile part in the middle, so length checks alone do not catch it. */
function around(random: Random, hostile: string): string {
  const names = ['Anna', 'Jörg', 'Ølsted', 'Nguyễn', 'Łukasz', 'Çağrı'];
  return `${random.pick(names)}${hostile}${random.chance(0.5) ? random.pick(names) : ''}`;
}

export function controlText(random: Random): HostileText {
  const set = random.chance(0.5) ? C0 : C1;
  const points = Array.from({ length: random.int(1, 4) }, () => random.pick(set));
  return { text: around(random, fromCodePoints(points)), label: `control characters ${points.map((p) => `U+${p.toString(16).padStart(4, '0')}`).join(',')}` };
}

export function bidiText(random: Random): HostileText {
  const points = Array.from({ length: random.int(1, 6) }, () => random.pick(BIDI));
  return { text: around(random, fromCodePoints(points)), label: 'bidi controls' };
}

/** Tifinagh letters followed by joiners: shaping engines have tripped over these. */
export function joinerText(random: Random): HostileText {
  const start = random.int(0, TIFINAGH.length - 2);
  const letters = [...TIFINAGH].slice(start, start + random.int(1, 6)).join('');
  const joiners = Array.from({ length: random.int(1, 3) }, () => random.pick(JOINERS));
  const text = random.chance(0.5) ? `${letters}${fromCodePoints(joiners)}` : [...letters].map((l) => l + fromCodePoints(joiners)).join('');
  return { text, label: 'Tifinagh with ZWJ/ZWNJ/CGJ' };
}

export function surrogateText(random: Random): HostileText {
  const kind = random.pick(['high', 'low', 'reversed', 'high-at-end'] as const);
  const high = String.fromCharCode(random.int(0xd800, 0xdbff));
  const low = String.fromCharCode(random.int(0xdc00, 0xdfff));
  const text = kind === 'high' ? `An${high}na` : kind === 'low' ? `An${low}na` : kind === 'reversed' ? `An${low}${high}na` : `Anna${high}`;
  return { text, label: `lone surrogate (${kind})` };
}

/** Noncharacters, private use, tags, variation selectors, emoji sequences, combining stacks. */
export function oddText(random: Random): HostileText {
  const choices: ReadonlyArray<() => HostileText> = [
    () => ({ text: fromCodePoints([0xfffe, 0xffff, 0x1fffe, 0x10ffff]), label: 'noncharacters' }),
    () => ({ text: `Anna${fromCodePoints([0xe0041, 0xe0042, 0xe007f])}`, label: 'tag characters' }),
    () => ({ text: `A${'\u0301'.repeat(random.int(20, 90))}`, label: 'combining mark stack' }),
    () => ({ text: '👩‍👩‍👧‍👦🏳️‍🌈🇩🇪', label: 'emoji ZWJ sequences' }),
    () => ({ text: `ﷺ${'\ufdfd'.repeat(3)}`, label: 'wide Arabic ligatures' }),
    () => ({ text: `e\u0301\ufe0f\ufe0e`, label: 'variation selectors' }),
    () => ({ text: '\u00a0\u2028\u2029\u3000', label: 'unusual spaces and line separators' }),
    () => ({ text: '<script>alert(1)</script>&amp;"\'', label: 'markup' }),
    () => ({ text: ']]><![CDATA[&#0;&#x1;', label: 'XML delimiters' }),
    () => ({ text: '${7*7}{{constructor}}%s%n', label: 'template syntax' }),
  ];
  return random.pick(choices)();
}

/** Inputs known to drive backtracking regular expressions into long runs. */
export function backtrackingText(random: Random): HostileText {
  const unit = random.pick(['a', '0', '1 ', '-', 'a.', '+49 ', '@', ' ', '0/']);
  return { text: unit.repeat(random.int(30, 3000)) + random.pick(['!', '\u0000', 'x', '@@', '..']), label: `repetition of ${JSON.stringify(unit)}` };
}

/** One piece of hostile text of any kind. */
export function hostileText(random: Random): HostileText {
  return random.weighted<() => HostileText>([
    [3, () => planeText(random, random.int(1, 40))],
    [2, () => planeText(random, random.int(1, 40), random.int(0, 16))],
    [2, () => controlText(random)],
    [2, () => bidiText(random)],
    [2, () => joinerText(random)],
    [2, () => surrogateText(random)],
    [2, () => oddText(random)],
    [1, () => backtrackingText(random)],
  ])();
}
