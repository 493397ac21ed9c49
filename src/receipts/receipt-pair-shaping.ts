import type { Font, Glyph, GlyphPosition } from 'fontkit';

/**
 * Latin words shaped from their pairs of letters, as fontkit would shape them, without fontkit.
 *
 * Every receipt has words no receipt had before (names, streets, e-mail addresses), and fontkit
 * takes about 0.1 ms to shape one: it makes a shaping plan, and runs every lookup of the font's
 * features over every glyph. For DejaVu Sans and Latin text, what those lookups do comes down
 * to kerning between neighbours: the contextual ones (ccmp: i and j before a mark above) need a
 * mark, the mark lookups a mark, and the kerning lookups (GPOS pair adjustment) look at a glyph
 * and the next one only. So a word of such letters is shaped as the letters' glyphs, each with
 * its advance, plus what fontkit gives each pair of neighbours, learnt by shaping the pair
 * itself (once per pair and process): glyphs and positions equal fontkit's for the whole word.
 *
 * Which letters: worked out from the font, once, over the lookups fontkit applies to Latin text
 * with the receipt's features (recorded from fontkit shaping a probe):
 *
 * - a code point fontkit shapes alone into its cmap glyph with nothing but that glyph's advance,
 *   whose script is Latin or none (digits, punctuation, space: a word's script is that of its
 *   first letter with a script, so a word of these with a Latin letter is Latin), that is no
 *   mark or ligature by the font's GDEF, and that no lookup's flags would skip;
 * - whose glyph no lookup other than pair adjustment can act on: not in the first coverage of a
 *   substitution, single, cursive or mark positioning; and, for a contextual lookup, no rule
 *   that these glyphs alone could match (every position of a rule must be a glyph or class of
 *   one of them; worked out until nothing changes, as excluding a glyph makes fewer rules match).
 *
 * Anything else, or a font or fontkit otherwise than expected (other lookup types, a legacy kern
 * table, variations), goes to fontkit. When the fonts are loaded, probe words are shaped both
 * ways and compared: should they differ, fontkit shapes everything. Positions are sums of whole
 * font units, so the order of the additions does not change a bit of them.
 */

/** A run as the receipt's shaping keeps it: glyphs shared, positions read only. */
export interface PairRun {
  readonly glyphs: Glyph[];
  readonly positions: ReadonlyArray<Readonly<GlyphPosition>>;
}

type Features = Record<string, boolean>;

/** fontkit's OpenType structures, as far as they are read here (not in its types). */
interface Coverage {
  readonly version: number;
  readonly glyphs?: ArrayLike<number> & { indexOf(glyph: number): number };
  readonly rangeRecords?: ReadonlyArray<{ readonly start: number; readonly end: number }>;
}
interface ClassDef {
  readonly version: number;
}
interface Rule {
  readonly backtrack?: readonly number[];
  readonly input?: readonly number[];
  readonly lookahead?: readonly number[];
  readonly classes?: readonly number[];
}
interface SubTable {
  readonly version?: number;
  readonly lookupType?: number;
  readonly extension?: SubTable;
  readonly coverage?: Coverage;
  readonly markCoverage?: Coverage;
  readonly mark1Coverage?: Coverage;
  readonly coverages?: readonly Coverage[];
  readonly backtrackCoverage?: readonly Coverage[];
  readonly inputCoverage?: readonly Coverage[];
  readonly lookaheadCoverage?: readonly Coverage[];
  readonly ruleSets?: ReadonlyArray<readonly Rule[] | null>;
  readonly classSet?: ReadonlyArray<readonly Rule[] | null>;
  readonly chainRuleSets?: ReadonlyArray<readonly Rule[] | null>;
  readonly chainClassSet?: ReadonlyArray<readonly Rule[] | null>;
  readonly classDef?: ClassDef;
  readonly backtrackClassDef?: ClassDef;
  readonly inputClassDef?: ClassDef;
  readonly lookaheadClassDef?: ClassDef;
}
interface LookupFlags {
  readonly ignoreBaseGlyphs?: boolean;
  readonly ignoreLigatures?: boolean;
  readonly ignoreMarks?: boolean;
}
interface Lookup {
  readonly lookupType: number;
  readonly flags: { readonly markAttachmentType?: number; readonly flags?: LookupFlags };
  readonly subTables: ArrayLike<SubTable>;
}
interface Processor {
  applyLookups(lookups: ReadonlyArray<{ readonly lookup: Lookup }>, ...rest: unknown[]): unknown;
  getClassID(glyph: number, classDef: ClassDef): number;
  readonly features: Record<string, unknown>;
}
interface FontInternals {
  readonly _layoutEngine?: { readonly engine?: { readonly GSUBProcessor?: Processor | null; readonly GPOSProcessor?: Processor | null } };
  readonly GDEF?: { readonly glyphClassDef?: ClassDef; readonly markAttachClassDef?: ClassDef } | null;
  readonly _variationProcessor?: unknown;
  readonly characterSet: number[];
}

