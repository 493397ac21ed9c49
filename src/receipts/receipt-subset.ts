import type { Font } from 'fontkit';

/**
 * Font subsetting with what does not change between documents kept for the process.
 *
 * pdfkit embeds a subset of the font in every document. fontkit's TTFSubset copies each glyph's
 * bytes out of the glyf table, but first decodes the glyph's whole outline, for every document,
 * only to learn whether it is a composite glyph and which parts it has; then it writes the font
 * file with restructure, field by field, the unchanged tables (cvt, fpgm, prep: most of the
 * bytes) included. Those were the most expensive steps of a receipt. Here:
 *
 * - each glyph is looked at once per process: its bytes, its parts (with where their glyph ids
 *   are written) and its metrics;
 * - the font file is written as fontkit writes it, from tables fontkit encoded once: head, cvt,
 *   fpgm and prep as they are, hhea and maxp with the number of glyphs patched in, loca, glyf
 *   and hmtx from the subset;
 * - the file of a subset is a function of its glyphs in the order they were included, which
 *   most receipts of a form share (the form's texts come first, most names add no new
 *   letter): the last files written are given out again for the same glyphs, the same
 *   Uint8Array, which receipt-compression.ts then deflates once. pdfkit only copies it.
 *
 * The file must stay fontkit's byte for byte (the PDF is reproducible across versions of this
 * code, too): when the font is loaded, subsets of a few glyphs are encoded both ways and
 * compared; should they differ (another fontkit), fontkit encodes every subset itself.
 */

/** What TTFSubset reads of a glyph. */
interface GlyphData {
  /** The glyph's bytes in the glyf table, shared: never written to. */
  readonly bytes: Uint8Array;
  /** The parts of a composite glyph: glyph id and where in bytes it is written; else null. */
  readonly components: ReadonlyArray<{ readonly glyphID: number; readonly pos: number }> | null;
  readonly metrics: { readonly advance: number; readonly bearing: number };
}

/** fontkit's TTFSubset, as far as it is used here (its fields are not in fontkit's types). */
interface TTFSubset {
  font: Font & FontInternals;
  glyphs: number[];
  glyf: Uint8Array[];
  loca: { offsets: number[]; version: number };
  hmtx: { metrics: Array<{ advance: number; bearing: number }>; bearings: number[] };
  offset: number;
  cff?: unknown;
  includeGlyph(glyph: number): number;
  _addGlyph(gid: number): number;
  encode(): Uint8Array;
}

interface FontInternals {
  readonly loca: { readonly offsets: readonly number[]; readonly version: number };
  readonly _variationProcessor?: unknown;
  _getTableStream(tag: string): { pos: number; readBuffer(length: number): Uint8Array } | null;
}

interface GlyphInternals {
  readonly advanceWidth: number;
  _decode(): { numberOfContours: number; components?: Array<{ glyphID: number; pos: number }> } | null;
  _getMetrics(): { leftBearing: number };
}

function glyphData(font: Font & FontInternals, gid: number): GlyphData {
  // As TTFSubset._addGlyph does it (getGlyph also puts the glyph into fontkit's cache).
  const glyph = font.getGlyph(gid) as unknown as GlyphInternals;
  const glyf = glyph._decode();
  const start = font.loca.offsets[gid] ?? 0;
  const end = font.loca.offsets[gid + 1] ?? start;
  const stream = font._getTableStream('glyf');
  if (!stream) throw new Error('the font has no glyf table');
  stream.pos += start;
  // A copy of its own, not a view of the font file.
  const bytes = new Uint8Array(stream.readBuffer(end - start));
  const components = glyf && glyf.numberOfContours < 0 ? (glyf.components ?? []).map((c) => ({ glyphID: c.glyphID, pos: c.pos })) : null;
  return { bytes, components, metrics: { advance: glyph.advanceWidth, bearing: glyph._getMetrics().leftBearing } };
}

