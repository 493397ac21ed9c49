import type { Font, Glyph, GlyphPosition } from 'fontkit';
import { Recurring } from './receipt-layout-cache';
import { pairShaper, type PairRun } from './receipt-pair-shaping';

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
 * - Linear in long words. pdfkit breaks a word longer than its column line by line and
 *   measures what is left of the word after every line, so a 2,000-character answer without
 *   a space came here as some 40 texts of 2,000, 1,950, 1,900 … characters (and 100 or so
 *   short pieces of it while finding each break). Three things keep that from costing seconds:
 *   a text fontkit is sure to throw on is not given to it first (surelyThrows); the pieces of
 *   shapeInPieces are cached, so each grapheme is shaped once per process; and a text longer
 *   than LONG is shaped in chunks that end at fixed distances from its end (inChunks), so
 *   what is left of a word after a line shares all chunks but its first with the word itself.
 * - Latin words from their pairs of letters. Every receipt brings words no receipt had before
 *   (names, streets, e-mail addresses); a word of letters whose shaping in DejaVu Sans is only
 *   kerning between neighbours is shaped from what fontkit gives each pair, with the same glyphs
 *   and positions fontkit gives the word, at a fraction of the cost (receipt-pair-shaping.ts).
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
 * Texts fontkit is sure to throw on, the known crash: ZWNJ, ZWJ or CGJ next to a Tifinagh
 * letter, in a text whose first letter of a script of its own is Tifinagh (fontkit takes the
 * script of a text from that letter, as Script.forString, and only then its Universal Shaping
 * Engine). Such a text goes to shapeInPieces straight away, as it would after the throw, only
 * without fontkit's work up to it (linear in the text). Texts that merely might throw, and
 * Arabic or Persian with ZWNJ, still take the one fontkit call.
 */
// (Alternatives, not a character class: a joiner in a class reads as joining its neighbours.)
const JOINER_BY_TIFINAGH = /(?:\u200C|\u200D|\u034F)[\u2D30-\u2D7F]|[\u2D30-\u2D7F](?:\u200C|\u200D|\u034F)/;
// fontkit's Unicode data gives private-use and surrogate code points no script at all, which
// ends its search as a script of their own (and no Universal Shaping Engine): not passed over.
const TIFINAGH_FIRST = /^(?:(?![\p{Co}\p{Cs}])[\p{sc=Zyyy}\p{sc=Zinh}\p{sc=Zzzz}])*\p{sc=Tfng}/u;

export function surelyThrows(text: string): boolean {
  return JOINER_BY_TIFINAGH.test(text) && TIFINAGH_FIRST.test(text);
}

/** Pieces of shapeInPieces kept per font: at most this many, each at most PIECE_MAX UTF-16 units. */
const PIECE_ENTRIES = 4096;
const PIECE_MAX = 64;

/**
 * What shapeInPieces needs: the font, the features, and the font's piece cache and pair shaper
 * (default features only; the pair shaper made on first use, undefined for a font it cannot do).
 */
