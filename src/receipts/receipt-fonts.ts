import { readFileSync } from 'node:fs';
import * as fontkit from 'fontkit';
import { withReceiptShaping } from './receipt-shaping';
import { withCachedSubsets } from './receipt-subset';

/**
 * The receipt's fonts: DejaVu Sans from the npm package dejavu-fonts-ttf, never a system font,
 * so that every machine renders the same PDF. It covers Latin with every extension German
 * registers see (Ł, ő, ğ, Ş, ễ), Greek and Cyrillic. pdfkit's built-in Helvetica would print
 * only WinAnsi and is not embedded (no PDF/A).
 *
 * Parsed once per process: pdfkit takes a parsed fontkit font as it is (a file path or Buffer
 * would be parsed again for every document). Loading both fonts takes about 0.1 s, most of it
 * in fixGlyphCodePoints.
 */
export interface ReceiptFonts {
  readonly regular: fontkit.Font;
  readonly bold: fontkit.Font;
}

/** Text every receipt must be able to print; checked when the fonts are loaded. */
export const REQUIRED_CHARACTERS = 'ÄÖÜäöüßẞ€„“‚‘–—…·✓ŁłŻżÓóĆćŚśĄąĘęŃńŹźŐőŰűĞğİıŞşÇçØøÅåÆæĐđŠšŽžČčĚěŘřŮůẞễịỆạơưĂăΑαΕεΛλΝνΗηΩωАаБбДдЖжИиЙйМмЫыЯяЁё';

function loadFont(file: string): fontkit.Font {
  const path = require.resolve(`dejavu-fonts-ttf/ttf/${file}`);
  const font = fontkit.create(readFileSync(path));
  if (!('layout' in font)) throw new Error(`${path}: a font collection, not a single font`);
  const missing = [...REQUIRED_CHARACTERS].filter((c) => !font.hasGlyphForCodePoint(c.codePointAt(0) ?? 0));
  if (missing.length > 0) throw new Error(`${path}: no glyph for ${missing.join(' ')}`);
  fixGlyphCodePoints(font);
  return withReceiptShaping(withCachedSubsets(font));
}

/**
 * fontkit caches a glyph with the code points of its first request (foliojs/fontkit#154). The
 * subsetter asks for the parts of composite glyphs without any (it includes "C" as a part of
 * "Ç"); a later document that prints "C" then gets the cached glyph without code points, pdfkit
 * writes no ToUnicode entry for it, and copying or searching the text loses the letter. Asking
 * for every mapped glyph once, in code point order, gives each its character up front (the
 * lowest, where several share a glyph), whatever the process rendered before. (Ligature glyphs
 * would get their presentation form, "ﬁ"; the receipt shapes without ligatures.)
 */
function fixGlyphCodePoints(font: fontkit.Font): void {
  for (const codePoint of [...font.characterSet].sort((a, b) => a - b)) font.glyphForCodePoint(codePoint);
}

/** Reads and parses the fonts; call once at start and keep the result. */
export function loadReceiptFonts(): ReceiptFonts {
  return { regular: loadFont('DejaVuSans.ttf'), bold: loadFont('DejaVuSans-Bold.ttf') };
}
