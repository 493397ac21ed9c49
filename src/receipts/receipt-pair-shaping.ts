import type { Font, Glyph, GlyphPosition } from 'fontkit';
import { LATIN, pairGlyphs, type Features } from './receipt-pair-glyphs';

/**
 * Latin words shaped from their pairs of letters, as fontkit would shape them, without fontkit.
 *
 * Every receipt has words no receipt had before (names, streets, e-mail addresses), and fontkit
 * takes about 0.1 ms to shape one: it makes a shaping plan, and runs every lookup of the font's
 * features over every glyph. For DejaVu Sans and Latin text, what those lookups do comes down
 * to kerning between neighbours (receipt-pair-glyphs.ts works out for which glyphs). So a word
 * of such letters is shaped as the letters' glyphs, each with its advance, plus what fontkit
 * gives each pair of neighbours, learnt by shaping the pair itself (once per pair and process):
 * glyphs and positions equal fontkit's for the whole word.
 *
 * A letter takes part when fontkit shapes it alone into its glyph with nothing but its advance,
 * and its script is Latin or none (a word's script is that of its first letter with a script,
 * so a word of these with a Latin letter is Latin). Anything else goes to fontkit. When the
 * shaper is made, probe words are shaped both ways and compared: should they differ, fontkit
 * shapes everything. Positions are sums of whole font units, so the order of the additions
 * does not change a bit of them.
 */

/** A run as the receipt's shaping keeps it: glyphs shared, positions read only. */
export interface PairRun {
  readonly glyphs: Glyph[];
  readonly positions: ReadonlyArray<Readonly<GlyphPosition>>;
}

/** Words shaped both ways when the shaper is made: kerning pairs, digits, punctuation, i and j. */
const PROBES = ['AVATAR Tyrannei', 'Wasserwerk LTAVWAYT.', 'Łukasz Żółć, Ørsted-Çağrı', 'person55@example.org', 'Jaeger-Strasse 7a 1.200,00 €'];

/** What a pair of neighbours adds to the positions of its first and second glyph. */
interface PairDelta {
  readonly first: Readonly<GlyphPosition>;
  readonly second: Readonly<GlyphPosition>;
}

const PAIRS_MAX = 65_536;

/**
 * The pair shaper of a font with the receipt's features: shapes a text of the simple letters
 * (see above) with at least one Latin letter, else answers undefined (fontkit's turn).
 * Undefined when the font is not as expected.
 */
export function pairShaper(font: Font, features: Features): ((text: string) => PairRun | undefined) | undefined {
  const found = pairGlyphs(font, features);
  if (!found) return undefined;
  const { candidates, glyphs } = found;

  const neutral = font.layout(' ', features).script;
  /**
   * A candidate code point's glyph if it is simple: shaped alone as Latin, its glyph with its
   * advance and nothing else, and of fontkit's Latin script or of none. Worked out on first use.
   */
  const simple = new Map<number, { readonly glyph: Glyph; readonly latin: boolean } | null>();
  const simpleGlyph = (codePoint: number): { readonly glyph: Glyph; readonly latin: boolean } | null => {
    let known = simple.get(codePoint);
    if (known !== undefined) return known;
    known = null;
    const glyph = candidates.get(codePoint);
    if (glyph && glyphs.has(glyph.id)) {
      const char = String.fromCodePoint(codePoint);
      const run = font.layout(char, features, LATIN);
      const p = run.positions[0];
      const script = font.layout(char, features).script;
      if (run.glyphs.length === 1 && run.glyphs[0] === glyph && p && p.xAdvance === glyph.advanceWidth && p.yAdvance === 0 && p.xOffset === 0 && p.yOffset === 0 &&
        (script === LATIN || script === neutral)) known = { glyph, latin: script === LATIN };
    }
    simple.set(codePoint, known);
    return known;
  };

  const pairs = new Map<number, PairDelta | null>();
  /** What fontkit gives the pair a, b beyond their advances; null if it is not those two glyphs. */
  const pairDelta = (a: Glyph, b: Glyph, codePoints: string): PairDelta | null => {
    const key = a.id * 0x10000 + b.id;
    let delta = pairs.get(key);
    if (delta === undefined) {
      const run = font.layout(codePoints, features, LATIN);
      const [p, q] = run.positions;
      delta = run.glyphs.length === 2 && run.glyphs[0] === a && run.glyphs[1] === b && p && q
        ? {
          first: { xAdvance: p.xAdvance - a.advanceWidth, yAdvance: p.yAdvance, xOffset: p.xOffset, yOffset: p.yOffset },
          second: { xAdvance: q.xAdvance - b.advanceWidth, yAdvance: q.yAdvance, xOffset: q.xOffset, yOffset: q.yOffset },
        }
        : null;
      if (pairs.size >= PAIRS_MAX) pairs.clear();
      pairs.set(key, delta);
    }
    return delta;
  };

  const shapeText = (text: string): PairRun | undefined => {
    const codePoints: number[] = [];
    const runGlyphs: Glyph[] = [];
    let isLatin = false;
    for (const char of text) {
      const codePoint = char.codePointAt(0)!;
      const known = simpleGlyph(codePoint);
      if (!known) return undefined;
      if (known.latin) isLatin = true;
      codePoints.push(codePoint);
      runGlyphs.push(known.glyph);
    }
    if (!isLatin) return undefined;
    const positions = runGlyphs.map((g) => ({ xAdvance: g.advanceWidth, yAdvance: 0, xOffset: 0, yOffset: 0 }));
    for (let i = 0; i + 1 < runGlyphs.length; i++) {
      const delta = pairDelta(runGlyphs[i]!, runGlyphs[i + 1]!, String.fromCodePoint(codePoints[i]!, codePoints[i + 1]!));
      if (!delta) return undefined;
      for (const [position, add] of [[positions[i]!, delta.first], [positions[i + 1]!, delta.second]] as const) {
        position.xAdvance += add.xAdvance;
        position.yAdvance += add.yAdvance;
        position.xOffset += add.xOffset;
        position.yOffset += add.yOffset;
      }
    }
    return { glyphs: runGlyphs, positions };
  };
  // Compared with fontkit on words of the simple letters: any difference, and fontkit shapes all.
  const same = (a: PairRun, b: PairRun): boolean => a.glyphs.length === b.glyphs.length && a.glyphs.every((g, i) => g === b.glyphs[i]) &&
    a.positions.every((p, i) => { const q = b.positions[i]!; return p.xAdvance === q.xAdvance && p.yAdvance === q.yAdvance && p.xOffset === q.xOffset && p.yOffset === q.yOffset; });
  for (const word of PROBES) {
    const fast = shapeText(word);
    if (fast && !same(fast, font.layout(word, features))) return undefined;
  }
  return shapeText;
}
