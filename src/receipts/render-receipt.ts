import PDFDocument from 'pdfkit';
import type { SummaryEntry } from '../forms/summary';
import { deflateFaster } from './receipt-compression';
import type { ReceiptFonts } from './receipt-fonts';
import { ReceiptError } from './receipt-error';
import { shareLayouts } from './receipt-layout-cache';
import { sha256Hex } from '../support/sha256';
import type { ReceiptModel } from './receipt-model';
import { drawWatermark } from './receipt-watermark';
import { format } from '../i18n/translator';

/**
 * The receipt as PDF/A-3b: A4, every font embedded (DejaVu Sans, see receipt-fonts.ts), an sRGB
 * output intent (the ICC profile pdfkit ships), XMP metadata naming part 3 / conformance B, no
 * encryption, and the XML payload attached as an associated file (/AFRelationship /Data).
 *
 * Reproducible: the same model and XML give the same bytes. The creation and modification
 * dates are the moment of receipt, the trailer /ID is pdfkit's hash over the document info,
 * which holds the reference number and the XML's SHA-256, and pdfkit numbers its objects in the
 * order they are made.
 */

const BLACK = '#0b0c0c';
const GREY = '#505a5f';
const RULE = '#b1b4b6';
const TEST_RED = '#b10e1e';
const MARGIN = { top: 56, bottom: 72, left: 56, right: 56 } as const;
const FOOTER_OFFSET = 44;
const BODY_SIZE = 10;
const LABEL_SHARE = 0.4;
const COLUMN_GAP = 12;
const INDENT = 14;
const LINE_GAP = 1.5;

// pdfkit's types know neither parsed fontkit fonts (which it accepts, see PDFFontFactory.open)
// nor the /AFRelationship option of file().
type FontSource = PDFKit.Mixins.PDFFontSource;
type AttachmentOptions = PDFKit.Mixins.PDFAttachmentOptions & { relationship?: 'Source' | 'Data' | 'Alternative' | 'Supplement' | 'Unspecified' };

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

function xmpDate(date: Date): string {
  return `${date.toISOString().split('.')[0] ?? ''}Z`;
}

