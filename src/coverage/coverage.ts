import type { FormRegistry } from '../forms/form-registry';
import type { LocalText } from '../i18n/language';
import type { RoutingMatch, RoutingTable } from '../routing/routing-table';
import type { Municipality, RolloutState, Tenant } from '../routing/tenant';
import { coverageAuthorities, type LastDeliveries, type TenantAuthorities } from './coverage-authorities';

export type { AuthorityCoverage, LastDeliveries, TenantAuthorities } from './coverage-authorities';

/**
 * Coverage: for each form and tenant, which municipalities can apply online, counted per district
 * (Kreis, the first 5 digits of the ARS) and for the whole tenant; only `live` routes count as
 * online, the planned, testing and paused ones are counted apart. Pure: everything comes from the
 * routing table, so the numbers are exactly what a citizen's submission would find.
 */

/** The length of a district key (Land 2, Regierungsbezirk 1, Kreis 2). */
export const DISTRICT_KEY_LENGTH = 5;

/** What the report needs of a form. */
export interface CoverageForm {
  readonly id: string;
  readonly title: LocalText;
}

/** The rollout states that do not take citizens' applications, in the order reports show them. */
export type PendingRollout = Exclude<RolloutState, 'live'>;
export const PENDING_ROLLOUTS: readonly PendingRollout[] = Object.freeze(['planned', 'testing', 'paused']);

/** A municipality that cannot apply online yet. */
export interface MissingMunicipality {
  readonly ars: string;
  readonly name: string;
  /** When an authority is responsible, but its route is not `live`: its state. */
  readonly rollout?: PendingRollout;
  /** With `planned`: the day it is meant to go live (YYYY-MM-DD), when the tenant file says. */
  readonly plannedFrom?: string;
}

/** Municipalities (and their inhabitants) whose responsible route is in one pending state. */
export interface RolloutCount {
  readonly municipalities: number;
  readonly inhabitants: number;
}

/** A count of something in an area and how much of it can apply online. */
export interface CoverageCount {
  readonly total: number;
  readonly online: number;
  /**
   * online / total in percent, rounded down to one decimal so that 100 means every one and a
   * single missing municipality never shows as 100; null when total is 0 (nothing to compare).
   */
  readonly percent: number | null;
}

export interface InhabitantCount extends CoverageCount {
  /** Municipalities of the area without a population: they count as 0 inhabitants. */
  readonly populationUnknown: number;
}

export interface AreaCoverage {
  readonly municipalities: CoverageCount;
  readonly inhabitants: InhabitantCount;
  /** "flaechendeckend": every municipality of the area can apply online (and there is at least one). */
  readonly complete: boolean;
  /**
   * Not online, but an authority is responsible and its route is planned, testing or paused:
   * counted apart from online (and among the missing), so a ministry sees what is on its way.
   */
  readonly notLive: Readonly<Record<PendingRollout, RolloutCount>>;
}

export interface DistrictCoverage extends AreaCoverage {
  /** The 5-digit district key. */
  readonly key: string;
  /** From the tenant's `districts`; the key itself when the tenant does not name it. */
  readonly name: string;
  /** In ARS order. */
  readonly missing: readonly MissingMunicipality[];
}

/** One form in one tenant. */
export interface CoverageItem {
  readonly form: CoverageForm;
  /** regions: the tenant's ARS prefixes (its whole area). */
  readonly tenant: { readonly id: string; readonly name: LocalText; readonly regions: readonly string[] };
  /** The whole tenant (a Land): the sum of its districts. */
  readonly state: AreaCoverage;
  /** In key order; only districts with at least one municipality. */
  readonly districts: readonly DistrictCoverage[];
}

export interface CoverageReport {
  /** ISO 8601; when the numbers were counted. */
  readonly generatedAt: string;
  /** Forms in the order given, each with every tenant in the routing table's order. */
  readonly items: readonly CoverageItem[];
  /**
   * Whether the last deliveries were known (the report was made with the store): only then do
   * the authorities carry lastSuccessfulTestAt, lastRealDeliveryAt and liveWithoutDelivery.
   */
  readonly deliveriesKnown: boolean;
  /** Per tenant (the same filters), its authorities: rollout counts and last deliveries. */
  readonly authorities: readonly TenantAuthorities[];
}

/**
 * Whether a routing match counts as "can apply online". By default only a `live` route does
 * (LIVE_ONLY), exactly as a citizen's submission is routed.
 */
export type OnlinePredicate = (match: RoutingMatch, formId: string) => boolean;

export const LIVE_ONLY: OnlinePredicate = (match) => match.rollout === 'live';

export interface CoverageInput {
  readonly routing: Pick<RoutingTable, 'resolve' | 'tenants'>;
  readonly forms: readonly CoverageForm[];
  /** Only this tenant / this form (already checked with unknownCoverageScope). */
  readonly tenantId?: string | undefined;
  readonly formId?: string | undefined;
  readonly now: Date;
  readonly isOnline?: OnlinePredicate;
  /**
   * Per authority, when its channel last took a real and a test delivery
   * (`DeliveryQueue.lastDeliveries()`); without it the authorities section has no delivery times.
   */
  readonly lastDeliveries?: LastDeliveries | undefined;
}

/** The forms of a registry as the report needs them. */
export function coverageForms(registry: Pick<FormRegistry, 'list'>): CoverageForm[] {
  return registry.list().map((form) => ({ id: form.definition.id, title: form.definition.title }));
}

