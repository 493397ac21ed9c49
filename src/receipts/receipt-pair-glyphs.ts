import type { Font, Glyph } from 'fontkit';

/**
 * Which glyphs of a font fontkit shapes, in Latin text with the receipt's features, by kerning
 * between neighbours alone (what receipt-pair-shaping.ts builds on). Worked out once per font
 * over the lookups fontkit applies to Latin text (recorded from fontkit shaping a probe):
 *
 * - candidates: the glyphs of code points of Latin or no script (digits, punctuation, space) in
 *   the blocks names, addresses and amounts are written in, that are no mark or ligature by the
 *   font's GDEF and that no lookup's flags would skip;
 * - of those, the glyphs no lookup other than pair adjustment can act on in a text of such
 *   glyphs only: not in the first coverage of a substitution, single, cursive or mark
 *   positioning; and, for a contextual lookup, no rule these glyphs alone could match (every
 *   position of a rule must be a glyph or class of one of them; worked out until nothing
 *   changes, as excluding a glyph makes fewer rules match). DejaVu Sans' ccmp (i and j before a
 *   mark above) needs a mark, its mark lookups a mark: only its kerning remains.
 *
 * Undefined for a font or fontkit otherwise than expected (other lookup types or formats, a
 * legacy kern table, variations): fontkit then shapes everything.
 */

export type Features = Record<string, boolean>;

export const LATIN = 'latn';

/** The candidates by code point, and the ids of those glyphs only pair adjustment acts on. */
export interface PairGlyphs {
  readonly candidates: ReadonlyMap<number, Glyph>;
  readonly glyphs: ReadonlySet<number>;
}

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

/**
 * Code points that may be simple: Latin or common script by JavaScript's Unicode data, in the
 * blocks names, addresses and amounts are written in (Latin up to Extended-B and Extended
 * Additional, general punctuation, currency signs, ✓). Fewer candidates only leave more texts
 * to fontkit, and make the work below (once per font) smaller.
 */
const CANDIDATE = /^[\p{Script=Latin}\p{Script=Common}]$/u;
const inCandidateBlocks = (codePoint: number): boolean =>
  codePoint < 0x250 || (codePoint >= 0x1e00 && codePoint <= 0x1eff) || (codePoint >= 0x2000 && codePoint <= 0x20cf) || codePoint === 0x2713;

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

/** The glyphs of the font that only pair adjustment acts on in Latin text; see above. */
export function pairGlyphs(font: Font, features: Features): PairGlyphs | undefined {
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
    // As fontkit's GlyphInfo: by GDEF's class, else a base glyph (marks, of the Inherited script, are no candidates).
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
  return { candidates, glyphs };
}
