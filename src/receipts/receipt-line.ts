import { Recurring } from './receipt-layout-cache';

/**
 * A line of text and a fill colour written into a page's content as pdfkit writes them, with a
 * fraction of its work: pdfkit's text() goes through an options object, a matrix kept up to date,
 * two width measurements and a dozen separate writes per line, and fillColor parses the colour
 * each time; the receipt writes about a hundred lines and as many colours. The lines pdfkit's
 * wrapper makes of a text are written the same way (installLines). The bytes are pdfkit's:
 * checked against pdfkit's own output on probe texts (kerning, marks with offsets, both fonts,
 * several sizes), a wrapped paragraph and colours once per receipt fonts (receipt-line-check.ts);
 * should they differ (another pdfkit), pdfkit writes them.
 */

/** A glyph as pdfkit's encode reads it. */
interface GlyphInfo {
  readonly id: number;
  readonly advanceWidth: number;
  readonly codePoints: number[];
}

/** A glyph's position as pdfkit's EmbeddedFont lays it out (scaled to 1000 units, with the advance width). */
interface Position {
  readonly xAdvance: number;
  readonly xOffset: number;
  readonly yOffset: number;
  readonly advanceWidth: number;
}

/** pdfkit's font object of a document, as far as a line is written here (not in its types). */
export interface EmbeddedFont {
  readonly id: string;
  readonly name: string;
  readonly ascender: number;
  readonly scale: number;
  /** The fontkit font: the same for every document with the receipt's fonts. */
  readonly font: object;
  readonly subset: { includeGlyph(glyph: number): number };
  readonly widths: Array<number | undefined>;
  readonly unicode: Array<number[] | undefined>;
  ref(): unknown;
  layout(text: string): { readonly glyphs: readonly GlyphInfo[]; readonly positions: readonly Position[] };
}

/** pdfkit's document, as far as a line or a colour is written here. */
export interface DocumentInternals {
  readonly _font: EmbeddedFont;
  readonly _fontSize: number;
  _fillColor: unknown;
  readonly page: { readonly height: number; readonly fonts: Record<string, unknown>; readonly content: { readonly buffer: readonly Uint8Array[] } };
  addContent(data: string): unknown;
  _normalizeColor(colour: string): number[] | null;
  _line: LineCallback;
  readonly _lineGap: number;
}

/** pdfkit's _line: writes one line of a text (its lineCallback), then moves down or on. */
type LineCallback = (text: string, options?: Record<string, unknown>, wrapper?: unknown) => void;

/** PDFObject.number: a number as pdfkit writes it into a content stream. */
function num(n: number): number {
  if (n > -1e21 && n < 1e21) return Math.round(n * 1e6) / 1e6;
  throw new Error(`unsupported number: ${n}`);
}

/**
 * How a text is written, whatever the document: its glyphs and, for a text whose glyphs have no
 * offsets (all but marks), its TJ segments: where each ends and the kerning written after it,
 * as pdfkit's _fragment cuts them; else its positions, for _fragment's general loop.
 */
interface LinePlan {
  readonly glyphs: readonly GlyphInfo[];
  readonly segments: ReadonlyArray<readonly [end: number, kerning: string]> | null;
  readonly positions: readonly Position[];
  /**
   * The TJ operator last made of the plan, with the subset's glyph ids it was made for: the
   * receipts of a form mostly number their glyphs alike (their texts come in the same order),
   * and the same ids give the same operator, so it is not made again.
   */
  last?: { readonly gids: readonly number[]; readonly tj: string };
}

/** Plans by fontkit font and text (texts of a line: a hundred characters or so), bounded; kept when they recur. */
const plans = new WeakMap<object, { readonly byText: Map<string, LinePlan>; readonly recurring: Recurring }>();
const MAX_PLANS = 20_000;

