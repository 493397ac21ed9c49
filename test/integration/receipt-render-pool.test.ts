import { loadReceiptFonts } from '../../src/receipts/receipt-fonts';
import { ReceiptError } from '../../src/receipts/receipt-error';
import { createReceiptRenderPool, type ReceiptRenderPool } from '../../src/receipts/render-pool';
import { renderReceipt } from '../../src/receipts/render-receipt';
import { receiptModelOf } from '../support/receipt-fixture';
import { example } from '../support/test-setup';

const XML = '<?xml version="1.0" encoding="UTF-8"?>\n<submission xmlns="urn:efa-forms:payload:v1"><name>Łukasz Żółć</name></submission>\n';

/** Issue 14 point 1: receipts rendered on threads of their own (RECEIPT_THREADS), real worker threads. */
describe('receipt render threads', () => {
  let pool: ReceiptRenderPool | undefined;
  afterEach(async () => {
    await pool?.close();
    pool = undefined;
  });

  test('a receipt rendered on a thread is byte for byte the one the event loop renders, for many at once on two threads', async () => {
    pool = createReceiptRenderPool(2);
    const models = await Promise.all(['valid-1', 'valid-2'].map((name) => receiptModelOf('hundesteuer-anmeldung', example('hundesteuer-anmeldung', name), XML)));
    const fonts = loadReceiptFonts();
    const expected = await Promise.all(models.map((model) => renderReceipt(model, fonts, XML)));
    expect(expected[0]!.equals(expected[1]!)).toBe(false);
    const onThreads = await Promise.all(Array.from({ length: 12 }, (_, i) => pool!.render(models[i % 2]!, XML)));
    onThreads.forEach((pdf, i) => {
      expect(Buffer.isBuffer(pdf)).toBe(true);
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      expect(pdf.equals(expected[i % 2]!)).toBe(true);
    });
  });

  test('the largest receipt the body limit allows (1 MB of answers, some 420 pages) renders within the thread\'s heap ceiling, as on the event loop', async () => {
    pool = createReceiptRenderPool(1);
    const base = await receiptModelOf('hundesteuer-anmeldung', example('hundesteuer-anmeldung', 'valid-1'), XML);
    // 5,000 answers (the value budget) of 200 characters: the 1 MB the body limit lets through.
    const value = (n: number) => Array.from({ length: 20 }, (_, k) => `wort${(n * 31 + k) % 9973}`.padEnd(9, 'x')).join(' ');
    const sections = Array.from({ length: 25 }, (_, s) => ({
      ...base.sections[0]!, title: `Abschnitt ${s + 1}`,
      entries: Array.from({ length: 200 }, (_, e) => ({ kind: 'answer' as const, label: `Frage ${s + 1}.${e + 1}`, value: value(s * 200 + e), pointer: `/a${s}/${e}` })),
    }));
    const model = { ...base, sections };
    const pdf = await pool.render(model, XML);
    expect((pdf.toString('latin1').match(/\/Type \/Page\b/g) ?? []).length).toBeGreaterThan(400);
    expect(pdf.equals(await renderReceipt(model, loadReceiptFonts(), XML))).toBe(true);
  }, 120_000);

  test("a render the thread refuses rejects with the error's class and message, and the thread goes on", async () => {
    pool = createReceiptRenderPool(1);
    const model = await receiptModelOf('hundesteuer-anmeldung', example('hundesteuer-anmeldung', 'valid-1'), XML);
    const refused = pool.render(model, `${XML} `);
    await expect(refused).rejects.toThrow(/fingerprint/);
    await expect(refused).rejects.toBeInstanceOf(ReceiptError);
    const pdf = await pool.render(model, XML);
    expect(pdf.equals(await renderReceipt(model, loadReceiptFonts(), XML))).toBe(true);
  });

  test('a model that cannot be handed to a thread is refused at once, and the pool goes on', async () => {
    pool = createReceiptRenderPool(1);
    const model = await receiptModelOf('hundesteuer-anmeldung', example('hundesteuer-anmeldung', 'valid-1'), XML);
    await expect(pool.render({ ...model, title: (() => 'x') as unknown as string }, XML)).rejects.toThrow();
    expect((await pool.render(model, XML)).subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });

  test('after close() a render is refused at once with a ReceiptError, never left waiting', async () => {
    pool = createReceiptRenderPool(1);
    const model = await receiptModelOf('hundesteuer-anmeldung', example('hundesteuer-anmeldung', 'valid-1'), XML);
    await pool.render(model, XML);
    await pool.close();
    await expect(pool.render(model, XML)).rejects.toBeInstanceOf(ReceiptError);
  });
});
