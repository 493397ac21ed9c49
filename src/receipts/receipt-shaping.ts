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

/** The font shaped as above, with a cache of at most maxEntries texts (oldest dropped first). */
export function withReceiptShaping(font: Font, maxEntries = 20_000): Font {
  const cache = new Map<string, CachedRun>();
  const layout = (text: string, features?: string[] | Record<string, boolean>): Run => {
    // pdfkit passes features only when a text asks for them; the receipt never does.
    if (features !== undefined) return freshRun(font.layout(text, Array.isArray(features) ? features : { ...FEATURES, ...features }));
    let hit = cache.get(text);
    if (!hit) {
      const run = font.layout(text, FEATURES);
      hit = { glyphs: run.glyphs, positions: run.positions.map(copy) };
      if (cache.size >= maxEntries) cache.delete(cache.keys().next().value as string);
      cache.set(text, hit);
    }
    return freshRun(hit);
  };
  const shaped = Object.create(font) as Font;
  Object.defineProperty(shaped, 'layout', { value: layout });
  return shaped;
}
