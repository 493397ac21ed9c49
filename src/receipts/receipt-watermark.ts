/**
 * The "TEST" watermark of a test submission's receipt: large, light grey, diagonal, under
 * everything else on the page. No transparency (PDF/A-1, which Preflight checks, forbids it): a
 * light colour drawn first keeps the text above it readable.
 */

const COLOUR = '#dcdcdc';
const SIZE = 150;
/** About the diagonal of A4 (atan(842 / 595) ≈ 54.7°), bottom left to top right. */
const ANGLE = -55;

/** pdfkit's current text state (not in its types): what drawing the mark must leave as it was. */
interface TextState {
  _font: unknown;
  _fontSize: number;
  _fontSource: unknown;
  _fontFamily: unknown;
  _fillColor: unknown;
}

/**
 * Draws the mark on the current page and leaves the document's position, font, size and fill
 * colour as they were: it runs when a page is added, which may be in the middle of a text
 * pdfkit continues on the new page with the state it had.
 */
export function drawWatermark(doc: PDFKit.PDFDocument, mark: string, font: string): void {
  const state = doc as unknown as TextState;
  const saved = { _font: state._font, _fontSize: state._fontSize, _fontSource: state._fontSource, _fontFamily: state._fontFamily, _fillColor: state._fillColor };
  const { x, y } = doc;
  const centreX = doc.page.width / 2;
  const centreY = doc.page.height / 2;
  doc.save();
  doc.font(font).fontSize(SIZE).fillColor(COLOUR);
  const width = doc.widthOfString(mark);
  const height = doc.currentLineHeight();
  doc.rotate(ANGLE, { origin: [centreX, centreY] });
  doc.text(mark, centreX - width / 2, centreY - height / 2, { lineBreak: false });
  doc.restore();
  Object.assign(state, saved);
  doc.x = x;
  doc.y = y;
}
