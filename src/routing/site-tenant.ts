import { problem, StartupError } from '../startup-error';
import type { RoutingTable } from './routing-table';
import type { Tenant } from './tenant';

/**
 * The tenant that frames pages before the citizen's municipality is known (start page, index,
 * messages): SITE_TENANT, or the first tenant when it is empty. An unknown one stops the start.
 */
export function siteTenantOf(routing: Pick<RoutingTable, 'tenants'>, siteTenantId: string, tenantsDir: string): Tenant {
  const tenant = siteTenantId === '' ? routing.tenants()[0] : routing.tenants().find((t) => t.id === siteTenantId);
  if (!tenant) throw new StartupError([problem(tenantsDir, '', `SITE_TENANT "${siteTenantId}" is not a tenant file here`)]);
  return tenant;
}