const LATIN = 'latn';
/**
 * Code points that may be simple: Latin or common script by JavaScript's Unicode data, in the
 * blocks names, addresses and amounts are written in (Latin up to Extended-B and Extended
 * Additional, general punctuation, currency signs, ✓). Fewer candidates only leave more texts
 * to fontkit, and make the work below (once per font) smaller.
 */
const CANDIDATE = /^[\p{Script=Latin}\p{Script=Common}]$/u;
const inCandidateBlocks = (codePoint: number): boolean =>
  codePoint < 0x250 || (codePoint >= 0x1e00 && codePoint <= 0x1eff) || (codePoint >= 0x2000 && codePoint <= 0x20cf) || codePoint === 0x2713;
/** Words shaped both ways when the shaper is made: kerning pairs, digits, punctuation, i and j. */
const PROBES = ['AVATAR Tyrannei', 'Wasserwerk LTAVWAYT.', 'Łukasz Żółć, Ørsted-Çağrı', 'person55@example.org', 'Jaeger-Strasse 7a 1.200,00 €'];

/** The glyphs of format-1 coverages as sets. */
const coverageSets = new WeakMap<Coverage, Set<number>>();

function covers(coverage: Coverage | undefined, glyph: number): boolean {
  if (!coverage) return false;
  if (coverage.version === 1) {
    let set = coverageSets.get(coverage);
    if (!set) coverageSets.set(coverage, (set = new Set(Array.from(coverage.glyphs ?? []))));
    return set.has(glyph);
  }
  if (coverage.version === 2) return (coverage.rangeRecords ?? []).some((r) => r.start <= glyph && glyph <= r.end);
  throw new Error(`coverage format ${coverage.version}`);
}

/** The lookups fontkit applies to a Latin text with these features, by table; undefined if unexpected. */
function appliedLookups(font: Font, features: Features): { gsub: Lookup[]; gpos: Lookup[] } | undefined {
  const engine = (font as unknown as FontInternals)._layoutEngine?.engine;
  const gsub = engine?.GSUBProcessor;
  const gpos = engine?.GPOSProcessor;
  if (!gsub || !gpos || typeof gsub.applyLookups !== 'function' || typeof gpos.applyLookups !== 'function') return undefined;
  const seen = { gsub: [] as Lookup[], gpos: [] as Lookup[] };
  const record = (processor: Processor, into: Lookup[]): void => {
    const apply = processor.applyLookups.bind(processor);
    Object.defineProperty(processor, 'applyLookups', {
      configurable: true,
      writable: true,
      value(lookups: ReadonlyArray<{ readonly lookup: Lookup }>, ...rest: unknown[]) {
        into.push(...lookups.map((l) => l.lookup));
        return apply(lookups, ...rest);
      },
    });
  };
  record(gsub, seen.gsub);
  record(gpos, seen.gpos);
  try {
    if (font.layout('a', features).script !== LATIN) return undefined;
  } finally {
    delete (gsub as Partial<Processor>).applyLookups;
    delete (gpos as Partial<Processor>).applyLookups;
  }
  // Kerning through GPOS: fontkit would use the legacy kern table otherwise.
  if (!('kern' in gpos.features)) return undefined;
  return seen;
}

/** A subtable as fontkit applies it: an extension's own. */
function unwrap(type: number, table: SubTable, extensionType: number): [number, SubTable] {
  return type === extensionType && table.extension && table.lookupType !== undefined ? [table.lookupType, table.extension] : [type, table];
}

