import { Router, type RequestHandler } from 'express';
import { computeCoverage, coverageForms, unknownCoverageScope } from '../coverage/coverage';
import { renderCoverageAuthoritiesCsv } from '../coverage/coverage-authorities-csv';
import { renderCoverageCsv } from '../coverage/coverage-csv';
import { AppError } from '../errors';
import type { FormRegistry } from '../forms/form-registry';
import { UNKNOWN_COVERAGE_CSV_DETAIL } from '../i18n/coverage-authority-texts';
import { UNKNOWN_COVERAGE_FORM_DETAIL, UNKNOWN_COVERAGE_TENANT_DETAIL } from '../i18n/coverage-texts';
import { INVALID_DELIVERY_STATE_DETAIL, INVALID_LIMIT_DETAIL } from '../i18n/error-texts';
import { UNKNOWN_AUDIT_TENANT_DETAIL } from '../i18n/operator-api-texts';
import { formatLocalized } from '../i18n/translator';
import type { RoutingTable } from '../routing/routing-table';
import type { Actor } from '../operators/operator-access';
import { auditEntryView, auditTarget } from '../operators/audit-record';
import { authorityIdsOf, mayAccessTenant, tenantOfAuthority, tenantScope } from '../operators/tenant-scope';
import { DELIVERY_STATES, type DeliveryJob, type DeliveryQueue, type DeliveryState, type OperatorAuditLog, type SubmissionRepository } from '../storage/ports';
import { normalizeReferenceNumber } from '../submissions/reference-number';
import { matchesSha256 } from '../support/sha256';
import { bearerToken, unauthorized } from './bearer-auth';
import { actorOf, requireOperator, type OperatorAccessSource } from './operator-auth';
import { currentChannels } from '../routing/authority-channels';

// The other admin routers (reload and config, test deliveries) use the same check and scope.
export { actorOf, requireOperator, type OperatorAccessSource } from './operator-auth';
export { mayAccessTenant, tenantScope } from '../operators/tenant-scope';

export interface AdminDependencies {
  /** lastDeliveries: the coverage report's last test and real delivery per authority. */
  readonly deliveries: Pick<DeliveryQueue, 'jobsInState' | 'findJob' | 'retry' | 'lastDeliveries'>;
  readonly submissions: Pick<SubmissionRepository, 'find'>;
  /**
   * SHA-256 (hex) of the admin token. Not read by this router any more: `access` knows the admin
   * (and /metrics keeps requireAdminToken); kept while the composition root still passes it.
   */
  readonly adminTokenHash: string;
  readonly now: () => Date;
  /** Asks the delivery worker to look for due jobs now. */
  readonly nudge: () => void;
  /** Who is responsible where (coverage), and which tenant each authority belongs to (scoping). */
  readonly routing: Pick<RoutingTable, 'resolve' | 'tenants' | 'authority'>;
  readonly forms: Pick<FormRegistry, 'list'>;
  /** Who a token belongs to: the installation admin or one tenant's operator (issue 12). */
  readonly access: OperatorAccessSource;
  /** Where operator actions are written (who, what, when; no personal data). */
  readonly audit: OperatorAuditLog;
}

/** What operators see of a job: where it stands, never its payload (personal data). */
function jobView(job: DeliveryJob) {
  return {
    id: job.id, submissionId: job.submissionId, authorityId: job.authorityId, channel: job.channel, state: job.state,
    attempts: job.attempts, nextAttemptAt: job.nextAttemptAt.toISOString(), lastError: job.lastError, createdAt: job.createdAt.toISOString(),
  };
}

/**
 * Lets a request on only with `Authorization: Bearer <token>` whose SHA-256 is `tokenHash`
 * (ADMIN_TOKEN_HASH); anything else, a tenant operator's token included, is a 401. An empty or
 * malformed hash refuses every call. /metrics uses it: its numbers are the whole installation's.
 */
export function requireAdminToken(tokenHash: string, logMessage: string): RequestHandler {
  return (req, _res, next) => {
    next(matchesSha256(bearerToken(req), tokenHash) ? undefined : unauthorized(logMessage));
  };
}

