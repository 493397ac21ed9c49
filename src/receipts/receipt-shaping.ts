import type { Font, Glyph, GlyphPosition } from 'fontkit';

/**
 * How the receipt's text is shaped, given to pdfkit as the font's own `layout` (everything else
 * is inherited from the parsed font):
 *
 * - No ligatures (liga, clig): every letter stays a glyph of its own, so that copying and
 *   searching the text finds "Confirmation", not "Conﬁrmation". Kerning and mark positioning
 *   stay on.
 * - Cached for the process, bounded: shaping a word is the most expensive step of a receipt,
 *   and most words recur on every receipt (labels, headings, fixed texts); pdfkit caches only
 *   per document. pdfkit scales a run's positions in place, so every call gets fresh position
 *   objects; glyphs are shared, as fontkit itself shares them.
 * - Never throws. fontkit's shapers throw on some texts that validation rightly accepts
 *   (Tifinagh next to ZWJ, ZWNJ or CGJ: its Universal Shaping Engine finds no syllable in
 *   nextSyllable and reads a property of null), and a receipt that throws is a receipt the
 *   applicant never gets. A text fontkit cannot shape is shaped in smaller pieces instead
 *   (shapeInPieces); ordinary text takes the one fontkit call it always took.
 */

const FEATURES: Readonly<Record<string, boolean>> = { liga: false, clig: false };

interface CachedRun {
  readonly glyphs: Glyph[];
  readonly positions: ReadonlyArray<Readonly<GlyphPosition>>;
}

/** What pdfkit reads of a run: glyphs, positions and the advance width of the positions. */
interface Run {
  readonly glyphs: Glyph[];
  readonly positions: GlyphPosition[];
  readonly advanceWidth: number;
}

const copy = (p: Readonly<GlyphPosition>): GlyphPosition => ({ xAdvance: p.xAdvance, yAdvance: p.yAdvance, xOffset: p.xOffset, yOffset: p.yOffset });

function freshRun(cached: CachedRun): Run {
  const positions = cached.positions.map(copy);
  return {
    glyphs: cached.glyphs,
    positions,
    // A getter, as in fontkit: pdfkit reads it after scaling the positions.
    get advanceWidth() {
      let width = 0;
      for (const p of positions) width += p.xAdvance;
      return width;
    },
  };
}

type Features = string[] | Record<string, boolean>;

// Made once: only texts fontkit cannot shape are ever segmented.
let wordSegmenter: Intl.Segmenter | undefined;
let graphemeSegmenter: Intl.Segmenter | undefined;

/** The pieces of a text at one level of shapeInPieces: words (and what is between them), graphemes, code points. */
function piecesOf(text: string, level: 0 | 1 | 2): string[] {
  if (level === 2) return [...text];
  const segmenter = level === 0
    ? (wordSegmenter ??= new Intl.Segmenter('und', { granularity: 'word' }))
    : (graphemeSegmenter ??= new Intl.Segmenter('und', { granularity: 'grapheme' }));
  return Array.from(segmenter.segment(text), (s) => s.segment);
}

/**
 * The glyph of one code point that fontkit cannot even shape alone: the font's glyph for it,
 * else .notdef, with its own advance width and no offsets. Glyph 0 is asked for only when
 * glyphForCodePoint itself fails, which a valid font does not.
 */
function bareGlyph(font: Font, codePoint: number): CachedRun {
  let glyph: Glyph;
  try {
    glyph = font.glyphForCodePoint(codePoint);
  } catch {
    glyph = font.getGlyph(0);
  }
  return { glyphs: [glyph], positions: [{ xAdvance: glyph.advanceWidth, yAdvance: 0, xOffset: 0, yOffset: 0 }] };
}

/**
 * A text fontkit threw on, shaped piece by piece: its words, then the graphemes of a word that
 * still throws, then the code points of a grapheme that still throws, then the bare glyph of
 * a code point that still throws. Each piece that fontkit can shape is shaped as usual (kerning,
 * marks, joining within it), so "ⵜ\u200Cⵉ-Anna" loses shaping only inside "ⵜ\u200Cⵉ". What is
 * lost: shaping across pieces, and the visual order of the pieces of a right-to-left word
 * (they follow one another in reading order, as pdfkit puts the words of a line anyway).
 * Deterministic: the same text always gives the same glyphs.
 */
function shapeInPieces(font: Font, text: string, features: Features, level: 0 | 1 | 2): CachedRun {
  const pieces = piecesOf(text, level);
  // A text that is a single piece at this level is split at the next one straight away.
  if (pieces.length === 1 && level < 2) return shapeInPieces(font, text, features, level === 0 ? 1 : 2);
  const glyphs: Glyph[] = [];
  const positions: Array<Readonly<GlyphPosition>> = [];
  for (const piece of pieces) {
    let run: CachedRun;
    try {
      const shaped = font.layout(piece, features);
      run = { glyphs: shaped.glyphs, positions: shaped.positions.map(copy) };
    } catch {
      run = level < 2 ? shapeInPieces(font, piece, features, level === 0 ? 1 : 2) : bareGlyph(font, piece.codePointAt(0) ?? 0);
    }
    glyphs.push(...run.glyphs);
    positions.push(...run.positions);
  }
  return { glyphs, positions };
}

/** fontkit's layout, or shapeInPieces when fontkit throws; positions copied. */
function shape(font: Font, text: string, features: Features): CachedRun {
  try {
    const run = font.layout(text, features);
    return { glyphs: run.glyphs, positions: run.positions.map(copy) };
  } catch {
    // Not logged: the text is an answer, and which word it was is all there is to say.
    return shapeInPieces(font, text, features, 0);
  }
}

/** The font shaped as above, with a cache of at most maxEntries texts (oldest dropped first). */
export function withReceiptShaping(font: Font, maxEntries = 20_000): Font {
  const cache = new Map<string, CachedRun>();
  const layout = (text: string, features?: Features): Run => {
    // pdfkit passes features only when a text asks for them; the receipt never does.
    if (features !== undefined) return freshRun(shape(font, text, Array.isArray(features) ? features : { ...FEATURES, ...features }));
    let hit = cache.get(text);
    if (!hit) {
      hit = shape(font, text, FEATURES);
      if (cache.size >= maxEntries) cache.delete(cache.keys().next().value as string);
      cache.set(text, hit);
    }
    return freshRun(hit);
  };
  const shaped = Object.create(font) as Font;
  Object.defineProperty(shaped, 'layout', { value: layout });
  return shaped;
}
