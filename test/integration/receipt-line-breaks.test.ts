import PDFDocument from 'pdfkit';
import { loadReceiptFonts, type ReceiptFonts } from '../../src/receipts/receipt-fonts';
import { fitsUnbroken } from '../../src/receipts/receipt-writer';

let fonts: ReceiptFonts;
beforeAll(() => {
  fonts = loadReceiptFonts();
});

/** A small, seeded generator (mulberry32): the same texts on every run of the test. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The lines pdfkit's own wrapper makes of a text at a width (what text() would write). */
function pdfkitLines(doc: PDFKit.PDFDocument, s: string, width: number): string[] {
  const lines: string[] = [];
  const internals = doc as unknown as { _text(text: string, x: number, y: number, options: object, line: (text: string) => void): void };
  internals._text(s, 56, 100, { width, height: Infinity }, (line) => lines.push(line));
  return lines;
}

describe('receipt line breaks', () => {
  test('a text fitsUnbroken calls one line is the one line pdfkit makes of it, at widths around its own', () => {
    const letters = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789äöüÄÖÜßẞŁłŻżóćśąęńźőűğİıŞşÇçØøÅåÆæĐđŠšŽžČčĚěŘřŮůễịỆạơưĂăĳ'];
    const next = random(20261203);
    const doc = new PDFDocument({ size: 'A4', font: fonts.regular as unknown as string });
    const wrong: string[] = [];
    let fitting = 0;
    for (let i = 0; i < 3000; i++) {
      const words = Array.from({ length: 1 + Math.floor(next() * 6) }, () =>
        Array.from({ length: 1 + Math.floor(next() * 12) }, () => letters[Math.floor(next() * letters.length)]!).join(''));
      // Single, double, leading and trailing spaces.
      const text = `${next() < 0.1 ? ' ' : ''}${words.join(next() < 0.2 ? '  ' : ' ')}${next() < 0.2 ? ' ' : ''}`;
      doc.font(next() < 0.5 ? (fonts.regular as unknown as string) : (fonts.bold as unknown as string)).fontSize([8, 9, 10, 13][Math.floor(next() * 4)]!);
      // Widths from well below to just above the text's own, the edge most often.
      const own = doc.widthOfString(text);
      const width = own * (0.9 + next() * 0.15) + (next() < 0.3 ? 0.011 : 0);
      if (!fitsUnbroken(doc, text, width)) continue;
      fitting++;
      const lines = pdfkitLines(doc, text, width);
      if (lines.length !== 1 || lines[0] !== text) wrong.push(`${JSON.stringify(text)} at ${width}: ${JSON.stringify(lines)}`);
    }
    expect(wrong).toEqual([]);
    expect(fitting).toBeGreaterThan(500);
  });

  test('texts pdfkit may break elsewhere than after a space, or wider than the line, are left to pdfkit', () => {
    const doc = new PDFDocument({ size: 'A4', font: fonts.regular as unknown as string });
    doc.fontSize(10);
    for (const text of ['Hunde-Steuer', 'person@example.org', '12.03.2026', 'a/b', 'Zeile\neins', 'Trenn\u00ADstrich', 'Ａｂｃ', 'Ελένη', '']) {
      expect([text, fitsUnbroken(doc, text, 400)]).toEqual([text, false]);
    }
    expect(fitsUnbroken(doc, 'Vorname Nachname', doc.widthOfString('Vorname Nachname'))).toBe(false);
    expect(fitsUnbroken(doc, 'Vorname Nachname', 400)).toBe(true);
  });
});
