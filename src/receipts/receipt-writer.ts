import type { SummaryEntry } from '../forms/summary';
import type { ReceiptFonts } from './receipt-fonts';
import { Recurring } from './receipt-layout-cache';
import { installLines, writeFillColour, writeLine, type DocumentInternals } from './receipt-line';
import { fastLinesAgree } from './receipt-line-check';

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
 * How texts break into lines at a font, size and width, as pdfkit's LineWrapper broke them
 * (texts without a break that pdfkit must make). The LineWrapper splits a text into words by
 * the Unicode line breaking rules and measures each: the most expensive step of writing most
 * texts, and of measuring their height. A text it once wrapped without a page break is written
 * again line by line, each where pdfkit would put it (the same lines at the same places: the
 * same bytes), and its height is that of its lines. Learnt from pdfkit's own wrapping, per
 * process and fonts, bounded, for texts wrapped more than once.
 */
const knownLines = new WeakMap<object, Map<string, Map<string, readonly string[]>>>();
/** Kept only for a text wrapped a second time (see Recurring): most new answers never recur. */
const recurringTexts = new Recurring();
/** Per font, size and width (a handful of each). */
const MAX_KNOWN_TEXTS = 10_000;
/** Longer texts are wrapped each time (answers of a page or more). */
const MAX_KNOWN_TEXT = 1000;
/** Characters after which pdfkit must break (or may hyphenate): such texts are always wrapped. */
const MANDATORY_BREAK = /[\n\r\v\f\u0085\u2028\u2029\u00ad]/;

/**
 * Texts pdfkit's LineWrapper can break only after a space: Latin letters, digits and spaces
 * (line breaking classes AL, NU and SP of Unicode's UAX #14: no break between letters and digits,
 * a break after spaces). The wrapper measures such a text word by word, each word with the
 * spaces after it, which are the runs its width is the sum of: when the whole fits the line, so
 * do the words one after the other, and the text is one line, itself. Names, streets and most
 * short answers are such texts, and new on every receipt.
 */
const UNBROKEN = /^[A-Za-z0-9 \u00C0-\u00D6\u00D8-\u00F6\u00F8-\u024F\u1E00-\u1EFF]+$/;

/**
 * Whether pdfkit's text(s, { width: columnWidth }) writes s as one line (in the current font
 * and size, without a page break): for an UNBROKEN text whose width is less than the wrapper's
 * line width by more than rounding (the wrapper rounds each word's width down to a float32 and
 * sums them in another order). False says nothing: such texts are wrapped by pdfkit.
 */
export function fitsUnbroken(doc: PDFKit.PDFDocument, s: string, columnWidth: number): boolean {
  // The wrapper's line width, as LineWrapper works it out (horizontal scaling 100 %, one column).
  return UNBROKEN.test(s) && doc.widthOfString(s) <= (columnWidth * 100) / 100 - 0.01;
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
  /** doc.heightOfString(s, { width: columnWidth, lineGap }) in the current font and size. */
  readonly heightOfText: (s: string, columnWidth: number, lineGap?: number) => number;
  /** A new page unless `height` fits above the bottom margin. */
  readonly ensureSpace: (height: number) => void;
  readonly heading: (title: string, size: number, spaceBefore: number) => void;
  /** Label left, value right. */
  readonly row: (label: string, value: string, indent: number, valueFont?: string, valueSize?: number) => void;
  /** A section's answers, lists' items indented under their titles. */
  readonly entries: (list: readonly SummaryEntry[], indent: number) => void;
  /** A thin line across the page between blocks. */
  readonly rule: () => void;
  /** One file sent with the application: its name, then its size and SHA-512 as rows under it. */
  readonly attachment: (file: { readonly fileName: string; readonly size: string; readonly sha512: string }, labels: { readonly size: string; readonly hash: string }) => void;
}

/** SHA-512 in hex is 128 characters: four lines of 32 fit the value column at HASH_SIZE. */
const HASH_LINE = 32;
const HASH_SIZE = 8.5;

