import { Router, type RequestHandler } from 'express';
import { computeCoverage, coverageForms, unknownCoverageScope } from '../coverage/coverage';
import { renderCoverageCsv } from '../coverage/coverage-csv';
import { AppError } from '../errors';
import type { FormRegistry } from '../forms/form-registry';
import { UNKNOWN_COVERAGE_FORM_DETAIL, UNKNOWN_COVERAGE_TENANT_DETAIL } from '../i18n/coverage-texts';
import { INVALID_DELIVERY_STATE_DETAIL, INVALID_LIMIT_DETAIL } from '../i18n/error-texts';
import { formatLocalized } from '../i18n/translator';
import type { RoutingTable } from '../routing/routing-table';
import type { OperatorAccess } from '../operators/operator-access';
import { DELIVERY_STATES, type DeliveryJob, type DeliveryQueue, type DeliveryState, type OperatorAuditLog, type SubmissionRepository } from '../storage/ports';
import { normalizeReferenceNumber } from '../submissions/reference-number';
import { matchesSha256 } from '../support/sha256';
import { bearerToken, unauthorized } from './bearer-auth';

export interface AdminDependencies {
  readonly deliveries: Pick<DeliveryQueue, 'jobsInState' | 'findJob' | 'retry'>;
  readonly submissions: Pick<SubmissionRepository, 'find'>;
  /** SHA-256 (hex) of the admin token; empty: every call is refused. */
  readonly adminTokenHash: string;
  readonly now: () => Date;
  /** Asks the delivery worker to look for due jobs now. */
  readonly nudge: () => void;
  /** For the coverage report: who is responsible where, and the forms it is counted for. */
  readonly routing: Pick<RoutingTable, 'resolve' | 'tenants'>;
  readonly forms: Pick<FormRegistry, 'list'>;
  /** Who a token belongs to: the installation admin or one tenant's operator (issue 12). */
  readonly access: OperatorAccess;
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
 * (ADMIN_TOKEN_HASH); anything else is a 401. An empty or malformed hash refuses every call.
 * Shared by the admin API and /metrics, so both are guarded by one check.
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

/**
 * Operators' endpoints: dead (or other) deliveries, a manual retry, a submission's audit trail,
 * and the coverage report (src/coverage/).
 */
export function adminRouter(deps: AdminDependencies): Router {
  const router = Router();
  router.use('/api/admin', requireAdminToken(deps.adminTokenHash, 'admin API: no or wrong token'));

  router.get('/api/admin/deliveries', async (req, res) => {
    const state = (req.query.state ?? 'dead') as unknown;
    if (typeof state !== 'string' || !(DELIVERY_STATES as readonly string[]).includes(state)) {
      throw new AppError('INVALID_PARAMETER', 'admin: unknown state', {
        detail: formatLocalized(INVALID_DELIVERY_STATE_DETAIL, { states: DELIVERY_STATES.join(', ') }),
      });
    }
    const rawLimit = req.query.limit ?? '100';
    const limit = typeof rawLimit === 'string' && /^[0-9]{1,4}$/.test(rawLimit) ? Number(rawLimit) : NaN;
    if (!(limit >= 1 && limit <= 1000)) {
      throw new AppError('INVALID_PARAMETER', 'admin: bad limit', { detail: INVALID_LIMIT_DETAIL });
    }
    const jobs = await deps.deliveries.jobsInState(state as DeliveryState, limit);
    res.set('cache-control', 'no-store').json({ state, items: jobs.map(jobView) });
  });

  router.post('/api/admin/deliveries/:id/retry', async (req, res) => {
    const id = String(req.params.id);
    const job = await deps.deliveries.retry(id, deps.now());
    if (!job) {
      const existing = await deps.deliveries.findJob(id);
      throw existing
        ? new AppError('DELIVERY_NOT_RETRYABLE', `admin: job in state ${existing.state}`)
        : new AppError('DELIVERY_NOT_FOUND', 'admin: unknown job');
    }
    deps.nudge();
    res.status(200).set('cache-control', 'no-store').json(jobView(job));
  });

  router.get('/api/admin/submissions/:id', async (req, res) => {
    const id = normalizeReferenceNumber(String(req.params.id));
    const record = id ? await deps.submissions.find(id) : undefined;
    if (!record) throw new AppError('SUBMISSION_NOT_FOUND', 'admin: unknown submission');
    res.set('cache-control', 'no-store').json({
      id: record.id, formId: record.formId, authorityId: record.authorityId, status: record.status, createdAt: record.createdAt.toISOString(),
      events: record.events.map((e) => ({ type: e.type, at: e.at.toISOString(), ...(e.detail ? { detail: e.detail } : {}) })),
    });
  });

  router.get('/api/admin/coverage', (req, res) => {
    const forms = coverageForms(deps.forms);
    const scope = { routing: deps.routing, forms, tenantId: filterValue(req.query.tenant), formId: filterValue(req.query.form) };
    const unknown = unknownCoverageScope(scope);
    if (unknown) {
      throw new AppError('INVALID_PARAMETER', `admin: unknown ${unknown.parameter} for coverage`, {
        detail: formatLocalized(unknown.parameter === 'tenant' ? UNKNOWN_COVERAGE_TENANT_DETAIL : UNKNOWN_COVERAGE_FORM_DETAIL, { known: unknown.known.join(', ') }),
      });
    }
    const report = computeCoverage({ ...scope, now: deps.now() });
    res.set({ 'cache-control': 'no-store', vary: 'accept' });
    // JSON unless the client prefers CSV; an Accept naming neither still gets JSON.
    if (req.accepts(['application/json', 'text/csv']) === 'text/csv') {
      res.type('text/csv; charset=utf-8').send(renderCoverageCsv(report));
    } else {
      res.json(report);
    }
  });

  return router;
}
