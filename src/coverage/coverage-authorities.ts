import type { LocalText } from '../i18n/language';
import { rolloutOf } from '../routing/local-parameters';
import { ROLLOUT_STATES, type Authority, type RolloutState, type Tenant } from '../routing/tenant';

/**
 * The coverage report's authorities section (issue 12: "coverage shows, per authority, the last
 * successful test and the last real delivery, and flags live routes whose channel never had a
 * successful delivery"). Pure: the delivery times are read from the store by the caller
 * (`DeliveryQueue.lastDeliveries()`) and passed in; without them the section still lists the
 * authorities and their rollout counts, and says the delivery times are unknown.
 */

/** Per authority id, when a job to it was last delivered: a real one and a test one. */
export type LastDeliveries = ReadonlyMap<string, { readonly real?: Date; readonly test?: Date }>;

/** One authority of a tenant as the report shows it. */
export interface AuthorityCoverage {
  readonly id: string;
  readonly name: string;
  /** How the authority receives submissions: `http`, `email` or `inbox`. */
  readonly channel: Authority['delivery']['type'];
  /**
   * How many of its responsibilities (`serves` entries; with a form filter, those naming the
   * form) are in each rollout state.
   */
  readonly responsibilities: Readonly<Record<RolloutState, number>>;
  /**
   * ISO 8601; the last test delivery its channel took (null: never). Absent when the report was
   * made without the store (`CoverageReport.deliveriesKnown` false).
   */
  readonly lastSuccessfulTestAt?: string | null;
  /** ISO 8601; the last real (not test) delivery its channel took (null: never). Absent as above. */
  readonly lastRealDeliveryAt?: string | null;
  /**
   * A live responsibility, and the channel never took anything, test or real: the first citizen
   * would find out whether it works. Absent as above.
   */
  readonly liveWithoutDelivery?: boolean;
}

/** The authorities of one tenant, in the order of its file. */
export interface TenantAuthorities {
  readonly tenant: { readonly id: string; readonly name: LocalText };
  readonly authorities: readonly AuthorityCoverage[];
}

function rolloutCounts(entries: Authority['serves']): Record<RolloutState, number> {
  const counts = Object.fromEntries(ROLLOUT_STATES.map((state) => [state, 0])) as Record<RolloutState, number>;
  for (const entry of entries) counts[rolloutOf(entry)] += 1;
  return counts;
}

function authorityCoverage(authority: Authority, entries: Authority['serves'], last: LastDeliveries | undefined): AuthorityCoverage {
  const responsibilities = rolloutCounts(entries);
  const base = { id: authority.id, name: authority.name, channel: authority.delivery.type, responsibilities };
  if (last === undefined) return base;
  const delivered = last.get(authority.id);
  return {
    ...base,
    lastSuccessfulTestAt: delivered?.test?.toISOString() ?? null,
    lastRealDeliveryAt: delivered?.real?.toISOString() ?? null,
    liveWithoutDelivery: responsibilities.live > 0 && delivered?.real === undefined && delivered?.test === undefined,
  };
}

/**
 * The authorities of each tenant with their rollout counts and, given `lastDeliveries`, their
 * last deliveries. With `formId`, only the responsibilities naming that form count, and an
 * authority with none of them is left out.
 */
export function coverageAuthorities(
  tenants: readonly Tenant[],
  options: { readonly formId?: string | undefined; readonly lastDeliveries?: LastDeliveries | undefined },
): TenantAuthorities[] {
  const { formId, lastDeliveries } = options;
  return tenants.map((tenant) => ({
    tenant: { id: tenant.id, name: tenant.name },
    authorities: tenant.authorities.flatMap((authority) => {
      const entries = formId === undefined ? authority.serves : authority.serves.filter((entry) => entry.forms.includes(formId));
      return formId !== undefined && entries.length === 0 ? [] : [authorityCoverage(authority, entries, lastDeliveries)];
    }),
  }));
}