/** An optional filter of the query: absent, or one value (a repeated parameter is refused as unknown). */
function filterValue(value: unknown): string | undefined {
  if (value === undefined || typeof value === 'string') return value;
  return Array.isArray(value) ? value.join(',') : '';
}

/** ?limit=: 1 to 1000, `fallback` when absent. */
function limitOf(value: unknown, fallback: number): number {
  const raw = value ?? String(fallback);
  const limit = typeof raw === 'string' && /^[0-9]{1,4}$/.test(raw) ? Number(raw) : NaN;
  if (!(limit >= 1 && limit <= 1000)) {
    throw new AppError('INVALID_PARAMETER', 'admin: bad limit', { detail: INVALID_LIMIT_DETAIL });
  }
  return limit;
}

/**
 * Operators' endpoints: deliveries (list, retry), a submission's audit trail, the coverage report
 * (src/coverage/) and the operator audit trail. The installation admin sees every tenant; a tenant
 * operator only its own, and another tenant's job or reference answers 404 as an unknown one does
 * (src/operators/tenant-scope.ts).
 */
export function adminRouter(deps: AdminDependencies): Router {
  const router = Router();
  router.use('/api/admin', requireOperator(deps.access));

  /** Writes one operator action; the entry names ids and codes only, never personal data. */
  const writeAudit = (actor: Actor, entry: { tenantId: string | null; action: string; target: string | null; outcome: 'ok' | 'refused' | 'failed'; detail?: string }) =>
    deps.audit.record({ at: deps.now(), actor: actor.id, ...entry });

  router.get('/api/admin/deliveries', async (req, res) => {
    const state = (req.query.state ?? 'dead') as unknown;
    if (typeof state !== 'string' || !(DELIVERY_STATES as readonly string[]).includes(state)) {
      throw new AppError('INVALID_PARAMETER', 'admin: unknown state', {
        detail: formatLocalized(INVALID_DELIVERY_STATE_DETAIL, { states: DELIVERY_STATES.join(', ') }),
      });
    }
    const limit = limitOf(req.query.limit, 100);
    const scope = tenantScope(actorOf(res));
    const jobs = await deps.deliveries.jobsInState(state as DeliveryState, limit, scope === undefined ? undefined : authorityIdsOf(deps.routing, scope));
    res.set('cache-control', 'no-store').json({ state, items: jobs.map(jobView) });
  });

  router.post('/api/admin/deliveries/:id/retry', async (req, res) => {
    const actor = actorOf(res);
    const id = String(req.params.id);
    // Scoped before anything changes: another tenant's job is never retried, and answers as an unknown one.
    const existing = await deps.deliveries.findJob(id);
    const tenantId = existing ? tenantOfAuthority(deps.routing, existing.authorityId) : undefined;
    if (!existing || !mayAccessTenant(actor, tenantId)) {
      // Recorded for the installation (tenant null: the admin's view only): in the caller's own
      // trail another tenant's job id would show, and keeping only unknown ids there would tell
      // which ids exist.
      await writeAudit(actor, { tenantId: null, action: 'delivery.retry', target: auditTarget(id), outcome: 'refused', detail: 'DELIVERY_NOT_FOUND' });
      throw new AppError('DELIVERY_NOT_FOUND', 'admin: unknown job');
    }
    const job = await deps.deliveries.retry(id, deps.now());
    const entry = { tenantId: tenantId ?? null, action: 'delivery.retry', target: existing.id };
    if (!job) {
      // Purged (retention) since, or before: its body and the answers are gone, it can never be sent again.
      const purged = existing.purgedAt !== undefined || (await deps.deliveries.findJob(id))?.purgedAt !== undefined;
      await writeAudit(actor, { ...entry, outcome: 'refused', detail: purged ? 'SUBMISSION_DATA_DELETED' : 'DELIVERY_NOT_RETRYABLE' });
      if (purged) throw new AppError('SUBMISSION_DATA_DELETED', 'admin: retry of a purged job');
      throw new AppError('DELIVERY_NOT_RETRYABLE', `admin: job in state ${existing.state}`);
    }
    await writeAudit(actor, { ...entry, outcome: 'ok' });
    deps.nudge();
    res.status(200).set('cache-control', 'no-store').json(jobView(job));
  });

  router.get('/api/admin/submissions/:id', async (req, res) => {
    const id = normalizeReferenceNumber(String(req.params.id));
    const record = id ? await deps.submissions.find(id) : undefined;
    if (!record || !mayAccessTenant(actorOf(res), record.tenantId)) throw new AppError('SUBMISSION_NOT_FOUND', 'admin: unknown submission');
    res.set('cache-control', 'no-store').json({
      id: record.id, formId: record.formId, authorityId: record.authorityId, status: record.status, createdAt: record.createdAt.toISOString(),
      events: record.events.map((e) => ({ type: e.type, at: e.at.toISOString(), ...(e.detail ? { detail: e.detail } : {}) })),
    });
  });

  router.get('/api/admin/coverage', async (req, res) => {
    const scope = tenantScope(actorOf(res));
    const forms = coverageForms(deps.forms);
    // A tenant operator's report is computed on its own tenant alone, so the "unknown tenant"
    // answer lists only that tenant, and another tenant's id is refused exactly like one that does not exist.
    const routing = scope === undefined ? deps.routing : {
      resolve: deps.routing.resolve.bind(deps.routing),
      tenants: () => deps.routing.tenants().filter((t) => t.id === scope),
    };
    const scoped = { routing, forms, tenantId: filterValue(req.query.tenant) ?? scope, formId: filterValue(req.query.form) };
    const unknown = unknownCoverageScope(scoped);
    if (unknown) {
      throw new AppError('INVALID_PARAMETER', `admin: unknown ${unknown.parameter} for coverage`, {
        detail: formatLocalized(unknown.parameter === 'tenant' ? UNKNOWN_COVERAGE_TENANT_DETAIL : UNKNOWN_COVERAGE_FORM_DETAIL, { known: unknown.known.join(', ') }),
      });
    }
    // Which table a CSV holds: the areas (default) or the authorities; the JSON holds both.
    const csv = filterValue(req.query.csv) ?? 'areas';
    if (csv !== 'areas' && csv !== 'authorities') {
      throw new AppError('INVALID_PARAMETER', 'admin: unknown csv table for coverage', { detail: UNKNOWN_COVERAGE_CSV_DETAIL });
    }
    // Only the scoped tenants' authorities are listed, so other tenants' delivery times never show.
    const report = computeCoverage({ ...scoped, now: deps.now(), lastDeliveries: await deps.deliveries.lastDeliveries(currentChannels(deps.routing)) });
    res.set({ 'cache-control': 'no-store', vary: 'accept' });
    // JSON unless the client prefers CSV; an Accept naming neither still gets JSON.
    if (req.accepts(['application/json', 'text/csv']) === 'text/csv') {
      res.type('text/csv; charset=utf-8').send(csv === 'authorities' ? renderCoverageAuthoritiesCsv(report) : renderCoverageCsv(report));
    } else {
      res.json(report);
    }
  });

  router.get('/api/admin/audit', async (req, res) => {
    const scope = tenantScope(actorOf(res));
    const limit = limitOf(req.query.limit, 100);
    const asked = filterValue(req.query.tenant);
    // The admin may name any tenant (the trail outlives a tenant's file); an operator only its own,
    // and any other id is refused as unknown, listing only its own.
    if (scope !== undefined && asked !== undefined && asked !== scope) {
      throw new AppError('INVALID_PARAMETER', 'admin: audit of a tenant outside the caller\'s scope', {
        detail: formatLocalized(UNKNOWN_AUDIT_TENANT_DETAIL, { known: scope }),
      });
    }
    const tenantId = scope ?? (asked === '' ? undefined : asked);
    const entries = await deps.audit.list(tenantId === undefined ? { limit } : { tenantId, limit });
    res.set('cache-control', 'no-store').json({ items: entries.map(auditEntryView) });
  });

  return router;
}
