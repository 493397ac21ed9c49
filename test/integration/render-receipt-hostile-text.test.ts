import { loadReceiptFonts, type ReceiptFonts } from '../../src/receipts/receipt-fonts';
import { renderReceipt } from '../../src/receipts/render-receipt';
import { pageCount, pdfFonts, pdfText, qpdfCheck, squash } from '../support/pdf';
import { pdfA3bProblems } from '../support/pdfa';
import { HOSTILE_TEXTS, READABLE_PARTS } from '../support/hostile-texts';
import { receiptModelOf } from '../support/receipt-fixture';
import { example } from '../support/test-setup';

const XML = '<?xml version="1.0" encoding="UTF-8"?>\n<submission xmlns="urn:efa-forms:payload:v1"><name>ⵜ\u200Cⵉ</name></submission>\n';

/** The dog tax sample with one dog per text given, and the applicant in Tifinagh if asked. */
function dogTaxWith(names: readonly string[], tifinaghApplicant = true): Record<string, unknown> {
  const data = example('hundesteuer-anmeldung', 'valid-1') as { halter: Record<string, unknown>; hunde: Array<Record<string, unknown>> } & Record<string, unknown>;
  if (tifinaghApplicant) {
    data.halter.vorname = HOSTILE_TEXTS.tifinaghZwj;
    data.halter.nachname = HOSTILE_TEXTS.tifinaghZwnj;
  }
  const template = data.hunde[0]!;
  data.hunde = names.map((name) => ({ ...template, name, ...(tifinaghApplicant ? { rasse: HOSTILE_TEXTS.tifinaghCgj } : {}) }));
  return data;
}

let fonts: ReceiptFonts;
beforeAll(() => {
  fonts = loadReceiptFonts();
});

describe('receipt PDF with texts that are hard to shape', () => {
  test('every text that passes validation renders; the letters the font has are read back', async () => {
    const model = await receiptModelOf('hundesteuer-anmeldung', dogTaxWith(Object.values(HOSTILE_TEXTS)), XML);
    const pdf = await renderReceipt(model, fonts, XML);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(qpdfCheck(pdf)).toMatch(/No syntax or stream encoding errors found/);
    const text = squash(pdfText(pdf));
    for (const part of READABLE_PARTS) expect({ part, found: text.includes(part) }).toEqual({ part, found: true });
    // The Tifinagh letters around the joiners, in order (a joiner may come back as a space).
    expect(text).toMatch(/Anna ⵜ ?ⵉ/);
    expect(text).toMatch(/ⵜ ?ⵉ/);
    // The word longer than its column is broken inside, nothing lost.
    expect(text.replace(/\s+/g, '')).toContain(HOSTILE_TEXTS.longWord);
    expect(pdfFonts(pdf).every((f) => f.embedded)).toBe(true);
    expect(pdfA3bProblems(pdf)).toEqual([]);
    for (let page = 1, pages = pageCount(pdf); page <= pages; page++) expect(pdfText(pdf, page)).toContain(`Seite ${page} von ${pages}`);
  });

  test.each(Object.entries(HOSTILE_TEXTS))('a receipt with only %s renders, in German and English', async (_name, name) => {
    for (const language of ['de', 'en'] as const) {
      const model = await receiptModelOf('hundesteuer-anmeldung', dogTaxWith([name], false), XML, { language });
      const pdf = await renderReceipt(model, fonts, XML);
      expect(squash(pdfText(pdf))).toContain('K7M3-Q9XD-P');
    }
  });

  test('the same hostile receipt renders byte-identical PDFs (the fallback is deterministic)', async () => {
    const model = await receiptModelOf('hundesteuer-anmeldung', dogTaxWith([HOSTILE_TEXTS.tifinaghZwnj, HOSTILE_TEXTS.emoji]), XML);
    const first = await renderReceipt(model, fonts, XML);
    const fresh = await renderReceipt(model, loadReceiptFonts(), XML);
    expect(fresh.equals(first)).toBe(true);
  });
});