/** Which filter names nothing that exists, for a one-line refusal; undefined when both are fine. */
export function unknownCoverageScope(
  input: Pick<CoverageInput, 'routing' | 'forms' | 'tenantId' | 'formId'>,
): { readonly parameter: 'tenant' | 'form'; readonly value: string; readonly known: readonly string[] } | undefined {
  const tenantIds = input.routing.tenants().map((t) => t.id);
  if (input.tenantId !== undefined && !tenantIds.includes(input.tenantId)) {
    return { parameter: 'tenant', value: input.tenantId, known: tenantIds };
  }
  const formIds = input.forms.map((f) => f.id);
  if (input.formId !== undefined && !formIds.includes(input.formId)) {
    return { parameter: 'form', value: input.formId, known: formIds };
  }
  return undefined;
}

function percentOf(online: number, total: number): number | null {
  if (total === 0) return null;
  // In integers first: (online * 1000) / total is exact enough and never rounds up to 100.
  return Math.floor((online * 1000) / total) / 10;
}

/** Running totals of one area while its municipalities are walked. */
interface Tally {
  municipalities: number;
  online: number;
  inhabitants: number;
  inhabitantsOnline: number;
  populationUnknown: number;
  notLive: Record<PendingRollout, { municipalities: number; inhabitants: number }>;
}

function emptyTally(): Tally {
  return {
    municipalities: 0, online: 0, inhabitants: 0, inhabitantsOnline: 0, populationUnknown: 0,
    notLive: { planned: { municipalities: 0, inhabitants: 0 }, testing: { municipalities: 0, inhabitants: 0 }, paused: { municipalities: 0, inhabitants: 0 } },
  };
}

/** online: can apply; otherwise the pending state of the responsible route, if there is one. */
type Standing = { readonly online: true } | { readonly online: false; readonly pending?: PendingRollout };

function add(tally: Tally, municipality: Municipality, standing: Standing): void {
  const population = municipality.population ?? 0;
  tally.municipalities += 1;
  tally.inhabitants += population;
  if (municipality.population === undefined) tally.populationUnknown += 1;
  if (standing.online) {
    tally.online += 1;
    tally.inhabitantsOnline += population;
  } else if (standing.pending !== undefined) {
    tally.notLive[standing.pending].municipalities += 1;
    tally.notLive[standing.pending].inhabitants += population;
  }
}

function areaOf(tally: Tally): AreaCoverage {
  return {
    municipalities: { total: tally.municipalities, online: tally.online, percent: percentOf(tally.online, tally.municipalities) },
    inhabitants: {
      total: tally.inhabitants, online: tally.inhabitantsOnline, percent: percentOf(tally.inhabitantsOnline, tally.inhabitants),
      populationUnknown: tally.populationUnknown,
    },
    complete: tally.municipalities > 0 && tally.online === tally.municipalities,
    notLive: { planned: { ...tally.notLive.planned }, testing: { ...tally.notLive.testing }, paused: { ...tally.notLive.paused } },
  };
}

function itemFor(form: CoverageForm, tenant: Tenant, input: CoverageInput, isOnline: OnlinePredicate): CoverageItem {
  const districtNames = new Map((tenant.districts ?? []).map((d) => [d.ars, d.name]));
  const state = emptyTally();
  const districts = new Map<string, { tally: Tally; missing: MissingMunicipality[] }>();
  for (const municipality of tenant.municipalities) {
    const match = input.routing.resolve(form.id, municipality.ars);
    const online = match !== undefined && isOnline(match, form.id);
    const pending = !online && match !== undefined && match.rollout !== 'live' ? match.rollout : undefined;
    const standing: Standing = online ? { online } : { online, ...(pending ? { pending } : {}) };
    const plannedFrom = pending === 'planned' ? match?.responsibility.plannedFrom : undefined;
    const key = municipality.ars.slice(0, DISTRICT_KEY_LENGTH);
    let district = districts.get(key);
    if (!district) {
      district = { tally: emptyTally(), missing: [] };
      districts.set(key, district);
    }
    add(state, municipality, standing);
    add(district.tally, municipality, standing);
    if (!online) {
      district.missing.push({
        ars: municipality.ars, name: municipality.name,
        ...(pending ? { rollout: pending } : {}), ...(plannedFrom !== undefined ? { plannedFrom } : {}),
      });
    }
  }
  return {
    form,
    tenant: { id: tenant.id, name: tenant.name, regions: tenant.regions },
    state: areaOf(state),
    districts: [...districts.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, { tally, missing }]) => ({
        key,
        name: districtNames.get(key) ?? key,
        ...areaOf(tally),
        missing: missing.sort((a, b) => (a.ars < b.ars ? -1 : a.ars > b.ars ? 1 : 0)),
      })),
  };
}

/** Counts coverage for every form × tenant the filters leave, and lists those tenants' authorities. */
export function computeCoverage(input: CoverageInput): CoverageReport {
  const isOnline = input.isOnline ?? LIVE_ONLY;
  const forms = input.forms.filter((f) => input.formId === undefined || f.id === input.formId);
  const tenants = input.routing.tenants().filter((t) => input.tenantId === undefined || t.id === input.tenantId);
  return {
    generatedAt: input.now.toISOString(),
    items: forms.flatMap((form) => tenants.map((tenant) => itemFor(form, tenant, input, isOnline))),
    deliveriesKnown: input.lastDeliveries !== undefined,
    authorities: coverageAuthorities(tenants, { formId: input.formId, lastDeliveries: input.lastDeliveries }),
  };
}
