import { loadReceiptFonts, type ReceiptFonts } from '../../src/receipts/receipt-fonts';
import { receiptParameters } from '../../src/receipts/receipt-parameters';
import { renderReceipt } from '../../src/receipts/render-receipt';
import { RECEIPT_TEXTS } from '../../src/i18n/receipt-texts';
import type { LocalParameters } from '../../src/routing/tenant';
import { spawnSync } from 'node:child_process';
import { pageCount, pdfText, qpdfCheck, squash, withPdfFile } from '../support/pdf';
import { pdfA3bProblems } from '../support/pdfa';
import { pdfA3bPreflightProblems } from '../support/preflight';
import { NAMES, receiptModelOf } from '../support/receipt-fixture';
import { example } from '../support/test-setup';

/**
 * The receipt prints the fee and legal basis that held at acceptance (the submission's
 * parametersJson), and a tester's submission carries a TEST watermark on every page (issue 12).
 */

const XML = '<?xml version="1.0" encoding="UTF-8"?>\n<submission xmlns="urn:efa-forms:payload:v1"><test>true</test></submission>\n';
const PARAMETERS: LocalParameters = {
  fee: { amountCents: 12050, currency: 'EUR', purpose: { de: 'Hundesteuer je Hund und Jahr', en: 'Dog tax per dog and year' } },
  legalBasis: { de: 'Hundesteuersatzung der Stadt Weimar vom 1. Januar 2026', en: 'Dog Tax Statute of the City of Weimar' },
  processingDuration: { min: 2, max: 4, unit: 'week' },
};
const JSON_PARAMETERS = JSON.stringify(PARAMETERS);

/** The dog tax sample with as many dogs as asked for (names from many scripts). */
function dogs(count: number): Record<string, unknown> {
  const data = example('hundesteuer-anmeldung', 'valid-1') as { hunde: Array<Record<string, unknown>> } & Record<string, unknown>;
  const template = data.hunde[0]!;
  data.hunde = Array.from({ length: count }, (_, i) => ({ ...template, name: NAMES[i % NAMES.length] }));
  return data;
}

/** pdftotext puts a no-break space between amount and € as Intl writes it; squash makes it a space. */
const text = (pdf: Buffer, page?: number) => squash(pdfText(pdf, page).replace(/\u00a0/g, ' '));

/**
 * `pdftotext -raw` of one page: text in the order it was drawn (-layout cuts the diagonal mark
 * into pieces between the lines it crosses). The mark drawn first is the mark under the text.
 */
function drawnText(pdf: Buffer, page: number): string {
  return squash(withPdfFile(pdf, (file) => {
    const run = spawnSync('pdftotext', ['-raw', '-enc', 'UTF-8', '-f', String(page), '-l', String(page), file, '-'], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`pdftotext failed: ${run.stderr}`);
    return run.stdout;
  }));
}

let fonts: ReceiptFonts;
beforeAll(() => {
  fonts = loadReceiptFonts();
});

describe('the receipt with local parameters', () => {
  test('prints fee (German euro format, with its purpose) and legal basis', async () => {
    const pdf = await renderReceipt(await receiptModelOf('hundesteuer-anmeldung', dogs(1), XML, { parametersJson: JSON_PARAMETERS }), fonts, XML);
    const printed = text(pdf);
    expect(printed).toContain('Gebühr 120,50 € (Hundesteuer je Hund und Jahr)');
    expect(printed).toContain('Rechtsgrundlage Hundesteuersatzung der Stadt Weimar vom 1. Januar 2026');
    expect(qpdfCheck(pdf)).toMatch(/No syntax or stream encoding errors found/);
  });

  test('in English when the application was made in English', async () => {
    const model = await receiptModelOf('hundesteuer-anmeldung', dogs(1), XML, { parametersJson: JSON_PARAMETERS, language: 'en' });
    const printed = text(await renderReceipt(model, fonts, XML));
    expect(printed).toContain('Fee €120.50 (Dog tax per dog and year)');
    expect(printed).toContain('Legal basis Dog Tax Statute of the City of Weimar');
  });

  test('without parameters neither line appears, and the bytes are those of a receipt without the column', async () => {
    const plain = await renderReceipt(await receiptModelOf('hundesteuer-anmeldung', dogs(1), XML), fonts, XML);
    const printed = text(plain);
    expect(printed).not.toContain('Gebühr');
    expect(printed).not.toContain('Rechtsgrundlage');
    for (const parametersJson of ['{}', '{"processingDuration":{"min":1,"max":2,"unit":"day"}}']) {
      const same = await renderReceipt(await receiptModelOf('hundesteuer-anmeldung', dogs(1), XML, { parametersJson }), fonts, XML);
      expect(same.equals(plain)).toBe(true);
    }
  });

  test('the same submission gives the same bytes', async () => {
    const model = await receiptModelOf('hundesteuer-anmeldung', dogs(3), XML, { parametersJson: JSON_PARAMETERS, test: true });
    const first = await renderReceipt(model, fonts, XML);
    expect((await renderReceipt(model, fonts, XML)).equals(first)).toBe(true);
    expect((await renderReceipt(model, loadReceiptFonts(), XML)).equals(first)).toBe(true);
  });
});

