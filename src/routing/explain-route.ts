import { rolloutOf } from './local-parameters';
import type { Authority, RolloutState, Tenant } from './tenant';

/** What a prefix of an ARS stands for, by its length (Land 2, RB 3, Kreis 5, Gemeindeverband 9, Gemeinde 12). */
export type ArsLevel = 'municipality' | 'association' | 'district' | 'government region' | 'state' | 'prefix';

export interface RouteStep {
  readonly prefix: string;
  readonly level: ArsLevel;
  /** The name of the area when the tenant file knows it (municipality, association, district, state). */
  readonly name?: string;
  /** The authority that claims this prefix for the form, if any, and the rollout state of that claim. */
  readonly claimedBy?: Claim;
  /** `wins`: the longest claimed prefix; `shorter`: claimed, but a longer prefix wins. */
  readonly verdict: 'wins' | 'shorter' | 'no claim';
}

export interface RouteExplanation {
  readonly formId: string;
  readonly ars: string;
  /** From the longest prefix to the shortest: the levels of the key, and every length someone claims. */
  readonly steps: readonly RouteStep[];
  /** The step that decides, when anyone is responsible. */
  readonly winner?: RouteStep;
}

/** Who claims a prefix, and how far that `serves` entry is rolled out. */
export interface Claim {
  readonly authority: Authority;
  readonly tenant: Tenant;
  readonly rollout: RolloutState;
  /** With `planned`: the day it is meant to go live (YYYY-MM-DD). */
  readonly plannedFrom?: string;
}

const LEVELS: ReadonlyMap<number, ArsLevel> = new Map([[12, 'municipality'], [9, 'association'], [5, 'district'], [3, 'government region'], [2, 'state']]);

function nameOf(tenants: readonly Tenant[], prefix: string, level: ArsLevel): string | undefined {
  const tenant = tenants.find((t) => t.regions.some((r) => prefix.startsWith(r) || r.startsWith(prefix)));
  if (!tenant) return undefined;
  if (level === 'municipality') return tenant.municipalities.find((m) => m.ars === prefix)?.name;
  if (level === 'association') return tenant.associations?.find((a) => a.ars === prefix)?.name;
  if (level === 'district') return tenant.districts?.find((d) => d.ars === prefix)?.name;
  if (tenant.regions.includes(prefix)) return tenant.name.de;
  return undefined;
}

/**
 * Why a form in a region goes where it goes, step by step: every prefix of the ARS the routing
 * table tries (the same longest-prefix rule as RoutingTable.resolve), with the claims that exist
 * for this form. Shown by `efa-forms route`; reads the tenants only, computes nothing the table
 * decides differently (test/unit/explain-route.test.ts compares both on the samples).
 */
export function explainRoute(tenants: readonly Tenant[], formId: string, ars: string): RouteExplanation {
  const claims = new Map<string, Claim>();
  for (const tenant of tenants) {
    for (const authority of tenant.authorities) {
      for (const entry of authority.serves) {
        if (!entry.forms.includes(formId)) continue;
        const rollout = rolloutOf(entry);
        const plannedFrom = rollout === 'planned' ? entry.plannedFrom : undefined;
        for (const prefix of entry.regions) {
          if (ars.startsWith(prefix)) claims.set(prefix, { authority, tenant, rollout, ...(plannedFrom !== undefined ? { plannedFrom } : {}) });
        }
      }
    }
  }
  const lengths = new Set<number>([...LEVELS.keys()].filter((n) => n <= ars.length));
  for (const prefix of claims.keys()) lengths.add(prefix.length);

  let winner: RouteStep | undefined;
  const steps = [...lengths].sort((a, b) => b - a).map((length): RouteStep => {
    const prefix = ars.slice(0, length);
    const level = LEVELS.get(length) ?? 'prefix';
    const name = nameOf(tenants, prefix, level);
    const claim = claims.get(prefix);
    const step: RouteStep = {
      prefix,
      level,
      ...(name !== undefined ? { name } : {}),
      ...(claim ? { claimedBy: claim } : {}),
      verdict: claim ? (winner ? 'shorter' : 'wins') : 'no claim',
    };
    if (claim && !winner) winner = step;
    return step;
  });
  return { formId, ars, steps, ...(winner ? { winner } : {}) };
}

/** "live", "planned from 2027-03-01", "testing", "paused". */
export function describeRollout(claim: Pick<Claim, 'rollout' | 'plannedFrom'>): string {
  return claim.plannedFrom !== undefined ? `${claim.rollout} from ${claim.plannedFrom}` : claim.rollout;
}

/**
 * One line of the explanation: `16070 (district Ilm-Kreis): claimed by landratsamt-ilm-kreis, wins (longest claimed prefix)`;
 * a claim that is not live says its state (`claimed by stadt-halle (testing)`).
 */
export function describeStep(step: RouteStep): string {
  const area = step.name !== undefined ? `${step.level} ${step.name}` : step.level;
  const state = step.claimedBy && step.claimedBy.rollout !== 'live' ? ` (${describeRollout(step.claimedBy)})` : '';
  const claim = step.claimedBy ? `claimed by ${step.claimedBy.authority.id}${state}` : 'no claim';
  const verdict = step.verdict === 'wins' ? ', wins (longest claimed prefix)' : step.verdict === 'shorter' ? ', not used (a longer prefix wins)' : '';
  return `${step.prefix} (${area}): ${claim}${verdict}`;
}