/** Lays the receipt out into a pdfkit document, not yet ended. */
function drawReceipt(model: ReceiptModel, fonts: ReceiptFonts, xml: string): PDFKit.PDFDocument {
  // The fingerprint printed must be the one of the bytes attached.
  if (sha256Hex(xml) !== model.xmlSha256) throw new ReceiptError(`receipt ${model.reference}: the XML does not match the model's fingerprint`);
  const regular = fonts.regular.postscriptName;
  const bold = fonts.bold.postscriptName;
  const at = model.receivedAt;

  const doc = new PDFDocument({
    size: 'A4',
    margins: MARGIN,
    pdfVersion: '1.7',
    subset: 'PDF/A-3b',
    bufferPages: true,
    lang: model.language,
    displayTitle: true,
    // Added below, once the document deflates its streams itself (receipt-compression.ts); it
    // is what pdfkit's constructor would do last.
    autoFirstPage: false,
    // A parsed font instead of Helvetica (which would be loaded and never embedded).
    font: fonts.regular as unknown as string,
    info: {
      // Plain ASCII apart from the title: pdfkit copies these into the XMP without escaping.
      Title: `${model.title} ${model.reference}`,
      Keywords: `${model.reference} SHA-256 ${model.xmlSha256}`,
      Creator: 'efa-forms',
      Producer: 'efa-forms with PDFKit',
      CreationDate: at,
      ModDate: at,
    },
  });
  deflateFaster(doc);
  doc.addPage();
  // pdfkit writes xmp:CreateDate but not the modification date the info dictionary holds.
  doc.appendXML(`<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/"><xmp:ModifyDate>${xmpDate(at)}</xmp:ModifyDate><xmp:MetadataDate>${xmpDate(at)}</xmp:MetadataDate></rdf:Description>`);
  // After the first use of a parsed font pdfkit finds it again by name; by object it would
  // open it anew each time.
  doc.registerFont(regular, fonts.regular as unknown as FontSource);
  doc.registerFont(bold, fonts.bold as unknown as FontSource);
  // The words and texts earlier receipts laid out (receipt-layout-cache.ts). pdfkit makes its
  // font objects on first use, numbered in that order: regular (the default font), then bold.
  const pdfFont = (name: string): unknown => (doc.font(name) as unknown as { _font: unknown })._font;
  const keepLayouts = shareLayouts([[fonts.regular, pdfFont(regular)], [fonts.bold, pdfFont(bold)]]);
  if (model.test) {
    // Drawn first on each page, so that it lies under the page's text.
    drawWatermark(doc, model.texts.testWatermark, bold);
    doc.on('pageAdded', () => drawWatermark(doc, model.texts.testWatermark, bold));
  }

  const left = MARGIN.left;
  const width = doc.page.width - MARGIN.left - MARGIN.right;
  const bottom = () => doc.page.height - MARGIN.bottom;
  const text = (s: string) => s.normalize('NFC');

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
      doc.text(s, x, y, { lineBreak: false });
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
    doc.fillColor(BLACK);
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
    doc.font(regular).fontSize(BODY_SIZE).fillColor(GREY);
    write(labelText, x, top, labelWidth, LINE_GAP);
    doc.font(valueFont).fontSize(valueSize).fillColor(BLACK);
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
        doc.fillColor(BLACK);
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

  // Header: who issues it, what it is, the reference number first.
  doc.font(regular).fontSize(9).fillColor(GREY);
  write(text(model.tenantName), left, MARGIN.top, width);
  doc.y += 6;
  doc.font(bold).fontSize(20).fillColor(BLACK);
  write(text(model.title), left, doc.y, width);
  doc.y += 4;
  if (model.test) {
    doc.font(bold).fontSize(13).fillColor(TEST_RED);
    write(text(model.texts.testNotice), left, doc.y, width);
    doc.y += 4;
  }
  doc.font(regular).fontSize(BODY_SIZE).fillColor(BLACK);
  write(text(model.texts.intro), left, doc.y, width);
  doc.y += 10;
  row(model.texts.reference, model.reference, 0, bold, 13);
  row(model.texts.receivedAt, model.receivedAtText, 0);
  row(model.texts.form, model.formTitle, 0);
  row(model.texts.authority, `${model.authority.name}\n${model.authority.email}`, 0);
  if (model.fee !== undefined) row(model.texts.fee, model.fee, 0);
  if (model.legalBasis !== undefined) row(model.texts.legalBasis, model.legalBasis, 0);
  rule();

  doc.font(bold).fontSize(14).fillColor(BLACK);
  write(text(model.texts.answers), left, doc.y, width);
  for (const section of model.sections) {
    heading(section.title, 11.5, 8);
    entries(section.entries, 0);
  }

  if (model.declarations.length > 0) {
    heading(model.texts.declarations, 11.5, 8);
    doc.font(regular).fontSize(BODY_SIZE).fillColor(BLACK);
    for (const declaration of model.declarations) {
      const line = `✓ ${text(declaration)}`;
      ensureSpace(doc.heightOfString(line, { width, lineGap: LINE_GAP }));
      write(line, left, doc.y, width, LINE_GAP);
      doc.y += 4;
    }
  }

  rule();
  heading(model.texts.fingerprintTitle, 10, 0);
  doc.font(regular).fontSize(9).fillColor(GREY);
  write(text(format(model.texts.fingerprintText, { file: model.xmlFileName })), left, doc.y, width, LINE_GAP);
  doc.y += 3;
  doc.font(regular).fontSize(9).fillColor(BLACK);
  write(model.xmlSha256, left, doc.y, width);

  // "Seite x von y" on every page, once the number of pages is known. The footer sits below the
  // bottom margin, where pdfkit would open a new page unless the margin is lifted meanwhile.
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    doc.page.margins.bottom = 0;
    const y = doc.page.height - FOOTER_OFFSET;
    doc.moveTo(left, y - 6).lineTo(left + width, y - 6).lineWidth(0.5).strokeColor(RULE).stroke();
    doc.font(regular).fontSize(8).fillColor(GREY);
    doc.text(text(`${model.title} · ${model.reference}`), left, y, { width: width * 0.7, lineBreak: false, ellipsis: true });
    doc.text(format(model.texts.pageOf, { n: i - range.start + 1, total: range.count }), left, y, { width, align: 'right', lineBreak: false });
    doc.page.margins.bottom = MARGIN.bottom;
  }

  const attachment: AttachmentOptions = {
    name: model.xmlFileName,
    type: 'application/xml',
    description: model.texts.attachmentDescription,
    creationDate: at,
    modifiedDate: at,
    relationship: 'Data',
  };
  doc.file(Buffer.from(xml, 'utf8'), attachment);
  keepLayouts();
  return doc;
}

/** Renders the receipt: pure, but for the Promise (pdfkit writes a stream). */
export function renderReceipt(model: ReceiptModel, fonts: ReceiptFonts, xml: string): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    // What drawReceipt throws rejects the Promise (the executor catches it).
    const doc = drawReceipt(model, fonts, xml);
    const chunks: Uint8Array[] = [];
    doc.on('data', (chunk: Uint8Array) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.end();
  });
}

/** Holds the fonts parsed once; one per process, made by the container. */
export interface ReceiptRenderer {
  render(model: ReceiptModel, xml: string): Promise<Buffer>;
}

export function createReceiptRenderer(fonts: ReceiptFonts): ReceiptRenderer {
  return { render: (model, xml) => renderReceipt(model, fonts, xml) };
}