describe('reading parametersJson defensively', () => {
  const de = RECEIPT_TEXTS.de;
  test.each([
    ['no column', undefined],
    ['not JSON', '{"fee": '],
    ['JSON but no object', '[1, 2]'],
    ['null', 'null'],
    ['a fee without purpose', '{"fee":{"amountCents":100,"currency":"EUR"}}'],
    ['a fee in another currency', '{"fee":{"amountCents":100,"currency":"USD","purpose":{"de":"x"}}}'],
    ['a fee of a fraction of a cent', '{"fee":{"amountCents":1.5,"currency":"EUR","purpose":{"de":"x"}}}'],
    ['a negative fee', '{"fee":{"amountCents":-100,"currency":"EUR","purpose":{"de":"x"}}}'],
    ['an amount as text', '{"fee":{"amountCents":"100","currency":"EUR","purpose":{"de":"x"}}}'],
    ['a legal basis as a string', '{"legalBasis":"§ 1"}'],
    ['a legal basis without German', '{"legalBasis":{"en":"§ 1"}}'],
  ])('%s: nothing printed, no error', (_what, json) => {
    expect(receiptParameters(json, 'de', de)).toEqual({});
  });

  test('a good field is kept when another is broken; English falls back to German', () => {
    expect(receiptParameters('{"fee":{"amountCents":0,"currency":"EUR","purpose":{"de":"gebührenfrei"}},"legalBasis":7}', 'en', RECEIPT_TEXTS.en))
      .toEqual({ fee: '€0.00 (gebührenfrei)' });
  });
});

describe('the receipt of a test submission', () => {
  test('has a TEST watermark on every page and the notice under the title', async () => {
    const model = await receiptModelOf('hundesteuer-anmeldung', dogs(12), XML, { test: true });
    const pdf = await renderReceipt(model, fonts, XML);
    const pages = pageCount(pdf);
    expect(pages).toBeGreaterThan(1);
    // Each letter of the rotated mark is a line of its own for pdftotext.
    for (let page = 1; page <= pages; page++) expect({ page, first: drawnText(pdf, page).slice(0, 7) }).toEqual({ page, first: 'T E S T' });
    const printed = text(pdf, 1);
    expect(printed).toContain('Eingangsbestätigung Testeinreichung – nicht bearbeiten');
    // The text under the mark still reads, on every page.
    for (const name of NAMES) expect(text(pdf)).toContain(name);
    expect(text(pdf, pages)).toMatch(new RegExp(`Seite ${pages} von ${pages}`));
  });

  test('in English: the same mark, the notice in English', async () => {
    const pdf = await renderReceipt(await receiptModelOf('hundesteuer-anmeldung', dogs(1), XML, { test: true, language: 'en' }), fonts, XML);
    expect(drawnText(pdf, 1).startsWith('T E S T Free State of Thuringia')).toBe(true);
    expect(text(pdf)).toContain('Confirmation of receipt Test submission – do not process');
  });

  test('a real submission has neither the mark nor the notice', async () => {
    for (const overrides of [{}, { test: false }]) {
      const pdf = await renderReceipt(await receiptModelOf('hundesteuer-anmeldung', dogs(12), XML, overrides), fonts, XML);
      expect(text(pdf)).not.toContain('Testeinreichung');
      for (let page = 1; page <= pageCount(pdf); page++) expect(drawnText(pdf, page)).not.toMatch(/T E S T|TEST/);
    }
  });

  test('stays PDF/A-3b: no transparency, every font embedded (structural checks and Preflight)', async () => {
    const pdf = await renderReceipt(await receiptModelOf('hundesteuer-anmeldung', dogs(6), XML, { test: true, parametersJson: JSON_PARAMETERS }), fonts, XML);
    expect(pdfA3bProblems(pdf)).toEqual([]);
    expect(pdfA3bPreflightProblems(pdf)).toEqual([]);
  });
});
