import type { RoutingTable } from '../routing/routing-table';
import type { Actor } from './operator-access';

/**
 * What a caller of the admin API (or console) may see: the installation admin every tenant, a
 * tenant operator its own tenant only. The API answers a tenant operator's question about another
 * tenant's object exactly as it answers one about an object that does not exist (404), so an
 * operator cannot even learn that the other tenant's job or reference exists.
 */

/** The tenant the actor is confined to; undefined for the installation admin (every tenant). */
export function tenantScope(actor: Actor): string | undefined {
  return actor.kind === 'admin' ? undefined : actor.tenantId;
}

/**
 * Whether the actor may see and act on something of this tenant. Something that belongs to no
 * tenant of the running set (an authority removed from the files since) is the admin's only.
 */
export function mayAccessTenant(actor: Actor, tenantId: string | null | undefined): boolean {
  if (actor.kind === 'admin') return true;
  return tenantId !== null && tenantId !== undefined && tenantId === actor.tenantId;
}

/** The ids of a tenant's authorities: the delivery jobs a tenant operator sees are theirs. */
export function authorityIdsOf(routing: Pick<RoutingTable, 'tenants'>, tenantId: string): string[] {
  return routing.tenants().find((t) => t.id === tenantId)?.authorities.map((a) => a.id) ?? [];
}

/** The tenant an authority belongs to in the running set; undefined when no tenant has it (any more). */
export function tenantOfAuthority(routing: Pick<RoutingTable, 'authority'>, authorityId: string): string | undefined {
  return routing.authority(authorityId)?.tenant.id;
}

/** Which tenant files the problem lines of a refused reload may name. */
export interface ProblemScope {
  /** The tenant operator's own tenant file, as the lines name it (path included). */
  readonly ownTenantFile: string | undefined;
  /** Every tenant file a line may name: the running set's and every *.json in TENANTS_DIR now (a new file too). */
  readonly tenantFiles: readonly string[];
}

/** The id a tenant file must carry: its name without `.json` (src/routing/load-tenants.ts checks this). */
function tenantIdOfFile(file: string): string {
  const name = file.split(/[\\/]/).pop() ?? file;
  return name.endsWith('.json') ? name.slice(0, -'.json'.length) : name;
}

/** Whether the line names the file: an occurrence not preceded by a character a file name goes on with. */
function namesFile(line: string, file: string): boolean {
  for (let at = line.indexOf(file); at >= 0; at = line.indexOf(file, at + 1)) {
    if (at === 0 || !/[A-Za-z0-9_.-]/.test(line[at - 1]!)) return true;
  }
  return false;
}

/**
 * The problem lines of a refused reload an actor is shown, and how many were held back. The
 * installation admin sees every line. A tenant operator sees a line only when it names no other
 * tenant file and no other tenant's operator (`"<tenant>/`): lines about its own tenant file and
 * about shared files (forms, templates, the tenants folder itself) are shown, unless they point
 * at another tenant; everything else is only counted. A line of the operator's own file can name
 * another one (an overlapping region, an authority id used twice, a token hash shared with
 * another tenant's operator), and the other tenant's ids, regions and operators must not reach
 * the operator: that would tell what another state configures (issue 12, point 5).
 */
export function problemsVisibleTo(actor: Actor, problems: readonly string[], scope: ProblemScope): { readonly shown: readonly string[]; readonly hidden: number } {
  if (actor.kind === 'admin') return { shown: problems, hidden: 0 };
  const otherFiles = [...new Set(scope.tenantFiles)].filter((file) => file !== scope.ownTenantFile);
  const otherOperators = [...new Set(otherFiles.map(tenantIdOfFile))].filter((id) => id !== actor.tenantId).map((id) => `"${id}/`);
  // Held back when the line contains such a name anywhere, even by chance (hiding too much is
  // the safe mistake); only a file name that is the tail of a longer one (`land-a.json` is not
  // `a.json`) does not count.
  const shown = problems.filter((line) => !otherFiles.some((file) => namesFile(line, file)) && !otherOperators.some((mark) => line.includes(mark)));
  return { shown, hidden: problems.length - shown.length };
}