/** The glyphs of `glyphs` that a subtable could act on in a text of those glyphs only. */
function actedOn(kind: 'gsub' | 'gpos', type: number, table: SubTable, glyphs: ReadonlySet<number>, classOf: Processor['getClassID']): Set<number> {
  const acted = new Set<number>();
  const context = kind === 'gsub' ? type === 5 || type === 6 : type === 7 || type === 8;
  if (!context) {
    const first = kind === 'gpos' && (type === 4 || type === 5) ? table.markCoverage : kind === 'gpos' && type === 6 ? table.mark1Coverage : table.coverage;
    const known = kind === 'gsub' ? type >= 1 && type <= 4 : type === 1 || (type >= 3 && type <= 6);
    if (!known || !first) throw new Error(`${kind} lookup type ${type}`);
    for (const glyph of glyphs) if (covers(first, glyph)) acted.add(glyph);
    return acted;
  }
  const chaining = kind === 'gsub' ? type === 6 : type === 8;
  const anyGlyph = (sequence: readonly number[] | undefined) => (sequence ?? []).every((g) => glyphs.has(g));
  const anyClass = (sequence: readonly number[] | undefined, classDef: ClassDef | undefined) => {
    const present = classDef ? classesOf(glyphs, classDef, classOf) : new Set([0]);
    return (sequence ?? []).every((c) => present.has(c));
  };
  const anyCoverage = (sequence: readonly Coverage[] | undefined) => (sequence ?? []).every((c) => coveredAny(glyphs, c));
  if (table.version === 3) {
    const input = chaining ? table.inputCoverage : table.coverages;
    const matchable = anyCoverage(input) && (!chaining || (anyCoverage(table.backtrackCoverage) && anyCoverage(table.lookaheadCoverage)));
    if (matchable) for (const glyph of glyphs) if (covers(input?.[0], glyph)) acted.add(glyph);
    return acted;
  }
  if (table.version !== 1 && table.version !== 2) throw new Error(`${kind} context format ${table.version}`);
  for (const glyph of glyphs) {
    if (!covers(table.coverage, glyph)) continue;
    let rules: readonly Rule[] | null | undefined;
    if (table.version === 1) {
      const index = (table.coverage?.version === 1 ? table.coverage.glyphs?.indexOf(glyph) : coverageIndex(table.coverage, glyph)) ?? -1;
      rules = (chaining ? table.chainRuleSets : table.ruleSets)?.[index];
    } else {
      const index = classOf(glyph, (chaining ? table.inputClassDef : table.classDef)!);
      rules = (chaining ? table.chainClassSet : table.classSet)?.[index];
    }
    const matchable = (rules ?? []).some((rule) =>
      table.version === 1
        ? anyGlyph(chaining ? rule.input : rule.input) && (!chaining || (anyGlyph(rule.backtrack) && anyGlyph(rule.lookahead)))
        : chaining
          ? anyClass(rule.input, table.inputClassDef) && anyClass(rule.backtrack, table.backtrackClassDef) && anyClass(rule.lookahead, table.lookaheadClassDef)
          : anyClass(rule.classes, table.classDef));
    if (matchable) acted.add(glyph);
  }
  return acted;
}

/** The classes a set of glyphs has in a class definition, worked out once per set. */
const classMemo = new WeakMap<ReadonlySet<number>, Map<ClassDef, Set<number>>>();
function classesOf(glyphs: ReadonlySet<number>, classDef: ClassDef, classOf: Processor['getClassID']): Set<number> {
  let byDef = classMemo.get(glyphs);
  if (!byDef) classMemo.set(glyphs, (byDef = new Map<ClassDef, Set<number>>()));
  let classes = byDef.get(classDef);
  if (!classes) {
    classes = new Set();
    for (const glyph of glyphs) classes.add(classOf(glyph, classDef));
    byDef.set(classDef, classes);
  }
  return classes;
}

/** Whether a coverage holds one of the glyphs, worked out once per set. */
const coverageMemo = new WeakMap<ReadonlySet<number>, Map<Coverage, boolean>>();
function coveredAny(glyphs: ReadonlySet<number>, coverage: Coverage): boolean {
  let byCoverage = coverageMemo.get(glyphs);
  if (!byCoverage) coverageMemo.set(glyphs, (byCoverage = new Map<Coverage, boolean>()));
  let any = byCoverage.get(coverage);
  if (any === undefined) {
    any = false;
    for (const glyph of glyphs) if ((any = covers(coverage, glyph))) break;
    byCoverage.set(coverage, any);
  }
  return any;
}