/** The writer of one receipt's document (its fonts registered by their PostScript names). */
export function receiptWriter(doc: PDFKit.PDFDocument, fonts: ReceiptFonts): ReceiptWriter {
  const regular = fonts.regular.postscriptName;
  const bold = fonts.bold.postscriptName;
  const left = MARGIN.left;
  const width = doc.page.width - MARGIN.left - MARGIN.right;
  const bottom = () => doc.page.height - MARGIN.bottom;
  const text = (s: string) => s.normalize('NFC');
  const internals = doc as unknown as DocumentInternals;
  const fast = fastLinesAgree(fonts);
  const fill = fast ? (colour: string) => writeFillColour(internals, colour) : (colour: string) => void doc.fillColor(colour);

  const recorder = installLines(doc, fast);

  let known = knownLines.get(fonts.regular);
  if (!known) {
    known = new Map();
    knownLines.set(fonts.regular, known);
  }
  const columns = known;
  // pdfkit's current font and size (not in its types).
  const current = doc as unknown as { readonly _font: { readonly name: string }; readonly _fontSize: number };
  /** The texts whose lines are known in the current font and size, at a width. */
  const linesAt = (columnWidth: number): Map<string, readonly string[]> => {
    const column = `${current._font.name}|${current._fontSize}|${columnWidth}`;
    let lines = columns.get(column);
    if (!lines) {
      lines = new Map();
      columns.set(column, lines);
    }
    return lines;
  };
  const knownLinesOf = (s: string, columnWidth: number): readonly string[] | undefined =>
    (s.length <= MAX_KNOWN_TEXT ? linesAt(columnWidth).get(s) : undefined) ?? (fitsUnbroken(doc, s, columnWidth) ? [s] : undefined);

  /**
   * doc.text(s, x, y, { width, lineGap }) in the current font and size; a text whose lines are
   * known (see knownLines, fitsUnbroken) is written line by line without wrapping, where no page
   * break could come between them (pdfkit breaks the page when the next line would end below
   * maxY).
   */
  const write = (s: string, x: number, y: number, columnWidth: number, lineGap = 0): void => {
    const lineHeight = doc.currentLineHeight(true);
    const step = lineHeight + lineGap;
    const lines = knownLinesOf(s, columnWidth);
    if (lines && y + (lines.length - 1) * step + lineHeight <= doc.page.maxY() - 0.01) {
      // Where pdfkit's wrapping puts each line, and leaves the position after the last.
      let at = y;
      for (const line of lines) {
        if (fast) writeLine(internals, line, x, at);
        else doc.text(line, x, at, { lineBreak: false });
        at += step;
      }
      doc.x = x;
      doc.y = at;
      return;
    }
    const pages = doc.bufferedPageRange().count;
    const written: NonNullable<typeof recorder.lines> = [];
    recorder.lines = written;
    try {
      doc.text(s, x, y, { width: columnWidth, lineGap });
    } finally {
      recorder.lines = null;
    }
    if (s.length > MAX_KNOWN_TEXT || written.length === 0 || doc.bufferedPageRange().count !== pages || MANDATORY_BREAK.test(s)) return;
    // Only lines written where the wrapper puts them when it breaks no page: one under the other.
    let at = y;
    for (const line of written) {
      if (line.x !== x || line.y !== at) return;
      at += step;
    }
    if (doc.y !== at || !recurringTexts.recurs(`${current._font.name}|${current._fontSize}|${columnWidth}|${s}`)) return;
    const texts = linesAt(columnWidth);
    if (texts.size >= MAX_KNOWN_TEXTS) texts.clear();
    texts.set(s, written.map((line) => line.text));
  };

  /**
   * doc.heightOfString(s, { width, lineGap }) in the current font and size: for a text whose
   * lines are known, their heights added up as heightOfString adds them.
   */
  const heightOfText = (s: string, columnWidth: number, lineGap = 0): number => {
    const lines = knownLinesOf(s, columnWidth);
    if (!lines) return doc.heightOfString(s, { width: columnWidth, lineGap });
    const step = doc.currentLineHeight(true) + lineGap;
    let at = doc.y;
    for (let i = 0; i < lines.length; i++) at += step;
    return at - doc.y;
  };

  const ensureSpace = (height: number): void => {
    if (doc.y + height > bottom()) doc.addPage();
  };

  const heading = (title: string, size: number, spaceBefore: number): void => {
    doc.font(bold).fontSize(size);
    // Keep a heading with at least two lines of what follows.
    ensureSpace(spaceBefore + heightOfText(text(title), width) + 2 * BODY_SIZE * 1.4);
    doc.y += spaceBefore;
    fill(BLACK);
    write(text(title), left, doc.y, width);
    doc.y += 4;
  };

  /** Height of a text in the current font and size; a single line is not wrapped to find out. */
  const heightOf = (value: string, columnWidth: number): number =>
    !value.includes('\n') && doc.widthOfString(value) <= columnWidth
      ? doc.currentLineHeight(true) + LINE_GAP
      : heightOfText(value, columnWidth, LINE_GAP);

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
        ensureSpace(heightOfText(text(item.title), width) + 4 + 2 * BODY_SIZE * 1.4);
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

  const attachment: ReceiptWriter['attachment'] = (file, labels) => {
    doc.font(bold).fontSize(BODY_SIZE);
    // The name with its two rows below it on one page.
    ensureSpace(heightOfText(text(file.fileName), width) + 4 + 6 * BODY_SIZE * 1.4);
    doc.y += 4;
    fill(BLACK);
    write(text(file.fileName), left, doc.y, width);
    doc.y += 3;
    row(labels.size, file.size, INDENT);
    const hashLines = file.sha512.match(new RegExp(`.{1,${HASH_LINE}}`, 'g')) ?? [file.sha512];
    row(labels.hash, hashLines.join('\n'), INDENT, regular, HASH_SIZE);
  };

  return { left, width, text, fill, write, heightOfText, ensureSpace, heading, row, entries, rule, attachment };
}
