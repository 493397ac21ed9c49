import PDFDocument from 'pdfkit';
import type { SummaryEntry } from '../forms/summary';
import { REQUIRED_CHARACTERS, type ReceiptFonts } from './receipt-fonts';

/** The receipt's page and type: A4 margins in points, colours, the body size and the two columns. */
export const BLACK = '#0b0c0c';
export const GREY = '#505a5f';
export const RULE = '#b1b4b6';
export const TEST_RED = '#b10e1e';
export const MARGIN = { top: 56, bottom: 72, left: 56, right: 56 } as const;
export const FOOTER_OFFSET = 44;
export const BODY_SIZE = 10;
const LABEL_SHARE = 0.4;
const COLUMN_GAP = 12;
const INDENT = 14;
export const LINE_GAP = 1.5;

/**
 * Texts known to take exactly one line at a font, size and width (and to contain no break that
 * pdfkit must make). pdfkit's LineWrapper, which splits a text into words by the Unicode line
 * breaking rules and measures each, was the most expensive step of writing most texts; a text
 * it once put on a single line without a page break is put there again without it (the same
 * text, at the same place: the same bytes). Learnt from pdfkit's own wrapping, per process and
 * fonts, bounded.
 */
const singleLines = new WeakMap<object, Map<string, Set<string>>>();
/** Per font, size and width (a handful of each). */
const MAX_SINGLE_LINES = 10_000;
/** Longer texts never fit on one line of an A4 page. */
const MAX_SINGLE_LINE_TEXT = 200;
/** Characters after which pdfkit must break (or may hyphenate): such texts are always wrapped. */
const MANDATORY_BREAK = /[\n\r\v\f\u0085\u2028\u2029\u00ad]/;

/** pdfkit's font object of a document, as far as a line is written here (not in its types). */
interface EmbeddedFont {
  readonly id: string;
  readonly name: string;
  readonly ascender: number;
  ref(): unknown;
  encode(text: string): [string[], ReadonlyArray<{ readonly xAdvance: number; readonly xOffset: number; readonly yOffset: number; readonly advanceWidth: number }>];
}

/** pdfkit's document, as far as a line or a colour is written here. */
interface DocumentInternals {
  readonly _font: EmbeddedFont;
  readonly _fontSize: number;
  _fillColor: unknown;
  readonly page: { readonly height: number; readonly fonts: Record<string, unknown>; readonly content: { readonly buffer: readonly Uint8Array[] } };
  addContent(data: string): unknown;
  _normalizeColor(colour: string): number[] | null;
}

/** PDFObject.number: a number as pdfkit writes it into a content stream. */
function num(n: number): number {
  if (n > -1e21 && n < 1e21) return Math.round(n * 1e6) / 1e6;
  throw new Error(`unsupported number: ${n}`);
}

/**
 * What pdfkit's text(s, x, y, { lineBreak: false }) writes for a text without a line break, in
 * the current font and size, left aligned, without further options (its _text, _line and
 * _fragment), as one addContent call: save, flip, BT, position, font, the glyphs with their
 * kerning and offsets, ET, restore. pdfkit does this with an options object, a matrix kept up
 * to date, two width measurements and a dozen writes per line, a hundred times per receipt.
 * The current transformation is left as it was, as restore leaves it. Checked against pdfkit
 * when a receipt's fonts are first used (fastLinesAgree); pdfkit writes them otherwise.
 */