function planOf(font: EmbeddedFont, s: string): LinePlan {
  let known = plans.get(font.font);
  if (!known) plans.set(font.font, (known = { byText: new Map<string, LinePlan>(), recurring: new Recurring() }));
  const { byText } = known;
  let plan = byText.get(s);
  if (!plan) {
    // What pdfkit's encode lays out (the document's layout, shared by receipt-layout-cache.ts).
    const { glyphs, positions } = font.layout(s);
    let segments: Array<readonly [number, string]> | null = [];
    let last = 0;
    for (let i = 0; i < positions.length; i++) {
      const position = positions[i]!;
      if (position.xOffset || position.yOffset) {
        segments = null;
        break;
      }
      if (position.xAdvance - position.advanceWidth !== 0 || i === positions.length - 1) {
        segments.push([i + 1, `${num(-(position.xAdvance - position.advanceWidth))}`]);
        last = i + 1;
      }
    }
    if (segments && last !== positions.length) throw new Error('a line plan that does not end with its last glyph');
    plan = { glyphs: [...glyphs], segments, positions: positions.map((p) => ({ xAdvance: p.xAdvance, xOffset: p.xOffset, yOffset: p.yOffset, advanceWidth: p.advanceWidth })) };
    // A line written again in the same document (a label of every list item) counts too.
    if (!known.recurring.recurs(s)) return plan;
    if (byText.size >= MAX_PLANS) byText.clear();
    byText.set(s, plan);
  }
  return plan;
}

/**
 * Numbers that recur from line to line (the page height, the columns' x, font sizes) as text,
 * made once: turning a number into text is most of the cost of a line's operators.
 */
const numberTexts = new Map<number, string>();
function numberText(n: number): string {
  let text = numberTexts.get(n);
  if (text === undefined) {
    text = `${num(n)}`;
    if (numberTexts.size >= 1024) numberTexts.clear();
    numberTexts.set(n, text);
  }
  return text;
}
/** What a line starts with, by page height: save, flip the page, begin the text. */
const flips = new Map<number, string>();
function flipOf(height: number): string {
  let flip = flips.get(height);
  if (flip === undefined) flips.set(height, (flip = `q\n1 0 0 -1 0 ${numberText(height)} cm\nBT\n`));
  return flip;
}

/** The glyph ids of the line being written (reused: writeLine runs a hundred times a receipt). */
let scratch: number[] = new Array<number>(256).fill(0);

/** Glyph ids as pdfkit's encode writes them: four hex digits. */
const hexIds: string[] = [];
const hexId = (gid: number): string => (hexIds[gid] ??= `0000${gid.toString(16)}`.slice(-4));

/**
 * What pdfkit's text(s, x, y, { lineBreak: false }) writes for a text without a line break, in
 * the current font and size, left aligned, without further options (its _text, _line and
 * _fragment), as one addContent call: save, flip, BT, position, font, the glyphs with their
 * kerning and offsets, ET, restore; and what its encode notes of the glyphs (the subset, their
 * widths and characters). The current transformation is left as it was, as restore leaves it.
 */
export function writeLine(doc: DocumentInternals, s: string, x: number, y: number): void {
  if (s.length === 0) return;
  const font = doc._font;
  const size = doc._fontSize;
  const page = doc.page;
  if (page.fonts[font.id] === undefined || page.fonts[font.id] === null) page.fonts[font.id] = font.ref();
  const plan = planOf(font, s);
  // encode: each glyph into the subset, its width and characters noted the first time.
  const count = plan.glyphs.length;
  const gids = count <= scratch.length ? scratch : (scratch = new Array<number>(count * 2).fill(0));
  const lastGids = plan.last?.gids;
  let sameGids = lastGids !== undefined && lastGids.length === count;
  for (let i = 0; i < count; i++) {
    const glyph = plan.glyphs[i]!;
    const gid = font.subset.includeGlyph(glyph.id);
    if (sameGids && lastGids![i] !== gid) sameGids = false;
    gids[i] = gid;
    if (font.widths[gid] === undefined || font.widths[gid] === null) font.widths[gid] = glyph.advanceWidth * font.scale;
    if (font.unicode[gid] === undefined || font.unicode[gid] === null) font.unicode[gid] = glyph.codePoints;
  }
  const encoded = (): string[] => gids.slice(0, count).map(hexId);
  const base = page.height - y - (font.ascender / 1000) * size;
  if (plan.segments) {
    let tj = sameGids ? plan.last!.tj : undefined;
    if (tj === undefined) {
      const hex = encoded();
      const commands: string[] = [];
      let last = 0;
      for (const [end, kerning] of plan.segments) {
        commands.push(`<${hex.slice(last, end).join('')}> ${kerning}`);
        last = end;
      }
      tj = commands.length > 0 ? `\n[${commands.join(' ')}] TJ` : '';
      plan.last = { gids: gids.slice(0, count), tj };
    }
    doc.addContent(`${flipOf(page.height)}1 0 0 1 ${numberText(x)} ${num(base)} Tm\n/${font.id} ${numberText(size)} Tf${tj}\nET\nQ`);
    return;
  }
  const head = `${flipOf(page.height)}1 0 0 1 ${numberText(x)} ${num(base)} Tm\n/${font.id} ${numberText(size)} Tf`;
  const hex = encoded();
  // _fragment's loop, for glyphs with offsets.
  const positions = plan.positions;
  const out = [head];
  const scale = size / 1000;
  const commands: string[] = [];
  let at = x;
  let last = 0;
  let hadOffset = false;
  const addSegment = (cur: number): void => {
    if (last < cur) {
      const position = positions[cur - 1]!;
      commands.push(`<${hex.slice(last, cur).join('')}> ${num(-(position.xAdvance - position.advanceWidth))}`);
    }
    last = cur;
  };
  const flush = (i: number): void => {
    addSegment(i);
    if (commands.length > 0) {
      out.push(`[${commands.join(' ')}] TJ`);
      commands.length = 0;
    }
  };
  let i = 0;
  for (; i < positions.length; i++) {
    const position = positions[i]!;
    if (position.xOffset || position.yOffset) {
      flush(i);
      out.push(`1 0 0 1 ${num(at + position.xOffset * scale)} ${num(base + position.yOffset * scale)} Tm`);
      flush(i + 1);
      hadOffset = true;
    } else {
      if (hadOffset) {
        out.push(`1 0 0 1 ${num(at)} ${num(base)} Tm`);
        hadOffset = false;
      }
      if (position.xAdvance - position.advanceWidth !== 0) addSegment(i + 1);
    }
    at += position.xAdvance * scale;
  }
  flush(i);
  out.push('ET\nQ');
  doc.addContent(out.join('\n'));
}