/** fontkit's coverageIndex for a range coverage. */
function coverageIndex(coverage: Coverage | undefined, glyph: number): number {
  for (const range of coverage?.rangeRecords ?? []) {
    if (range.start <= glyph && glyph <= range.end) return (range as { startCoverageIndex?: number }).startCoverageIndex! + glyph - range.start;
  }
  return -1;
}

/** Whether fontkit's GlyphIterator would skip the glyph under a lookup's flags. */
function skipped(lookup: Lookup, glyph: { isBase: boolean; isLigature: boolean; isMark: boolean }): boolean {
  const flags = lookup.flags.flags ?? {};
  return Boolean((flags.ignoreMarks && glyph.isMark) || (flags.ignoreBaseGlyphs && glyph.isBase) || (flags.ignoreLigatures && glyph.isLigature) || (lookup.flags.markAttachmentType && glyph.isMark));
}

/** What a pair of neighbours adds to the positions of its first and second glyph. */
interface PairDelta {
  readonly first: Readonly<GlyphPosition>;
  readonly second: Readonly<GlyphPosition>;
}

const PAIRS_MAX = 65_536;

/**
 * The pair shaper of a font with the receipt's features: shapes a text of the simple letters
 * (see above) with at least one Latin letter, else answers undefined (fontkit's turn).
 * Undefined when the font is not as expected.
 */
