import PDFDocument from 'pdfkit';
import { loadReceiptFonts, REQUIRED_CHARACTERS, type ReceiptFonts } from '../../src/receipts/receipt-fonts';
import { renderReceipt } from '../../src/receipts/render-receipt';
import { attachment, attachmentNames, pageCount, pdfFonts, pdfObjects, pdfText, qpdfCheck, squash } from '../support/pdf';
import { pdfA3bProblems } from '../support/pdfa';
import { pdfA3bPreflightProblems, preflightFindings } from '../support/preflight';
import { NAMES, receiptModelOf } from '../support/receipt-fixture';
import { example } from '../support/test-setup';

const XML = '<?xml version="1.0" encoding="UTF-8"?>\n<submission xmlns="urn:efa-forms:payload:v1"><name>Ørsted &amp; Söhne</name></submission>\n';

/** The dog tax sample with the names of NAMES and as many dogs as asked for. */
function dogTaxWithNames(dogs: number): Record<string, unknown> {
  const data = example('hundesteuer-anmeldung', 'valid-1') as { halter: Record<string, unknown>; hunde: Array<Record<string, unknown>> } & Record<string, unknown>;
  data.halter.vorname = 'Nguyễn Thị Minh';
  data.halter.nachname = 'Ørsted';
  const template = data.hunde[0]!;
  data.hunde = Array.from({ length: dogs }, (_, i) => ({ ...template, name: NAMES[i % NAMES.length], rasse: i === 1 ? 'Mischling, Kaufpreis 1.200 €' : 'Dackel' }));
  return data;
}

let fonts: ReceiptFonts;
beforeAll(() => {
  fonts = loadReceiptFonts();
});

