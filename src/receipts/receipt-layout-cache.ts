import type { Font } from 'fontkit';

/**
 * pdfkit's text layout, kept between documents.
 *
 * pdfkit lays text out word by word, keeping each word's run (glyphs, positions scaled to the
 * PDF's 1000 units, advance width) in a cache of the document's font object, `layoutCache`;
 * measuring a text (wrapping, heights) or writing it lays out the whole text again from those
 * runs, character by character. So every receipt laid out every word anew, and each text
 * several times: most of the time of a receipt went there. Both depend on nothing but the font
 * and the text, and pdfkit only reads what it gets (the word spacing of justified text works on
 * copies), so here the document's font objects (pdfkit's EmbeddedFont, one per document and
 * font) share them with the process:
 *
 * - the word cache gets the process's runs as its prototype; the runs a document adds are kept
 *   once it is laid out;
 * - `layout` of a whole text (what `encode` and `widthOfString` call) is remembered: the first
 *   result pdfkit computes for a text is given out again for it.
 *
 * Only what recurs is kept: a word or text the second time a document has it (Recurring).
 * Bounded: beyond maxEntries words, or texts of MAX_TEXT_CHARS characters in all, the process's
 * start anew; texts longer than MAX_TEXT are laid out each time.
 */

/** A word or a text as pdfkit's EmbeddedFont lays it out. */
interface Run {
  readonly glyphs: unknown[] | null;
  readonly positions: unknown[] | null;
  readonly advanceWidth: number;
}

type RunCache = Record<string, Run | undefined>;
type Layout = (this: EmbeddedFont, text: string, features?: unknown, onlyWidth?: boolean) => Run;

/** pdfkit's EmbeddedFont, as far as it is used here. */
interface EmbeddedFont {
  layoutCache?: RunCache;
  layout?: Layout;
}

/** Numbers for documents (pdfkit's per-document objects), to tell documents apart without keeping them. */
const documentNumbers = new WeakMap<object, number>();
let documentCount = 0;
function documentNumber(doc: object): number {
  let n = documentNumbers.get(doc);
  if (n === undefined) documentNumbers.set(doc, (n = ++documentCount));
  return n;
}

/**
 * Which keys recur: a cache between documents keeps a key only the second time it is asked
 * for, in another document than the first when the asker says which (`by`, any object of that
 * document). Most of what is new in a receipt (names, streets, e-mail addresses, their words)
 * never comes again; kept, it would fill the caches (some 50 KB a receipt) and make every
 * garbage collection copy it, while the texts and words of the forms recur from the second
 * receipt on. Remembers at most `max` keys seen once (then starts anew).
 */
export class Recurring {
  private seen = new Map<string, number>();

  constructor(private readonly max = 20_000) {}

  /** Whether key was asked for before (by another document, with `by`); notes it if not. */
  recurs(key: string, by?: object): boolean {
    const now = by === undefined ? 0 : documentNumber(by);
    const before = this.seen.get(key);
    if (before !== undefined && (by === undefined || before !== now)) {
      this.seen.delete(key);
      return true;
    }
    if (before === undefined) {
      if (this.seen.size >= this.max) this.seen.clear();
      this.seen.set(key, now);
    }
    return false;
  }
}

const MAX_TEXT = 500;
/** How many characters the texts remembered hold in all, per font (with widths apart). */
const MAX_TEXT_CHARS = 200_000;

/** A map of texts that starts anew once its keys hold maxChars characters in all. */
class Bounded<V> {
  private map = new Map<string, V>();
  private chars = 0;

  constructor(private readonly maxChars: number) {}

  get(key: string): V | undefined {
    return this.map.get(key);
  }

  set(key: string, value: V): void {
    if (this.chars + key.length > this.maxChars) {
      this.map = new Map();
      this.chars = 0;
    }
    this.map.set(key, value);
    this.chars += key.length;
  }
}

