/**
 * Texts that the forms accept (at most 100 code points, no control characters) but that text
 * shaping finds hard: each once broke or could break a receipt. Keys say what each one tries.
 */
export const HOSTILE_TEXTS = {
  // fontkit's Universal Shaping Engine throws in nextSyllable for Tifinagh next to ZWJ/ZWNJ/CGJ.
  tifinaghZwj: 'Anna ⵜ\u200Dⵉ',
  tifinaghZwjAlone: 'ⵜ\u200Dⵉ',
  tifinaghZwnj: 'ⵜ\u200Cⵉ',
  tifinaghCgj: 'ⵜ\u034F',
  tifinaghJoinersAround: '\u200Cⵉⵜ\u200D\u200Cⵉ-Anna',
  tifinagh: 'ⵜⴰⵎⴰⵣⵉⵖⵜ',
  astral: '𝐀𝐧𝐧𝐚 𠀀𠀁 𐌰𐌱 𓀀 Astrid',
  emoji: '👩‍👩‍👧‍👦 🏳️‍🌈 👍🏽 🇩🇪 Emil',
  combiningStack: `Z${'\u0301\u0308\u0323\u0330\u0345'.repeat(10)} Zoe`,
  bidiControls: '\u202AAnna\u202C \u202BLena\u202C \u202DMax\u202C \u202EOtto\u202C \u2066Eva\u2069 \u2067Ida\u2069 \u2068Uwe\u2069',
  arabic: 'محمد بن عبد الله',
  devanagari: 'देवनागरी क्षत्रिय श्री',
  hangulJamo: '\u1100\u1161\u11A8 \u1112\u1161\u11AB\u1100\u1173\u11AF 한글 Hana',
  privateUse: '\uE000\uF8FF \u{F0000}\u{10FFFD} Pia',
  unassigned: '\u0378\u0379 \u{E0080} \u{50000} \u{2FFFD} Udo',
  byteOrderMark: '\uFEFFBerta\uFEFF',
  // Longer than the value column: pdfkit must break it inside the word.
  longWord: 'Donaudampfschifffahrtsgesellschaftskapitänswitwenrentenversicherungsanstaltsdirektorenstellvertreter',
} as const;

/** The parts of HOSTILE_TEXTS the receipt's font has glyphs for, as pdftotext gives them back. */
export const READABLE_PARTS = ['Anna', 'ⵜⴰⵎⴰⵣⵉⵖⵜ', 'Astrid', 'Emil', 'Zoe', 'Lena', 'Max', 'Otto', 'Eva', 'Ida', 'Uwe', 'Hana', 'Pia', 'Udo', 'Berta'] as const;

/**
 * Code points to build random texts from in fuzz tests: the joiners and marks that upset
 * shapers, letters of scripts with complex shaping, astral and unassigned code points.
 */
export const FUZZ_CODE_POINTS: readonly number[] = [
  0x20, 0x41, 0x61, 0xe4, 0x2d, 0x2e,
  0x200b, 0x200c, 0x200d, 0x200e, 0x200f, 0x034f, 0x2060, 0xfeff, 0x00ad, 0xfe0f, 0xfe0e, 0x180e,
  0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069,
  0x0301, 0x0308, 0x0323, 0x0345, 0x1ab0, 0x20d7,
  0x2d30, 0x2d49, 0x2d5c, 0x2d6f, 0x2d7f,
  0x0627, 0x0644, 0x0645, 0x0651, 0x064b, 0x0670, 0x06cc, 0x0640,
  0x0915, 0x094d, 0x0937, 0x093f, 0x0902, 0x0930,
  0x0e01, 0x0e31, 0x0e48, 0x1780, 0x17d2, 0x1000, 0x103a, 0x1b05, 0x1b44, 0xa984, 0xa9c0,
  0x1100, 0x1161, 0x11a8, 0xd55c, 0x05d0, 0x05b7, 0x0710, 0x07ca, 0x1820, 0x0f40, 0x0f71,
  0x1f469, 0x1f3fd, 0x1f1e9, 0x1f1ea, 0x1f3f3, 0x1f308, 0x1d400, 0x20000, 0x10330, 0x13000,
  0xe000, 0xf8ff, 0xf0000, 0x10fffd, 0x0378, 0xe0080, 0x50000, 0x2fffd, 0xe0001, 0xe0041, 0xe007f,
];