/**
 * The options of a line that _fragment writes as writeLine does: what _initOptions and the line
 * wrapper put there for text(s, x, y, { width, lineGap }) and for { lineBreak: false } (and
 * ellipsis, which only the wrapper reads), left aligned. Anything else goes to pdfkit's _line.
 */
const PLAIN_OPTIONS = new Set(['width', 'lineGap', 'columns', 'columnGap', 'rotation', 'height', 'lineBreak', 'ellipsis', 'textWidth', 'wordCount', 'lineWidth', 'align']);
function plain(options: Record<string, unknown>): boolean {
  for (const key in options) {
    if (!PLAIN_OPTIONS.has(key)) return false;
  }
  // (The wrapper puts align back after the last line, undefined when it was not given.)
  return !options.rotation && !options.columns && (options.align === undefined || options.align === 'left');
}

/** The lines a document's text() wrote, while a writer listens (see installLines). */
export interface LineRecorder {
  lines: Array<{ readonly text: string; readonly x: number; readonly y: number }> | null;
}

/**
 * Replaces the document's _line (what text() writes each line with): a line with plain options
 * is written by writeLine when `fast`, else by pdfkit; then the position moves as pdfkit's _line
 * moves it. While recorder.lines is an array, every line written is added to it.
 */
export function installLines(doc: PDFKit.PDFDocument, fast: boolean): LineRecorder {
  const internals = doc as unknown as DocumentInternals;
  const original = internals._line;
  const recorder: LineRecorder = { lines: null };
  internals._line = (text, options = {}, wrapper) => {
    recorder.lines?.push({ text, x: doc.x, y: doc.y });
    if (!fast || !plain(options)) return original(text, options, wrapper);
    // As _fragment takes it.
    writeLine(internals, text.includes('\n') ? text.replace(/\n/g, '') : text, doc.x, doc.y);
    if (wrapper) doc.y += doc.currentLineHeight(true) + ((options.lineGap as number | undefined) || internals._lineGap || 0);
    else doc.x += doc.widthOfString(text, options);
  };
  return recorder;
}

/** Colours as pdfkit's fillColor writes them (a colour space and its components), by colour. */
const colourLines = new Map<string, string>();

/** pdfkit's fillColor(colour) for a colour given as hex, without opacity: the same writes, made once. */
export function writeFillColour(doc: DocumentInternals, colour: string): void {
  let line = colourLines.get(colour);
  if (line === undefined) {
    const components = doc._normalizeColor(colour);
    if (!components || components.length !== 3) throw new Error(`not an RGB colour: ${colour}`);
    line = `/DeviceRGB cs\n${components.join(' ')} scn`;
    colourLines.set(colour, line);
  }
  doc.addContent(line);
  doc._fillColor = [colour, undefined];
}