/** TTFSubset._addGlyph, with the glyph's data from the cache. */
function addGlyph(subset: TTFSubset, cache: Map<number, GlyphData>, gid: number): number {
  let data = cache.get(gid);
  if (!data) {
    data = glyphData(subset.font, gid);
    cache.set(gid, data);
  }
  let bytes = data.bytes;
  if (data.components) {
    // The parts get their ids in this subset.
    bytes = new Uint8Array(bytes);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (const component of data.components) view.setUint16(component.pos, subset.includeGlyph(component.glyphID));
  }
  subset.glyf.push(bytes);
  subset.loca.offsets.push(subset.offset);
  subset.hmtx.metrics.push(data.metrics);
  subset.offset += bytes.length;
  return subset.glyf.length - 1;
}

/** The tables of a font file fontkit wrote, by tag, in the order of its directory. */
function readTables(file: Uint8Array): Map<string, Uint8Array> {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const tables = new Map<string, Uint8Array>();
  for (let i = 0, n = view.getUint16(4); i < n; i++) {
    const entry = 12 + 16 * i;
    const tag = String.fromCharCode(...file.subarray(entry, entry + 4));
    const offset = view.getUint32(entry + 8);
    tables.set(tag, file.subarray(offset, offset + view.getUint32(entry + 12)));
  }
  return tables;
}

/** The tables TTFSubset.encode writes, in its order. */
const TAGS = ['head', 'hhea', 'loca', 'maxp', 'cvt ', 'prep', 'glyf', 'hmtx', 'fpgm'] as const;

/**
 * Writes a subset's font file as TTFSubset.encode does (restructure's Directory: "true", the
 * table entries with checksum 0, then the tables in order, unpadded), given the tables that do
 * not depend on the glyphs. Expects the glyphs already added.
 */
function writeFontFile(subset: TTFSubset, fixed: ReadonlyMap<string, Uint8Array>): Uint8Array {
  const glyphCount = subset.glyf.length;
  const longOffsets = subset.loca.version !== 0;
  const offsets = [...subset.loca.offsets, subset.offset];
  const tables = new Map<string, Uint8Array>();
  for (const tag of TAGS) {
    const table = fixed.get(tag);
    if (tag === 'hhea' || tag === 'maxp') {
      if (!table) throw new Error(`the font has no ${tag} table`);
      const patched = new Uint8Array(table);
      // hhea.numberOfMetrics (its last field), maxp.numGlyphs (after the version).
      new DataView(patched.buffer).setUint16(tag === 'hhea' ? 34 : 4, glyphCount);
      tables.set(tag, patched);
    } else if (tag === 'loca') {
      const loca = new Uint8Array(offsets.length * (longOffsets ? 4 : 2));
      const view = new DataView(loca.buffer);
      offsets.forEach((offset, i) => (longOffsets ? view.setUint32(4 * i, offset) : view.setUint16(2 * i, offset >>> 1)));
      tables.set(tag, loca);
    } else if (tag === 'glyf') {
      const glyf = new Uint8Array(subset.offset);
      let at = 0;
      for (const bytes of subset.glyf) {
        glyf.set(bytes, at);
        at += bytes.length;
      }
      tables.set(tag, glyf);
    } else if (tag === 'hmtx') {
      const hmtx = new Uint8Array(4 * subset.hmtx.metrics.length);
      const view = new DataView(hmtx.buffer);
      subset.hmtx.metrics.forEach((m, i) => {
        view.setUint16(4 * i, m.advance);
        view.setInt16(4 * i + 2, m.bearing);
      });
      tables.set(tag, hmtx);
    } else if (table) {
      tables.set(tag, table);
    }
  }
  const count = tables.size;
  const power = 2 ** Math.floor(Math.log2(count));
  let size = 12 + 16 * count;
  for (const table of tables.values()) size += table.length;
  const file = new Uint8Array(size);
  const view = new DataView(file.buffer);
  file.set([0x74, 0x72, 0x75, 0x65]); // "true"
  view.setUint16(4, count);
  view.setUint16(6, power * 16);
  view.setUint16(8, Math.log2(power));
  view.setUint16(10, count * 16 - power * 16);
  let entry = 12;
  let offset = 12 + 16 * count;
  for (const [tag, table] of tables) {
    for (let i = 0; i < 4; i++) file[entry + i] = tag.charCodeAt(i);
    view.setUint32(entry + 8, offset);
    view.setUint32(entry + 12, table.length);
    file.set(table, offset);
    entry += 16;
    offset += table.length;
  }
  return file;
}

