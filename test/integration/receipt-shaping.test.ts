import * as fontkit from 'fontkit';
import { readFileSync } from 'node:fs';
import { loadReceiptFonts, type ReceiptFonts } from '../../src/receipts/receipt-fonts';
import { pairShaper } from '../../src/receipts/receipt-pair-shaping';
import { surelyThrows } from '../../src/receipts/receipt-shaping';
import { renderReceipt } from '../../src/receipts/render-receipt';
import { FUZZ_CODE_POINTS, HOSTILE_TEXTS } from '../support/hostile-texts';
import { pdfText } from '../support/pdf';
import { receiptModelOf } from '../support/receipt-fixture';
import { example } from '../support/test-setup';

let fonts: ReceiptFonts;
/** DejaVu Sans as fontkit parses it, without the receipt's shaping: what the receipt must equal. */
let plain: fontkit.Font;
let plainBold: fontkit.Font;
beforeAll(() => {
  fonts = loadReceiptFonts();
  plain = fontkit.create(readFileSync(require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'))) as fontkit.Font;
  plainBold = fontkit.create(readFileSync(require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf'))) as fontkit.Font;
});

const NO_LIGATURES = { liga: false, clig: false };

/** What is wrong with a run for pdfkit: it needs as many positions as glyphs, finite numbers throughout. */
function runProblems(run: fontkit.GlyphRun, text: string): string[] {
  const problems: string[] = [];
  const escaped = [...text].map((c) => c.codePointAt(0)!.toString(16)).join(' ');
  if (run.glyphs.length !== run.positions.length) problems.push(`${escaped}: ${run.glyphs.length} glyphs, ${run.positions.length} positions`);
  const numbers = [...run.positions.flatMap((p) => [p.xAdvance, p.yAdvance, p.xOffset, p.yOffset]), ...run.glyphs.map((g) => g.advanceWidth), run.advanceWidth];
  // (A run may have no glyphs: fontkit drops a lone variation selector, as it should.)
  if (!numbers.every(Number.isFinite)) problems.push(`${escaped}: a position or width is not a finite number`);
  return problems;
}

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

describe('receipt shaping', () => {
  test('plain fontkit throws on Tifinagh next to ZWJ, ZWNJ or CGJ (the reason for the fallback)', () => {
    // Should a fontkit update fix this, the fallback stays harmless; this test then says so.
    for (const text of [HOSTILE_TEXTS.tifinaghZwjAlone, HOSTILE_TEXTS.tifinaghZwnj, HOSTILE_TEXTS.tifinaghCgj]) {
      expect(() => plain.layout(text, NO_LIGATURES)).toThrow(TypeError);
    }
  });

  test.each(Object.entries(HOSTILE_TEXTS))('%s is shaped without throwing, in both fonts', (_name, text) => {
    for (const font of [fonts.regular, fonts.bold]) {
      // Twice: the second answer comes from the cache.
      expect([...runProblems(font.layout(text), text), ...runProblems(font.layout(text), text)]).toEqual([]);
    }
  });

  test('a word that cannot be shaped keeps every letter the font has, with its own advance width', () => {
    const run = fonts.regular.layout(HOSTILE_TEXTS.tifinaghZwnj);
    const yaz = fonts.regular.glyphForCodePoint(0x2d5c);
    const yi = fonts.regular.glyphForCodePoint(0x2d49);
    expect(run.glyphs.map((g) => g.id)).toContain(yaz.id);
    expect(run.glyphs.map((g) => g.id)).toContain(yi.id);
    const ids = run.glyphs.map((g) => g.id);
    expect(ids.indexOf(yaz.id)).toBeLessThan(ids.indexOf(yi.id));
    expect(run.advanceWidth).toBeCloseTo(yaz.advanceWidth + yi.advanceWidth, 5);
  });

  test('the letters around a word that cannot be shaped are shaped as usual', () => {
    // "-Anna" after the Tifinagh: Latin shaped as a run of its own, so kerning stays.
    const run = fonts.regular.layout(HOSTILE_TEXTS.tifinaghJoinersAround);
    const anna = plain.layout('Anna', NO_LIGATURES);
    const ids = run.glyphs.map((g) => g.id);
    expect(ids.slice(-4)).toEqual(anna.glyphs.map((g) => g.id));
    expect(run.positions.slice(-4).map((p) => p.xAdvance)).toEqual(anna.positions.map((p) => p.xAdvance));
  });

  test('ordinary text is shaped exactly as fontkit shapes it, and the result is cached', () => {
    for (const text of ['Łukasz Żółć', 'Nguyễn Thị Minh', 'AVATAR Wolff', 'Ελένη', 'Дмитрий', 'Eingangsbestätigung']) {
      const expected = plain.layout(text, NO_LIGATURES);
      const run = fonts.regular.layout(text);
      expect(run.glyphs.map((g) => g.id)).toEqual(expected.glyphs.map((g) => g.id));
      expect(run.positions).toEqual(expected.positions.map((p) => ({ xAdvance: p.xAdvance, yAdvance: p.yAdvance, xOffset: p.xOffset, yOffset: p.yOffset })));
      expect(run.advanceWidth).toBe(expected.advanceWidth);
      // Cached once asked for a second time (a text asked for once, as most names are, is not
      // kept): the same glyphs from then on, fresh positions (pdfkit scales them in place).
      const again = fonts.regular.layout(text);
      const third = fonts.regular.layout(text);
      expect(third.glyphs).toBe(again.glyphs);
      expect(third.positions).not.toBe(again.positions);
    }
  });

  test('Latin words shaped from their pairs of letters get the glyphs and positions fontkit gives them, in both fonts', () => {
    // Letters, digits, punctuation, diacritics, i and j (contextual in ccmp), ligature letters,
    // marks and Greek (which go to fontkit): 2,000 seeded words per font.
    const letters = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789äöüÄÖÜßẞ.,;:-_@/()&€$%+ ŁłŻżóÓćĆśŚąĘńŹőŰğİıŞşÇçØøÅåÆæĐđŠšŽžČčĚěŘřŮůễịỆạơưĂăﬁﬂſĳŉǅ\'"„“‚‘–—…·✓\u0301\u0308αβγ'];
    const next = random(20261202);
    const wrong: string[] = [];
    let paired = 0;
    for (const [font, reference] of [[fonts.regular, plain], [fonts.bold, plainBold]] as const) {
      // The shaper the receipt's font uses, made here on a font of its own for the count.
      const pairs = pairShaper(fontkit.create(readFileSync(require.resolve(`dejavu-fonts-ttf/ttf/${font === fonts.bold ? 'DejaVuSans-Bold' : 'DejaVuSans'}.ttf`))) as fontkit.Font, NO_LIGATURES);
      expect(pairs).toBeDefined();
      for (let i = 0; i < 2000; i++) {
        const text = Array.from({ length: 1 + Math.floor(next() * 14) }, () => letters[Math.floor(next() * letters.length)]!).join('');
        if (pairs?.(text)) paired++;
        const expected = reference.layout(text, NO_LIGATURES);
        const run = font.layout(text);
        const same = run.glyphs.length === expected.glyphs.length && run.glyphs.every((g, k) => g.id === expected.glyphs[k]!.id) &&
          run.positions.every((p, k) => {
            const q = expected.positions[k]!;
            return p.xAdvance === q.xAdvance && p.yAdvance === q.yAdvance && p.xOffset === q.xOffset && p.yOffset === q.yOffset;
          });
        if (!same) wrong.push([...text].map((c) => c.codePointAt(0)!.toString(16)).join(' '));
      }
    }
    expect(wrong).toEqual([]);
    // Most of them went the pairs' way (the rest hold a mark, a ligature letter or Greek).
    expect(paired).toBeGreaterThan(2000);
  });

  test('3,000 random texts of joiners, marks, complex scripts, astral and unassigned code points never throw', () => {
    const next = random(20261128);
    const problems: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const length = 1 + Math.floor(next() * 12);
      const text = Array.from({ length }, () => String.fromCodePoint(FUZZ_CODE_POINTS[Math.floor(next() * FUZZ_CODE_POINTS.length)]!)).join('');
      for (const font of [fonts.regular, fonts.bold]) {
        try {
          problems.push(...runProblems(font.layout(text), text));
        } catch (err) {
          // Named by its code points: most of its characters are invisible.
          problems.push(`${[...text].map((c) => c.codePointAt(0)!.toString(16)).join(' ')}: ${String(err)}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  test('a text sent to the pieces without asking fontkit first is one fontkit throws on', () => {
    // The shortcut must not change what any text looks like: it only saves the throw.
    const next = random(20261129);
    const near = [0x2d30, 0x2d49, 0x2d5c, 0x2d6f, 0x2d7f, 0x200c, 0x200d, 0x034f, 0x0627, 0x0644, 0x06cc, 0x0915, 0x094d, 0x41, 0x61, 0x20, 0x0301];
    let sent = 0;
    const wrong: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const pool = i % 2 === 0 ? near : FUZZ_CODE_POINTS;
      const text = Array.from({ length: 1 + Math.floor(next() * 10) }, () => String.fromCodePoint(pool[Math.floor(next() * pool.length)]!)).join('');
      if (!surelyThrows(text)) continue;
      sent++;
      let threw = false;
      try {
        plain.layout(text, NO_LIGATURES);
      } catch {
        threw = true;
      }
      if (!threw) wrong.push([...text].map((c) => c.codePointAt(0)!.toString(16)).join(' '));
    }
    expect(wrong).toEqual([]);
    expect(sent).toBeGreaterThan(100);
    // Persian with ZWNJ and Tifinagh after Latin are for fontkit to try.
    expect(surelyThrows('می\u200Cخواهم')).toBe(false);
    expect(surelyThrows(HOSTILE_TEXTS.tifinaghZwj)).toBe(false);
    expect(surelyThrows(HOSTILE_TEXTS.tifinaghZwnj)).toBe(true);
  });

  test('a word longer than 256 characters keeps its glyphs and widths, shaped in chunks', () => {
    const word = Array.from({ length: 2000 }, (_, i) => String.fromCharCode(0x61 + ((i * 7 + (i >> 5)) % 26))).join('');
    // The whole word and two of what pdfkit measures after a line: the rest of the word.
    for (const text of [word, word.slice(51), word.slice(1000)]) {
      const run = fonts.regular.layout(text);
      const whole = plain.layout(text, NO_LIGATURES);
      expect(run.glyphs.map((g) => g.id)).toEqual(whole.glyphs.map((g) => g.id));
      // Only kerning across a cut between chunks may differ (DejaVu kerns few lowercase pairs).
      expect(Math.abs(run.advanceWidth - whole.advanceWidth)).toBeLessThan(0.01 * whole.advanceWidth);
    }
  });

  test('receipts with a 2,000-character word (Tifinagh with ZWJ, Latin without a space) render, the Latin word complete', async () => {
    // The activity of a business registration may have 2,000 characters; pdfkit breaks a word
    // that long line by line. (How long it takes is in bench/receipt.bench.ts, not here.)
    const xml = '<?xml version="1.0" encoding="UTF-8"?>\n<submission xmlns="urn:efa-forms:payload:v1"/>\n';
    const latin = Array.from({ length: 2000 }, (_, i) => String.fromCharCode(0x61 + ((i * 11 + (i >> 4)) % 26))).join('');
    for (const word of ['ⴰ\u200D'.repeat(1000), latin]) {
      const data = example('gewerbeanmeldung', 'valid-1') as { betrieb: { taetigkeit: string } };
      data.betrieb.taetigkeit = word;
      const pdf = await renderReceipt(await receiptModelOf('gewerbeanmeldung', data, xml), fonts, xml);
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      const text = pdfText(pdf).replace(/\s+/g, '');
      expect(text).toContain('K7M3-Q9XD-P');
      if (word === latin) expect(text).toContain(latin);
      else expect(text).toContain('ⴰ'.repeat(20));
    }
  });
});
