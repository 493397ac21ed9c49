import PDFDocument from 'pdfkit';
import { deflateFaster } from './receipt-compression';
import type { ReceiptFonts } from './receipt-fonts';
import { ReceiptError } from './receipt-error';
import { shareLayouts } from './receipt-layout-cache';
import { sha256Hex } from '../support/sha256';
import type { ReceiptModel } from './receipt-model';
import { drawWatermark } from './receipt-watermark';
import { BLACK, BODY_SIZE, FOOTER_OFFSET, GREY, LINE_GAP, MARGIN, receiptWriter, RULE, TEST_RED } from './receipt-writer';
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

// pdfkit's types know neither parsed fontkit fonts (which it accepts, see PDFFontFactory.open)
// nor the /AFRelationship option of file().
type FontSource = PDFKit.Mixins.PDFFontSource;
type AttachmentOptions = PDFKit.Mixins.PDFAttachmentOptions & { relationship?: 'Source' | 'Data' | 'Alternative' | 'Supplement' | 'Unspecified' };

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

  const { left, width, text, fill, write, heightOfText, heading, row, entries, rule, ensureSpace, attachment: sentFile } = receiptWriter(doc, fonts);

  // Header: who issues it, what it is, the reference number first.
  doc.font(regular).fontSize(9);
  fill(GREY);
  write(text(model.tenantName), left, MARGIN.top, width);
  doc.y += 6;
  doc.font(bold).fontSize(20);
  fill(BLACK);
  write(text(model.title), left, doc.y, width);
  doc.y += 4;
  if (model.test) {
    doc.font(bold).fontSize(13);
    fill(TEST_RED);
    write(text(model.texts.testNotice), left, doc.y, width);
    doc.y += 4;
  }
  doc.font(regular).fontSize(BODY_SIZE);
  fill(BLACK);
  write(text(model.texts.intro), left, doc.y, width);
  doc.y += 10;
  row(model.texts.reference, model.reference, 0, bold, 13);
  row(model.texts.receivedAt, model.receivedAtText, 0);
  row(model.texts.form, model.formTitle, 0);
  row(model.texts.authority, `${model.authority.name}\n${model.authority.email}`, 0);
  if (model.fee !== undefined) row(model.texts.fee, model.fee, 0);
  if (model.legalBasis !== undefined) row(model.texts.legalBasis, model.legalBasis, 0);
  rule();

  doc.font(bold).fontSize(14);

  fill(BLACK);
  write(text(model.texts.answers), left, doc.y, width);
  for (const section of model.sections) {
    heading(section.title, 11.5, 8);
    entries(section.entries, 0);
  }

  if (model.declarations.length > 0) {
    heading(model.texts.declarations, 11.5, 8);
    doc.font(regular).fontSize(BODY_SIZE);
    fill(BLACK);
    for (const declaration of model.declarations) {
      const line = `✓ ${text(declaration)}`;
      ensureSpace(heightOfText(line, width, LINE_GAP));
      write(line, left, doc.y, width, LINE_GAP);
      doc.y += 4;
    }
  }

  if (model.attachments.length > 0) {
    heading(model.attachmentTexts.title, 11.5, 8);
    doc.font(regular).fontSize(9);
    fill(GREY);
    write(text(model.attachmentTexts.intro), left, doc.y, width, LINE_GAP);
    doc.y += 2;
    for (const file of model.attachments) sentFile(file, model.attachmentTexts);
  }

  rule();
  heading(model.texts.fingerprintTitle, 10, 0);
  doc.font(regular).fontSize(9);
  fill(GREY);
  write(text(format(model.texts.fingerprintText, { file: model.xmlFileName })), left, doc.y, width, LINE_GAP);
  doc.y += 3;
  doc.font(regular).fontSize(9);
  fill(BLACK);
  write(model.xmlSha256, left, doc.y, width);

  // "Seite x von y" on every page, once the number of pages is known. The footer sits below the
  // bottom margin, where pdfkit would open a new page unless the margin is lifted meanwhile.
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    doc.page.margins.bottom = 0;
    const y = doc.page.height - FOOTER_OFFSET;
    doc.moveTo(left, y - 6).lineTo(left + width, y - 6).lineWidth(0.5).strokeColor(RULE).stroke();
    doc.font(regular).fontSize(8);
    fill(GREY);
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