/** TTFSubset.encode, but for the writing of the file. */
function encodeSubset(subset: TTFSubset, fixed: ReadonlyMap<string, Uint8Array>): Uint8Array {
  subset.glyf = [];
  subset.offset = 0;
  subset.loca = { offsets: [], version: subset.font.loca.version };
  subset.hmtx = { metrics: [], bearings: [] };
  // Parts of composite glyphs are added to the list while it is gone through.
  for (let i = 0; i < subset.glyphs.length; i++) subset._addGlyph(subset.glyphs[i] ?? 0);
  return writeFontFile(subset, fixed);
}

/** Font files kept per font, by the glyphs of their subsets (about 10 to 20 KB each). */
const MAX_FILES = 64;

/** Text whose glyphs (some composite: Ç, Ł, ễ) check the encoding when the font is loaded. */
const PROBES = ['', 'Ç', 'Łukasz Żółć Nguyễn Thị Minh Ørsted Çağrı Şahin Ελένη Дмитрий € 0123456789'];

/**
 * The font (a derived object, everything else inherited) whose subsets take each glyph's data
 * from a cache for the process and write the file themselves. Fonts with CFF outlines or
 * variations, or whose subsets fontkit writes otherwise than expected, keep fontkit's subsets.
 */
export function withCachedSubsets(font: Font): Font {
  const internals = font as Font & FontInternals;
  const cache = new Map<number, GlyphData>();
  const derived = Object.create(font) as Font;
  const fontkitSubset = (): TTFSubset => font.createSubset.call(derived) as unknown as TTFSubset;
  const probe = fontkitSubset();
  if (probe.cff !== undefined || internals._variationProcessor || typeof probe._addGlyph !== 'function') return font;

  const files = new Map<string, Uint8Array>();
  /** The subset's file, written once for its glyphs (encodeSubset adds composites' parts to them). */
  const fileOf = (subset: TTFSubset, fixed: ReadonlyMap<string, Uint8Array>): Uint8Array => {
    const glyphs = subset.glyphs.join(',');
    let file = files.get(glyphs);
    if (!file) {
      file = encodeSubset(subset, fixed);
      if (files.size >= MAX_FILES) files.delete(files.keys().next().value as string);
      files.set(glyphs, file);
    }
    return file;
  };
  const subsetOf = (text: string, fixed: ReadonlyMap<string, Uint8Array> | null, reuse = false): TTFSubset => {
    const subset = fontkitSubset();
    if (fixed) {
      subset._addGlyph = (gid) => addGlyph(subset, cache, gid);
      subset.encode = reuse ? () => fileOf(subset, fixed) : () => encodeSubset(subset, fixed);
    }
    for (const c of text) subset.includeGlyph(font.glyphForCodePoint(c.codePointAt(0) ?? 0).id);
    return subset;
  };
  const fixed = readTables(subsetOf('', null).encode());
  const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((byte, i) => byte === b[i]);
  const agrees = PROBES.every((text) => same(subsetOf(text, null).encode(), subsetOf(text, fixed).encode()));
  if (!agrees) return font;

  Object.defineProperty(derived, 'createSubset', { value: () => subsetOf('', fixed, true) });
  return derived;
}
