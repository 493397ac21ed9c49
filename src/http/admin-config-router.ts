import { Router } from 'express';
import { AppError } from '../errors';
import type { Actor, OperatorAccess } from '../operators/operator-access';
import { reloadProblemsFor } from '../operators/reload-problems';
import type { OperatorAuditLog } from '../storage/ports';
import { negotiateLanguage } from './language';
import { actorOf, requireOperator } from './operator-auth';
import { problemJson } from './problem';

/** One operator file as it was loaded: which bytes (SHA-256 of the file) and since when. */
export interface FileVersion {
  readonly file: string;
  /** SHA-256 (hex) of the file's bytes as they were read. */
  readonly sha256: string;
  /** When these bytes were first loaded (a file unchanged by a reload keeps its time). */
  readonly loadedAt: Date;
}

/** Which version of every form and tenant file the running set was built from. */
export interface LoadedVersions {
  /** When the running set was loaded (the start, or the last successful reload). */
  readonly loadedAt: Date;
  readonly forms: readonly (FileVersion & { readonly formId: string; readonly version: string })[];
  readonly tenants: readonly (FileVersion & { readonly tenantId: string })[];
}

export type ReloadOutcome =
  | { readonly ok: true; readonly versions: LoadedVersions }
  /** `problems`: `file: pointer: reason` lines, as the start-up reports them; the running set stays. */
  | { readonly ok: false; readonly problems: readonly string[] };

/** What the endpoints ask of the live configuration (src/live/). */
export interface ConfigurationControl {
  /** Reads forms and tenants again; serves the new set only when it has no problems. */
  reload(): Promise<ReloadOutcome>;
  versions(): LoadedVersions;
  /** The running set's operators (a reload may add or remove one). */
  operatorAccess(): OperatorAccess;
}

export interface AdminConfigDependencies {
  readonly configuration: ConfigurationControl;
  readonly audit: OperatorAuditLog;
  readonly now: () => Date;
}

function versionView(version: FileVersion) {
  return { file: version.file, sha256: version.sha256, loadedAt: version.loadedAt.toISOString() };
}

/** What an actor may see of the loaded versions: forms are shared; a tenant operator sees only its own tenant file. */
function versionsFor(actor: Actor, versions: LoadedVersions) {
  return {
    loadedAt: versions.loadedAt.toISOString(),
    forms: versions.forms.map((f) => ({ formId: f.formId, version: f.version, ...versionView(f) })),
    tenants: versions.tenants
      .filter((t) => actor.kind === 'admin' || t.tenantId === actor.tenantId)
      .map((t) => ({ tenantId: t.tenantId, ...versionView(t) })),
  };
}

/**
 * `POST /api/admin/reload` (forms and tenants read again; 200 with the new versions, or 422
 * CONFIGURATION_REFUSED listing every problem while the running set stays) and
 * `GET /api/admin/config` (which version of each file is loaded). The installation admin and
 * every tenant operator may reload (the files are shared, so a reload is the whole
 * installation's); each reload is written to the operator audit trail.
 */
export function adminConfigRouter(deps: AdminConfigDependencies): Router {
  const router = Router();
  // The running set's operators at the time of the request: a reload may add or remove one.
  const signedIn = requireOperator(() => deps.configuration.operatorAccess());

  router.get('/api/admin/config', signedIn, (_req, res) => {
    const actor = actorOf(res);
    res.set('cache-control', 'no-store').json(versionsFor(actor, deps.configuration.versions()));
  });

  router.post('/api/admin/reload', signedIn, async (req, res) => {
    const actor = actorOf(res);
    // The tenant files of the set that stays when the reload is refused.
    const running = deps.configuration.versions().tenants;
    const outcome = await deps.configuration.reload();
    await deps.audit.record({
      at: deps.now(), actor: actor.id, tenantId: null, action: 'reload', target: null,
      outcome: outcome.ok ? 'ok' : 'refused',
      ...(outcome.ok ? {} : { detail: `${outcome.problems.length} problem(s)` }),
    });
    if (outcome.ok) {
      res.status(200).set('cache-control', 'no-store').json(versionsFor(actor, outcome.versions));
      return;
    }
    // The catalogue's problem document, with the problem lines the start-up would print.
    const language = negotiateLanguage(req.get('accept-language'));
    const error = new AppError('CONFIGURATION_REFUSED', `reload refused: ${outcome.problems.length} problem(s)`);
    // A tenant operator sees no line that names another tenant's file or operator, only how many there were.
    const { shown, hidden } = await reloadProblemsFor(actor, outcome.problems, running);
    const body = { ...(JSON.parse(problemJson(error, language)) as Record<string, unknown>), problems: shown, ...(hidden > 0 ? { problemsInOtherTenants: hidden } : {}) };
    res.status(error.status).type('application/problem+json').set({ 'content-language': language, 'cache-control': 'no-store' }).send(JSON.stringify(body));
  });

  return router;
}