export function pairShaper(font: Font, features: Features): ((text: string) => PairRun | undefined) | undefined {
  const internals = font as unknown as FontInternals;
  if (internals._variationProcessor) return undefined;
  let lookups: ReturnType<typeof appliedLookups>;
  try {
    lookups = appliedLookups(font, features);
  } catch {
    return undefined;
  }
  const processor = internals._layoutEngine?.engine?.GSUBProcessor;
  if (!lookups || !processor) return undefined;
  const classOf = processor.getClassID.bind(processor);
  const gdef = internals.GDEF?.glyphClassDef;
  const all = [...lookups.gsub, ...lookups.gpos];

  // Candidates: the glyphs of Latin and script-less code points that are no mark or ligature
  // and that no lookup skips. fontkit's own script data decides later, per code point; more
  // candidates here only make more rules matchable below, so fewer glyphs simple.
  const candidates = new Map<number, Glyph>();
  for (const codePoint of internals.characterSet) {
    if ((codePoint >= 0xfe00 && codePoint <= 0xfe0f) || (codePoint >= 0xe0100 && codePoint <= 0xe01ef) || codePoint === 0x2044) continue;
    if (!inCandidateBlocks(codePoint) || !CANDIDATE.test(String.fromCodePoint(codePoint))) continue;
    const glyph = font.glyphForCodePoint(codePoint);
    if (glyph.id === 0) continue;
    // As fontkit's GlyphInfo: by GDEF's class, else a base glyph (no mark: \p{M} is left out).
    const kind = gdef ? classOf(glyph.id, gdef) : 1;
    if (kind !== 0 && kind !== 1) continue;
    if (all.some((lookup) => skipped(lookup, { isBase: kind === 1, isLigature: false, isMark: false }))) continue;
    candidates.set(codePoint, glyph);
  }
  // Which glyphs a lookup other than pair adjustment could act on, until nothing changes.
  let glyphs = new Set([...candidates.values()].map((g) => g.id));
  try {
    for (let changed = true; changed;) {
      changed = false;
      for (const [kind, list] of [['gsub', lookups.gsub], ['gpos', lookups.gpos]] as const) {
        for (const lookup of list) {
          for (let i = 0; i < lookup.subTables.length; i++) {
            const [type, table] = unwrap(lookup.lookupType, lookup.subTables[i]!, kind === 'gsub' ? 7 : 9);
            if (kind === 'gpos' && type === 2) continue;
            const acted = actedOn(kind, type, table, glyphs, classOf);
            if (acted.size > 0) {
              glyphs = new Set([...glyphs].filter((g) => !acted.has(g)));
              changed = true;
            }
          }
        }
      }
    }
  } catch {
    return undefined;
  }

  const neutral = font.layout(' ', features).script;
  /**
   * A candidate code point's glyph if it is simple: shaped alone as Latin, its glyph with its
   * advance and nothing else, and of fontkit's Latin script or of none. Worked out on first use.
   */
  const simple = new Map<number, { readonly glyph: Glyph; readonly latin: boolean } | null>();
  const simpleGlyph = (codePoint: number): { readonly glyph: Glyph; readonly latin: boolean } | null => {
    let known = simple.get(codePoint);
    if (known !== undefined) return known;
    known = null;
    const glyph = candidates.get(codePoint);
    if (glyph && glyphs.has(glyph.id)) {
      const char = String.fromCodePoint(codePoint);
      const run = font.layout(char, features, LATIN);
      const p = run.positions[0];
      const script = font.layout(char, features).script;
      if (run.glyphs.length === 1 && run.glyphs[0] === glyph && p && p.xAdvance === glyph.advanceWidth && p.yAdvance === 0 && p.xOffset === 0 && p.yOffset === 0 &&
        (script === LATIN || script === neutral)) known = { glyph, latin: script === LATIN };
    }
    simple.set(codePoint, known);
    return known;
  };

  const pairs = new Map<number, PairDelta | null>();
  /** What fontkit gives the pair a, b beyond their advances; null if it is not those two glyphs. */
  const pairDelta = (a: Glyph, b: Glyph, codePoints: string): PairDelta | null => {
    const key = a.id * 0x10000 + b.id;
    let delta = pairs.get(key);
    if (delta === undefined) {
      const run = font.layout(codePoints, features, LATIN);
      const [p, q] = run.positions;
      delta = run.glyphs.length === 2 && run.glyphs[0] === a && run.glyphs[1] === b && p && q
        ? {
          first: { xAdvance: p.xAdvance - a.advanceWidth, yAdvance: p.yAdvance, xOffset: p.xOffset, yOffset: p.yOffset },
          second: { xAdvance: q.xAdvance - b.advanceWidth, yAdvance: q.yAdvance, xOffset: q.xOffset, yOffset: q.yOffset },
        }
        : null;
      if (pairs.size >= PAIRS_MAX) pairs.clear();
      pairs.set(key, delta);
    }
    return delta;
  };

  const shapeText = (text: string): PairRun | undefined => {
    const codePoints: number[] = [];
    const runGlyphs: Glyph[] = [];
    let isLatin = false;
    for (const char of text) {
      const codePoint = char.codePointAt(0)!;
      const known = simpleGlyph(codePoint);
      if (!known) return undefined;
      if (known.latin) isLatin = true;
      codePoints.push(codePoint);
      runGlyphs.push(known.glyph);
    }
    if (!isLatin) return undefined;
    const positions = runGlyphs.map((g) => ({ xAdvance: g.advanceWidth, yAdvance: 0, xOffset: 0, yOffset: 0 }));
    for (let i = 0; i + 1 < runGlyphs.length; i++) {
      const delta = pairDelta(runGlyphs[i]!, runGlyphs[i + 1]!, String.fromCodePoint(codePoints[i]!, codePoints[i + 1]!));
      if (!delta) return undefined;
      for (const [position, add] of [[positions[i]!, delta.first], [positions[i + 1]!, delta.second]] as const) {
        position.xAdvance += add.xAdvance;
        position.yAdvance += add.yAdvance;
        position.xOffset += add.xOffset;
        position.yOffset += add.yOffset;
      }
    }
    return { glyphs: runGlyphs, positions };
  };
  // Compared with fontkit on words of the simple letters: any difference, and fontkit shapes all.
  const same = (a: PairRun, b: PairRun): boolean => a.glyphs.length === b.glyphs.length && a.glyphs.every((g, i) => g === b.glyphs[i]) &&
    a.positions.every((p, i) => { const q = b.positions[i]!; return p.xAdvance === q.xAdvance && p.yAdvance === q.yAdvance && p.xOffset === q.xOffset && p.yOffset === q.yOffset; });
  for (const word of PROBES) {
    const fast = shapeText(word);
    if (fast && !same(fast, font.layout(word, features))) return undefined;
  }
  return shapeText;
}