describe('receipt PDF', () => {
  test('the same submission renders byte-identical PDFs, with fonts loaded anew too', async () => {
    const model = await receiptModelOf('hundesteuer-anmeldung', dogTaxWithNames(4), XML);
    const first = await renderReceipt(model, fonts, XML);
    const second = await renderReceipt(model, fonts, XML);
    const fresh = await renderReceipt(model, loadReceiptFonts(), XML);
    expect(second.equals(first)).toBe(true);
    expect(fresh.equals(first)).toBe(true);
    // The dates are the moment of receipt, not the moment of rendering.
    expect(first.toString('latin1')).toContain('(D:20261128172400Z)');
  });

  test('the document ID follows the reference number and the XML', async () => {
    const otherXml = XML.replace('Söhne', 'Töchter');
    const a = pdfObjects(await renderReceipt(await receiptModelOf('hundesteuer-anmeldung', dogTaxWithNames(1), XML), fonts, XML));
    const b = pdfObjects(await renderReceipt(await receiptModelOf('hundesteuer-anmeldung', dogTaxWithNames(1), otherXml), fonts, otherXml));
    const c = pdfObjects(await renderReceipt(await receiptModelOf('hundesteuer-anmeldung', dogTaxWithNames(1), XML, { id: 'ABCD-EFGH-J' }), fonts, XML));
    const idOf = (o: typeof a) => JSON.stringify(o.trailer['/ID']);
    expect(idOf(a)).not.toBe(idOf(b));
    expect(idOf(a)).not.toBe(idOf(c));
  });

  test('an XML that does not match the fingerprint is refused', async () => {
    const model = await receiptModelOf('hundesteuer-anmeldung', dogTaxWithNames(1), XML);
    await expect(renderReceipt(model, fonts, `${XML} `)).rejects.toThrow(/fingerprint/);
  });

  test('every name prints as written, in embedded DejaVu Sans only', async () => {
    const model = await receiptModelOf('hundesteuer-anmeldung', dogTaxWithNames(6), XML);
    const pdf = await renderReceipt(model, fonts, XML);
    const text = squash(pdfText(pdf));
    for (const name of [...NAMES, 'Mischling, Kaufpreis 1.200 €', 'Eingangsbestätigung', 'Prüfsumme']) expect(text).toContain(name);
    expect(text).toContain(model.xmlSha256);
    const used = pdfFonts(pdf);
    expect(used.map((f) => f.name.replace(/^[A-Z]{6}\+/, '')).sort()).toEqual(['DejaVuSans', 'DejaVuSans-Bold']);
    expect(used.every((f) => f.embedded)).toBe(true);
  });

  test('names in decomposed form (NFD) print like composed ones', async () => {
    const data = dogTaxWithNames(1) as { halter: Record<string, unknown> };
    data.halter.vorname = 'Nguyễn Thị Minh'.normalize('NFD');
    const pdf = await renderReceipt(await receiptModelOf('hundesteuer-anmeldung', data, XML), fonts, XML);
    expect(squash(pdfText(pdf))).toContain('Nguyễn Thị Minh');
  });

  test('a letter first embedded as part of another (C in Ç) keeps its text in later documents', async () => {
    // fontkit caches glyphs with the code points of their first use (foliojs/fontkit#154).
    const fresh = loadReceiptFonts();
    const render = (text: string) => new Promise<Buffer>((resolve) => {
      const doc = new PDFDocument({ font: fresh.regular as unknown as string });
      doc.text(text);
      const chunks: Buffer[] = [];
      doc.on('data', (c: Buffer) => chunks.push(c));
      doc.on('end', () => resolve(Buffer.concat(chunks)));
      doc.end();
    });
    await render('Ç Ş');
    expect(squash(pdfText(await render('Computernetzwerke Software')))).toBe('Computernetzwerke Software');
  });

  test('the fonts have a glyph for every character the receipt promises', () => {
    for (const font of [fonts.regular, fonts.bold]) {
      for (const c of [...REQUIRED_CHARACTERS, ...NAMES.join('')]) expect({ c, found: font.hasGlyphForCodePoint(c.codePointAt(0)!) }).toEqual({ c, found: true });
    }
  });

  test('"Seite x von y" on every page, no page left empty', async () => {
    const model = await receiptModelOf('hundesteuer-anmeldung', dogTaxWithNames(12), XML);
    const pdf = await renderReceipt(model, fonts, XML);
    const pages = pageCount(pdf);
    expect(pages).toBeGreaterThanOrEqual(3);
    for (let page = 1; page <= pages; page++) {
      const text = pdfText(pdf, page);
      expect(text.match(/Seite \d+ von \d+/g)).toEqual([`Seite ${page} von ${pages}`]);
      expect(squash(text.replace(/Seite \d+ von \d+/, '').replace(/Eingangsbestätigung · K7M3-Q9XD-P/, '')).length).toBeGreaterThan(20);
    }
    // The last page ends with the fingerprint: nothing spilled onto a page of its own.
    expect(squash(pdfText(pdf, pages))).toContain(model.xmlSha256);
  });

  test('an answer longer than a page flows on over pages, nothing lost', async () => {
    const base = await receiptModelOf('gewerbeanmeldung', example('gewerbeanmeldung', 'valid-1'), XML);
    const words = Array.from({ length: 1500 }, (_, i) => `Wort${i}`);
    const model = { ...base, sections: [{ title: 'Lang', entries: [{ kind: 'answer' as const, label: 'Beschreibung', value: words.join(' '), pointer: '/x' }] }] };
    const pdf = await renderReceipt(model, fonts, XML);
    const pages = pageCount(pdf);
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(squash(pdfText(pdf))).toContain(words.slice(0, 40).join(' '));
    const text = squash(Array.from({ length: pages }, (_, i) => pdfText(pdf, i + 1).replace(/Eingangsbestätigung · K7M3-Q9XD-P|Seite \d+ von \d+/g, '')).join(' '));
    expect(text.match(/Wort\d+/g)).toEqual(words);
    for (let page = 1; page <= pages; page++) expect(pdfText(pdf, page)).toContain(`Seite ${page} von ${pages}`);
  });

  test('in English: title, labels and "Page x of y"', async () => {
    const model = await receiptModelOf('hundesteuer-anmeldung', dogTaxWithNames(1), XML, { language: 'en' });
    const text = squash(pdfText(await renderReceipt(model, fonts, XML)));
    expect(text).toContain('Confirmation of receipt');
    expect(text).toContain('Reference number K7M3-Q9XD-P');
    expect(text).toContain('Received on 28 November 2026, 18:24');
    expect(text).toMatch(/Page 1 of \d/);
  });

  test('carries the XML byte for byte as an attachment named after the reference', async () => {
    const pdf = await renderReceipt(await receiptModelOf('hundesteuer-anmeldung', dogTaxWithNames(1), XML), fonts, XML);
    expect(attachmentNames(pdf)).toEqual(['K7M3-Q9XD-P.xml']);
    expect(attachment(pdf, 'K7M3-Q9XD-P.xml').equals(Buffer.from(XML, 'utf8'))).toBe(true);
    expect(qpdfCheck(pdf)).toMatch(/No syntax or stream encoding errors found/);
  });

  test('passes the structural PDF/A-3b checks', async () => {
    const pdf = await renderReceipt(await receiptModelOf('gewerbeanmeldung', example('gewerbeanmeldung', 'valid-1'), XML), fonts, XML);
    expect(pdfA3bProblems(pdf)).toEqual([]);
  });

  test('the PDF/A-3b checks do find problems: a plain pdfkit document fails them', async () => {
    const plain = await plainPdf();
    const problems = pdfA3bProblems(plain);
    for (const expected of ['trailer: no /Encrypt', 'metadata: pdfaid:part 3', 'catalog: /OutputIntents with /S /GTS_PDFA1', 'catalog: /AF array']) expect(problems).toContain(expected);
    expect(problems.some((p) => /Helvetica is \/Type1/.test(p))).toBe(true);
  });

  test('Apache PDFBox Preflight finds nothing but the PDF/A-1 rules that PDF/A-3 relaxes', async () => {
    const pdf = await renderReceipt(await receiptModelOf('hundesteuer-anmeldung', dogTaxWithNames(6), XML), fonts, XML);
    expect(pdfA3bPreflightProblems(pdf)).toEqual([]);
    // What it does report is the attachment, the part number and the optional CIDSet, no more.
    expect([...new Set(preflightFindings(pdf).map((f) => f.code))].sort()).toEqual(['1.2.9', '1.4.7', '3.1.11', '7.11.2']);
  });

  test('Preflight does find problems: a plain pdfkit document fails it', async () => {
    const problems = pdfA3bPreflightProblems(await plainPdf());
    // Encryption, a font that is not embedded, colour without an output intent, no identification.
    const codes = problems.map((p) => p.split(' : ')[0]);
    for (const code of ['1.4.2', '3.1.3', '2.4.3', '7.11']) expect(codes).toContain(code);
  });
});

/** A pdfkit document with none of the PDF/A parts: encrypted, Helvetica, no metadata. */
function plainPdf(): Promise<Buffer> {
  const doc = new PDFDocument({ pdfVersion: '1.7', ownerPassword: 'owner' });
  doc.text('Łukasz');
  return new Promise<Buffer>((resolve) => {
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.end();
  });
}
