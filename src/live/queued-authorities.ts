import type { RoutingTable, TenantSource } from '../routing/routing-table';
import { problem } from '../startup-error';

/**
 * Problem lines for a new set that would drop an authority which still has deliveries queued
 * (pending, in flight or failed): those jobs keep their authority id, and without the authority
 * they could never be sent. Each line names the running tenant file the authority is in.
 */
export function removedAuthoritiesWithOpenJobs(input: {
  readonly openJobs: ReadonlyMap<string, number>;
  readonly running: { readonly routing: Pick<RoutingTable, 'authority'>; readonly tenants: readonly TenantSource[] };
  readonly next: Pick<RoutingTable, 'authority'>;
}): string[] {
  const problems: string[] = [];
  for (const [authorityId, count] of [...input.openJobs].sort(([a], [b]) => a.localeCompare(b))) {
    if (count === 0 || input.next.authority(authorityId)) continue;
    const found = input.running.routing.authority(authorityId);
    const source = found ? input.running.tenants.find((t) => t.tenant.id === found.tenant.id) : undefined;
    const index = source ? source.tenant.authorities.findIndex((a) => a.id === authorityId) : -1;
    problems.push(problem(
      source?.file ?? authorityId,
      index >= 0 ? `/authorities/${index}` : '',
      `authority "${authorityId}" is removed, but ${count} deliveries to it are still queued; keep it until they are delivered (or dead), then remove it`,
    ));
  }
  return problems;
}