interface Shaper {
  readonly font: Font;
  readonly features: Features;
  readonly pieces?: Map<string, CachedRun>;
  readonly pairs?: () => ((text: string) => PairRun | undefined) | undefined;
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
function shapeInPieces(shaper: Shaper, text: string, level: 0 | 1 | 2): CachedRun {
  const pieces = piecesOf(text, level);
  // A text that is a single piece at this level is split at the next one straight away.
  if (pieces.length === 1 && level < 2) return shapeInPieces(shaper, text, level === 0 ? 1 : 2);
  const glyphs: Glyph[] = [];
  const positions: Array<Readonly<GlyphPosition>> = [];
  for (const piece of pieces) {
    const run = shapePiece(shaper, piece, level);
    glyphs.push(...run.glyphs);
    positions.push(...run.positions);
  }
  return { glyphs, positions };
}

/**
 * One piece of shapeInPieces, from the piece cache if it is there. A piece's run does not
 * depend on its level: a word that is one grapheme, or a grapheme that is one code point, ends
 * up split the same way, so the text alone is the key.
 */
function shapePiece(shaper: Shaper, piece: string, level: 0 | 1 | 2): CachedRun {
  const { font, features, pieces } = shaper;
  const cached = pieces?.get(piece);
  if (cached) return cached;
  const smaller = (): CachedRun => (level < 2 ? shapeInPieces(shaper, piece, level === 0 ? 1 : 2) : bareGlyph(font, piece.codePointAt(0) ?? 0));
  let run: CachedRun;
  if (surelyThrows(piece)) {
    run = smaller();
  } else {
    try {
      const shaped = font.layout(piece, features);
      run = { glyphs: shaped.glyphs, positions: shaped.positions.map(copy) };
    } catch {
      run = smaller();
    }
  }
  if (pieces && piece.length <= PIECE_MAX) {
    if (pieces.size >= PIECE_ENTRIES) pieces.delete(pieces.keys().next().value as string);
    pieces.set(piece, run);
  }
  return run;
}

/** The pair shaper's run, fontkit's layout, or shapeInPieces when fontkit throws (or surely would); positions copied. */
function shape(shaper: Shaper, text: string): CachedRun {
  const fast = shaper.pairs?.()?.(text);
  if (fast) return fast;
  // Not logged: the text is an answer, and which word it was is all there is to say.
  if (surelyThrows(text)) return shapeInPieces(shaper, text, 0);
  try {
    const run = shaper.font.layout(text, shaper.features);
    return { glyphs: run.glyphs, positions: run.positions.map(copy) };
  } catch {
    return shapeInPieces(shaper, text, 0);
  }
}

/** Texts longer than LONG (UTF-16 units) are shaped in chunks of about CHUNK units. */
const LONG = 256;
const CHUNK = 64;

/**
 * Where a text longer than LONG is cut: at the grapheme boundary at or before every multiple
 * of CHUNK counted from the end of the text, ascending, 0 and text.length included. Counted
 * from the end because what pdfkit measures again and again is what is left of a word after
 * each line, its end; the boundary is found from the text around it (Segments.containing), so
 * the remainder and the word get the same cuts.
 */
function chunkBounds(text: string): number[] {
  const segments = (graphemeSegmenter ??= new Intl.Segmenter('und', { granularity: 'grapheme' })).segment(text);
  const bounds = [text.length];
  for (let at = text.length - CHUNK; at > 0; at -= CHUNK) {
    const start = segments.containing(at)?.index ?? at;
    if (start > 0 && start < bounds[bounds.length - 1]!) bounds.push(start);
  }
  bounds.push(0);
  return bounds.reverse();
}

/** The font shaped as above, with a cache of at most maxEntries texts (oldest dropped first). */
export function withReceiptShaping(font: Font, maxEntries = 20_000): Font {
  const cache = new Map<string, CachedRun>();
  // Only texts asked for a second time (pdfkit asks once per document and word): see Recurring.
  const recurring = new Recurring();
  let pairs: ReturnType<typeof pairShaper> | null = null;
  const shaper: Shaper = { font, features: FEATURES, pieces: new Map(), pairs: () => (pairs === null ? (pairs = pairShaper(font, FEATURES)) : pairs) };
  const cached = (text: string, make: (text: string) => CachedRun): CachedRun => {
    let hit = cache.get(text);
    if (!hit) {
      hit = make(text);
      if (!recurring.recurs(text)) return hit;
      if (cache.size >= maxEntries) cache.delete(cache.keys().next().value as string);
      cache.set(text, hit);
    }
    return hit;
  };
  const whole = (text: string): CachedRun => shape(shaper, text);
  /**
   * A long text as its chunks, each shaped (and cached) on its own. What is lost: kerning and
   * joining across the cut between two chunks, one pair in CHUNK characters of a word too long
   * for any line (pdfkit breaks it every 50 or so characters anyway), and the visual order of
   * the chunks of a right-to-left word, as in shapeInPieces. Words of up to LONG units, all
   * that ordinary text has, are shaped whole as before.
   */
  const inChunks = (text: string): CachedRun => {
    if (text.length <= LONG) return shape(shaper, text);
    const bounds = chunkBounds(text);
    if (bounds.length === 2) return shape(shaper, text);
    const glyphs: Glyph[] = [];
    const positions: Array<Readonly<GlyphPosition>> = [];
    for (let i = 1; i < bounds.length; i++) {
      const run = cached(text.slice(bounds[i - 1], bounds[i]), whole);
      glyphs.push(...run.glyphs);
      positions.push(...run.positions);
    }
    return { glyphs, positions };
  };
  const layout = (text: string, features?: Features): Run => {
    // pdfkit passes features only when a text asks for them; the receipt never does.
    if (features !== undefined) return freshRun(shape({ font, features: Array.isArray(features) ? features : { ...FEATURES, ...features } }, text));
    return freshRun(cached(text, inChunks));
  };
  const shaped = Object.create(font) as Font;
  Object.defineProperty(shaped, 'layout', { value: layout });
  return shaped;
}