class SharedLayouts {
  private runs: RunCache = Object.create(null) as RunCache;
  private runCount = 0;
  private readonly recurringWords = new Recurring();
  /** Whole texts laid out: with glyphs and positions, and for their width only. */
  private readonly texts: Bounded<Run>;
  private readonly widths: Bounded<Run>;

  constructor(private readonly maxEntries: number) {
    // A text's glyphs and positions take about as many array slots as it has characters.
    this.texts = new Bounded(MAX_TEXT_CHARS);
    this.widths = new Bounded(MAX_TEXT_CHARS);
  }

  /** A word cache for one document: the process's runs, and what the document adds of its own. */
  wordCache(): RunCache {
    return Object.create(this.runs) as RunCache;
  }

  /** Keeps the runs a document added to its word cache (its own keys) that an earlier document had too. */
  keep(cache: RunCache): void {
    for (const word of Object.keys(cache)) {
      const run = cache[word];
      if (!run || !this.recurringWords.recurs(word, cache)) continue;
      if (this.runCount >= this.maxEntries) {
        this.runs = Object.create(null) as RunCache;
        this.runCount = 0;
      }
      // The advance width as a number (fontkit's is a getter): the positions are scaled by now.
      this.runs[word] = { glyphs: run.glyphs, positions: run.positions, advanceWidth: run.advanceWidth };
      this.runCount++;
    }
  }

  /** EmbeddedFont.layout, remembering what it gave for a text (not with features). */
  layout(original: Layout): Layout {
    const texts = this.texts;
    const widths = this.widths;
    const recurringTexts = new Recurring();
    const recurringWidths = new Recurring();
    // Per document font object: gone with the document.
    const ownRuns = new WeakMap<EmbeddedFont, { texts: Map<string, Run>; widths: Map<string, Run> }>();
    return function layout(this: EmbeddedFont, text, features, onlyWidth): Run {
      if (features || text.length > MAX_TEXT) return original.call(this, text, features, onlyWidth);
      const cache = onlyWidth ? widths : texts;
      let run = cache.get(text);
      if (run) return run;
      // What the document laid out itself (a new answer is measured and written several times).
      let own = ownRuns.get(this);
      if (!own) ownRuns.set(this, (own = { texts: new Map(), widths: new Map() }));
      const ownCache = onlyWidth ? own.widths : own.texts;
      run = ownCache.get(text);
      if (!run) {
        const laidOut = original.call(this, text, features, onlyWidth);
        run = { glyphs: laidOut.glyphs, positions: laidOut.positions, advanceWidth: laidOut.advanceWidth };
        if ((onlyWidth ? recurringWidths : recurringTexts).recurs(text, this)) cache.set(text, run);
        else ownCache.set(text, run);
      }
      return run;
    };
  }
}

const shared = new WeakMap<Font, SharedLayouts>();

/**
 * Lets the document's fonts (pdfkit's font objects, made for the fontkit fonts given) use and
 * add to the process's layouts; returns what keeps the words the document added, to be called
 * once it is laid out. Leaves a font object alone that is not as expected (another pdfkit).
 */
export function shareLayouts(fonts: ReadonlyArray<readonly [Font, unknown]>, maxEntries = 20_000): () => void {
  const caches: Array<[SharedLayouts, RunCache]> = [];
  for (const [font, pdfFont] of fonts) {
    const embedded = pdfFont as EmbeddedFont;
    const original = embedded.layout;
    if (!embedded.layoutCache || Object.keys(embedded.layoutCache).length > 0 || typeof original !== 'function') continue;
    let layouts = shared.get(font);
    if (!layouts) {
      layouts = new SharedLayouts(maxEntries);
      shared.set(font, layouts);
    }
    embedded.layoutCache = layouts.wordCache();
    embedded.layout = layouts.layout(original);
    caches.push([layouts, embedded.layoutCache]);
  }
  return () => {
    for (const [layouts, cache] of caches) layouts.keep(cache);
  };
}
