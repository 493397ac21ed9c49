import { apiCase, API_GIANT_KINDS, type ApiContext } from './api-cases';
import type { FuzzCase } from './cases';
import { pageCase, PAGE_GIANT_KINDS } from './page-cases';
import { caseSeed, createRandom } from './prng';

/**
 * The whole run as a function of (seed, index): case N is built from its own seeded generator,
 * so it is the same case in a run of 100 and in a run of 100,000, and can be run alone.
 */

/** Large cases in the order short runs get them: the known worst first. */
export const GIANT_ORDER: readonly string[] = ['giant-array', 'giant-string', 'page-giant', 'giant-keys', 'giant-array-of-strings', 'gzip-bomb'];

for (const kind of [...API_GIANT_KINDS, ...PAGE_GIANT_KINDS]) {
  if (!GIANT_ORDER.includes(kind)) throw new Error(`giant kind ${kind} is not scheduled`);
}

export interface RunShape {
  readonly seed: number;
  readonly cases: number;
  /** How many of the cases are large ones (spread evenly over the run). */
  readonly giantCases: number;
  /** Share of page cases among the others (0–1). */
  readonly pageShare: number;
}

/** Whether a giant case is scheduled at this index (known before the case is built). */
export function isGiantIndex(shape: RunShape, index: number): boolean {
  return giantAt(shape, index) !== undefined;
}

/** The giant kind scheduled at this index, if any. */
function giantAt(shape: RunShape, index: number): string | undefined {
  const giants = Math.min(shape.giantCases, shape.cases);
  if (giants === 0) return undefined;
  // Evenly spaced: giant j sits at floor((j + 0.5) * cases / giants).
  const j = Math.floor((index * giants) / shape.cases);
  if (Math.floor(((j + 0.5) * shape.cases) / giants) !== index) return undefined;
  return GIANT_ORDER[j % GIANT_ORDER.length];
}

export function generateCase(ctx: ApiContext, shape: RunShape, index: number): FuzzCase {
  const random = createRandom(caseSeed(shape.seed, index));
  const giant = giantAt(shape, index);
  if (giant !== undefined) return PAGE_GIANT_KINDS.includes(giant) ? pageCase(random, ctx, index, giant) : apiCase(random, ctx, index, giant);
  return random.chance(shape.pageShare) ? pageCase(random, ctx, index) : apiCase(random, ctx, index);
}
