import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Actor } from './operator-access';
import { problemsVisibleTo } from './tenant-scope';

/** A tenant file of the running set, as the loaded versions name it. */
export interface RunningTenantFile {
  readonly tenantId: string;
  readonly file: string;
}

/**
 * The tenant files a reload's problem lines may name: the running set's, and every *.json now in
 * the folder they were read from (TENANTS_DIR; every tenant file lies there, and a running set
 * always has one). A file that is new in this reload is in no running set yet, and its lines are
 * another tenant's for everybody but the admin. A folder that cannot be read (its problem is a
 * line of its own) adds nothing.
 */
async function tenantFilesNow(running: readonly RunningTenantFile[]): Promise<string[]> {
  const files = new Set(running.map((t) => t.file));
  for (const folder of new Set(running.map((t) => path.dirname(t.file)))) {
    try {
      for (const name of await readdir(folder)) if (name.endsWith('.json')) files.add(path.join(folder, name));
    } catch {
      // Unreadable or gone: the reload's own problem line says so.
    }
  }
  return [...files];
}

/**
 * What the API's and the console's reload show an actor of a refused reload's problem lines
 * (src/operators/tenant-scope.ts, `problemsVisibleTo`), `running` being the tenant files of the
 * set that stays. The admin's answer needs no look at the folder.
 */
export async function reloadProblemsFor(actor: Actor, problems: readonly string[], running: readonly RunningTenantFile[]): Promise<{ readonly shown: readonly string[]; readonly hidden: number }> {
  if (actor.kind === 'admin') return { shown: problems, hidden: 0 };
  return problemsVisibleTo(actor, problems, {
    ownTenantFile: running.find((t) => t.tenantId === actor.tenantId)?.file,
    tenantFiles: await tenantFilesNow(running),
  });
}
