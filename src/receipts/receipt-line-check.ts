import PDFDocument from 'pdfkit';
import { REQUIRED_CHARACTERS, type ReceiptFonts } from './receipt-fonts';
import { installLines, writeFillColour, writeLine, type DocumentInternals, type EmbeddedFont } from './receipt-line';

/**
 * Whether the receipt's lines and colours may be written as receipt-line.ts writes them: the
 * same probes written into two documents, by pdfkit and by writeLine, installLines and
 * writeFillColour, must leave the same content and, per font, what pdfkit's encode notes (the
 * subset's glyphs, widths, characters). Checked once per receipt fonts (a few milliseconds, on
 * the first receipt).
 */

/** Texts and colours that test what writeLine and writeFillColour write: kerning, marks, sizes. */
const PROBE_TEXTS = ['AVATAR To Wolf Yv 1.200,00 €', REQUIRED_CHARACTERS, 'ệ a\u0301\u0323b ✓ · Ł', 'x'];
/** A text pdfkit wraps into several lines at 180 pt: break after spaces, a hyphen and a slash. */
const PROBE_PARAGRAPH = `${PROBE_TEXTS[0]!} ${PROBE_TEXTS[2]!} AVAV-TATA/Wo ${PROBE_TEXTS[0]!} x`;
/** Hex colours as the receipt gives them (receipt-writer.ts: black, grey, red, the rules' grey). */
const PROBE_COLOURS = ['#0b0c0c', '#505a5f', '#b10e1e', '#b1b4b6'];

/** Whether writeLine and writeFillColour write what pdfkit writes, per receipt fonts. */
const agreements = new WeakMap<object, boolean>();

/** Whether writeLine and writeFillColour write what pdfkit writes with these fonts (checked once). */
export function fastLinesAgree(fonts: ReceiptFonts): boolean {
  let agrees = agreements.get(fonts.regular);
  if (agrees === undefined) {
    agrees = checkFastLines(fonts);
    agreements.set(fonts.regular, agrees);
  }
  return agrees;
}

/**
 * Writes the probes into two documents, one by pdfkit, one by writeLine, installLines and
 * writeFillColour, and compares what they hold: the page's content, and per font what encode
 * notes (the subset's glyphs, widths, characters).
 */
function checkFastLines(fonts: ReceiptFonts): boolean {
  const probe = (fast: boolean): string => {
    const doc = new PDFDocument({ size: 'A4', font: fonts.regular as unknown as string });
    const internals = doc as unknown as DocumentInternals;
    if (fast) installLines(doc, true);
    const noted: unknown[] = [];
    for (const font of [fonts.regular, fonts.bold]) {
      doc.font(font as unknown as string);
      for (const [i, s] of PROBE_TEXTS.entries()) {
        doc.fontSize([10, 13, 8.5, 150][i]!);
        const [x, y] = [56 + i * 3.3, 70.25 + i * 17.7];
        if (fast) writeLine(internals, s, x, y);
        else doc.text(s, x, y, { lineBreak: false });
      }
      // A paragraph wrapped by pdfkit, its lines written by pdfkit's _line or installLines'.
      doc.fontSize(10);
      for (const lineGap of [0, 1.5]) doc.text(PROBE_PARAGRAPH, 60, 300, { width: 180, lineGap });
      const embedded = internals._font as EmbeddedFont & { subset: { glyphs?: unknown } };
      noted.push(embedded.subset.glyphs, embedded.widths, embedded.unicode);
    }
    for (const colour of PROBE_COLOURS) {
      if (fast) writeFillColour(internals, colour);
      else doc.fillColor(colour);
    }
    return JSON.stringify([Buffer.concat(internals.page.content.buffer).toString('latin1'), noted]);
  };
  try {
    return probe(true) === probe(false);
  } catch {
    return false;
  }
}