function writeLine(doc: DocumentInternals, s: string, x: number, y: number): void {
  if (s.length === 0) return;
  const font = doc._font;
  const size = doc._fontSize;
  const page = doc.page;
  if (page.fonts[font.id] === undefined || page.fonts[font.id] === null) page.fonts[font.id] = font.ref();
  const [encoded, positions] = font.encode(s);
  let at = x;
  const base = page.height - y - (font.ascender / 1000) * size;
  const out = [`q\n1 0 0 -1 0 ${num(page.height)} cm\nBT\n1 0 0 1 ${num(at)} ${num(base)} Tm\n/${font.id} ${num(size)} Tf`];
  const scale = size / 1000;
  const commands: string[] = [];
  let last = 0;
  let hadOffset = false;
  const addSegment = (cur: number): void => {
    if (last < cur) {
      const position = positions[cur - 1]!;
      commands.push(`<${encoded.slice(last, cur).join('')}> ${num(-(position.xAdvance - position.advanceWidth))}`);
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

/** Colours as pdfkit's fillColor writes them (a colour space and its components), by colour. */
const colourLines = new Map<string, string>();

/** pdfkit's fillColor(colour) for a colour given as hex, without opacity: the same writes, made once. */
function writeFillColour(doc: DocumentInternals, colour: string): void {
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

/** Texts and colours that test what writeLine and writeFillColour write: kerning, marks, sizes. */
const PROBE_TEXTS = ['AVATAR To Wolf Yv 1.200,00 €', REQUIRED_CHARACTERS, 'ệ a\u0301\u0323b ✓ · Ł', 'x'];
const PROBE_COLOURS = [BLACK, GREY, TEST_RED];

/** Whether writeLine and writeFillColour write what pdfkit writes, per receipt fonts (checked once). */
const fastLinesAgree = new WeakMap<object, boolean>();

function checkFastLines(fonts: ReceiptFonts): boolean {
  const doc = new PDFDocument({ size: 'A4', font: fonts.regular as unknown as string });
  const internals = doc as unknown as DocumentInternals;
  const written = (draw: () => void): string => {
    const before = internals.page.content.buffer.length;
    draw();
    return Buffer.concat(internals.page.content.buffer.slice(before)).toString('latin1');
  };
  try {
    for (const font of [fonts.regular, fonts.bold]) {
      doc.font(font as unknown as string);
      for (const [i, s] of PROBE_TEXTS.entries()) {
        const size = [10, 13, 8.5, 150][i]!;
        const [x, y] = [56 + i * 3.3, 70.25 + i * 17.7];
        doc.fontSize(size);
        const pdfkit = written(() => doc.text(s, x, y, { lineBreak: false }));
        if (written(() => writeLine(internals, s, x, y)) !== pdfkit) return false;
      }
    }
    for (const colour of PROBE_COLOURS) {
      const pdfkit = written(() => doc.fillColor(colour));
      if (written(() => writeFillColour(internals, colour)) !== pdfkit) return false;
    }
    return true;
  } catch {
    return false;
  }
}

/**
 * Writing on the receipt's pages: texts, headings, label/value rows, lists of answers and rules,
 * each in the receipt's fonts and colours, opening a new page where the next block does not fit.
 * Every helper draws at once, in the order called, so the same calls give the same bytes.
 */
export interface ReceiptWriter {
  /** The left margin and the width between the margins. */
  readonly left: number;
  readonly width: number;
  /** A text as it is written (NFC-normalised). */
  readonly text: (s: string) => string;
  /** doc.fillColor(colour) for one of the receipt's colours. */
  readonly fill: (colour: string) => void;
  /** Writes a text at x, y in the current font and size, wrapped to the column's width. */
  readonly write: (s: string, x: number, y: number, columnWidth: number, lineGap?: number) => void;
  /** A new page unless `height` fits above the bottom margin. */
  readonly ensureSpace: (height: number) => void;
  readonly heading: (title: string, size: number, spaceBefore: number) => void;
  /** Label left, value right. */
  readonly row: (label: string, value: string, indent: number, valueFont?: string, valueSize?: number) => void;
  /** A section's answers, lists' items indented under their titles. */
  readonly entries: (list: readonly SummaryEntry[], indent: number) => void;
  /** A thin line across the page between blocks. */
  readonly rule: () => void;
}

/** The writer of one receipt's document (its fonts registered by their PostScript names). */
export function receiptWriter(doc: PDFKit.PDFDocument, fonts: ReceiptFonts): ReceiptWriter {
  const regular = fonts.regular.postscriptName;
  const bold = fonts.bold.postscriptName;
  const left = MARGIN.left;
  const width = doc.page.width - MARGIN.left - MARGIN.right;
  const bottom = () => doc.page.height - MARGIN.bottom;
  const text = (s: string) => s.normalize('NFC');
  const internals = doc as unknown as DocumentInternals;
  let fast = fastLinesAgree.get(fonts.regular);
  if (fast === undefined) {
    fast = checkFastLines(fonts);
    fastLinesAgree.set(fonts.regular, fast);
  }
  const fill = fast ? (colour: string) => writeFillColour(internals, colour) : (colour: string) => void doc.fillColor(colour);

  let known = singleLines.get(fonts.regular);
  if (!known) {
    known = new Map();
    singleLines.set(fonts.regular, known);
  }
  const columns = known;
  // pdfkit's current font and size (not in its types).
  const current = doc as unknown as { readonly _font: { readonly name: string }; readonly _fontSize: number };
  /** The texts known to fit on one line in the current font and size, at a width. */
  const linesAt = (columnWidth: number): Set<string> => {
    const column = `${current._font.name}|${current._fontSize}|${columnWidth}`;
    let lines = columns.get(column);
    if (!lines) {
      lines = new Set();
      columns.set(column, lines);
    }
    return lines;
  };

  /**
   * doc.text(s, x, y, { width, lineGap }) in the current font and size; a text known to fit on
   * one line (see singleLines) is written without wrapping, where no page break could follow.
   */
  const write = (s: string, x: number, y: number, columnWidth: number, lineGap = 0): void => {
    const lineHeight = doc.currentLineHeight(true);
    const lines = s.length <= MAX_SINGLE_LINE_TEXT ? linesAt(columnWidth) : undefined;
    if (lines?.has(s) && y + lineHeight <= doc.page.maxY() - 0.01) {
      if (fast) writeLine(internals, s, x, y);
      else doc.text(s, x, y, { lineBreak: false });
      // Where pdfkit's wrapping leaves the position after a line.
      doc.x = x;
      doc.y = y + (lineHeight + lineGap);
      return;
    }
    const pages = doc.bufferedPageRange().count;
    doc.text(s, x, y, { width: columnWidth, lineGap });
    const oneLine = doc.y === y + (lineHeight + lineGap) && doc.bufferedPageRange().count === pages;
    if (lines && oneLine && !MANDATORY_BREAK.test(s)) {
      if (lines.size >= MAX_SINGLE_LINES) lines.clear();
      lines.add(s);
    }
  };

  const ensureSpace = (height: number): void => {
    if (doc.y + height > bottom()) doc.addPage();
  };

  const heading = (title: string, size: number, spaceBefore: number): void => {
    doc.font(bold).fontSize(size);
    // Keep a heading with at least two lines of what follows.
    ensureSpace(spaceBefore + doc.heightOfString(text(title), { width }) + 2 * BODY_SIZE * 1.4);
    doc.y += spaceBefore;
    fill(BLACK);
    write(text(title), left, doc.y, width);
    doc.y += 4;
  };

  /** Height of a text in the current font and size; a single line is not wrapped to find out. */
  const heightOf = (value: string, columnWidth: number): number =>
    !value.includes('\n') && doc.widthOfString(value) <= columnWidth
      ? doc.currentLineHeight(true) + LINE_GAP
      : doc.heightOfString(value, { width: columnWidth, lineGap: LINE_GAP });

  /** Label left, value right; a value longer than a page flows on under its label instead. */
  const row = (label: string, value: string, indent: number, valueFont = regular, valueSize = BODY_SIZE): void => {
    // The value column stays where it is inside lists; the label column gives up the indent.
    const x = left + indent;
    const labelWidth = width * LABEL_SHARE - COLUMN_GAP - indent;
    const valueX = left + width * LABEL_SHARE;
    const valueWidth = width * (1 - LABEL_SHARE);
    const labelText = text(label);
    const valueText = text(value);
    doc.font(regular).fontSize(BODY_SIZE);
    const labelHeight = heightOf(labelText, labelWidth);
    doc.font(valueFont).fontSize(valueSize);
    const height = Math.max(labelHeight, heightOf(valueText, valueWidth));
    if (height > bottom() - MARGIN.top) {
      ensureSpace(3 * BODY_SIZE * 1.4);
      doc.font(regular).fontSize(BODY_SIZE).fillColor(GREY).text(labelText, x, doc.y, { width: width - indent, lineGap: LINE_GAP });
      doc.font(valueFont).fontSize(valueSize).fillColor(BLACK).text(valueText, x, doc.y, { width: width - indent, lineGap: LINE_GAP });
      doc.y += 5;
      return;
    }
    ensureSpace(height);
    const top = doc.y;
    doc.font(regular).fontSize(BODY_SIZE);
    fill(GREY);
    write(labelText, x, top, labelWidth, LINE_GAP);
    doc.font(valueFont).fontSize(valueSize);
    fill(BLACK);
    write(valueText, valueX, top, valueWidth, LINE_GAP);
    doc.y = top + height + 5;
  };

  const entries = (list: readonly SummaryEntry[], indent: number): void => {
    for (const entry of list) {
      if (entry.kind === 'answer') {
        row(entry.label, entry.value, indent);
        continue;
      }
      for (const item of entry.items) {
        doc.font(bold).fontSize(BODY_SIZE);
        ensureSpace(doc.heightOfString(text(item.title), { width }) + 4 + 2 * BODY_SIZE * 1.4);
        doc.y += 4;
        fill(BLACK);
        write(text(item.title), left + indent, doc.y, width - indent);
        doc.y += 3;
        entries(item.entries, indent + INDENT);
      }
    }
  };

  const rule = (): void => {
    doc.y += 6;
    doc.moveTo(left, doc.y).lineTo(left + width, doc.y).lineWidth(0.5).strokeColor(RULE).stroke();
    doc.y += 8;
  };

  return { left, width, text, fill, write, ensureSpace, heading, row, entries, rule };
}
