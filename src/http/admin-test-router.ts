import express, { Router } from 'express';
import { AppError } from '../errors';
import { TEST_LINK_BAD_DAYS_DETAIL, TEST_LINK_FORM_NOT_SERVED_DETAIL, TEST_LINK_BODY_DETAIL } from '../i18n/error-texts';
import { currentChannels } from '../routing/authority-channels';
import { rolloutOf } from '../routing/local-parameters';
import type { RoutingTable } from '../routing/routing-table';
import type { DeliveryQueue } from '../storage/ports';
import type { TestDeliveries } from '../test-delivery/test-delivery';
import type { TestLinks } from '../test-delivery/test-links';
import { mayAccessTenant } from '../operators/tenant-scope';
import { actorOf, requireOperator, type OperatorAccessSource } from './operator-auth';

export interface AdminTestDependencies {
  readonly access: OperatorAccessSource;
  readonly routing: Pick<RoutingTable, 'tenants' | 'authority'>;
  readonly deliveries: Pick<DeliveryQueue, 'lastDeliveries'>;
  readonly testDeliveries: TestDeliveries;
  readonly testLinks: TestLinks;
  /** PUBLIC_BASE_URL (may be empty in development: then the link is given as a path). */
  readonly publicBaseUrl: string;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Operators' view of their authorities and the tests of their channels: the authorities with
 * their responsibilities, rollout states and last deliveries (real and test), a test delivery
 * over an authority's real channel, and testers' links. Scoped like the rest of the admin API: a
 * tenant operator's question about another tenant's authority is answered as about none (404).
 */
export function adminTestRouter(deps: AdminTestDependencies): Router {
  const router = Router();
  const parseJson = express.json({ limit: 4096, strict: true, type: () => true });
  router.use('/api/admin/authorities', requireOperator(deps.access));

  router.get('/api/admin/authorities', async (_req, res) => {
    const actor = actorOf(res);
    const last = await deps.deliveries.lastDeliveries(currentChannels(deps.routing));
    const items = deps.routing.tenants().filter((t) => mayAccessTenant(actor, t.id)).flatMap((tenant) => tenant.authorities.map((authority) => {
      const delivered = last.get(authority.id);
      const responsibilities = authority.serves.map((entry) => ({
        forms: entry.forms, regions: entry.regions, rollout: rolloutOf(entry), ...(entry.plannedFrom ? { plannedFrom: entry.plannedFrom } : {}),
      }));
      return {
        id: authority.id, name: authority.name, tenantId: tenant.id, channel: authority.delivery.type, encrypted: authority.encryptionKey !== undefined,
        responsibilities,
        lastRealDeliveryAt: delivered?.real?.toISOString() ?? null,
        lastSuccessfulTestAt: delivered?.test?.toISOString() ?? null,
        // A live route whose channel has never taken anything, test or real: the first citizen finds out.
        liveWithoutDelivery: responsibilities.some((r) => r.rollout === 'live') && !delivered?.real && !delivered?.test,
      };
    }));
    res.set('cache-control', 'no-store').json({ items });
  });

  router.post('/api/admin/authorities/:id/test-delivery', async (req, res) => {
    const result = await deps.testDeliveries.send(String(req.params.id), actorOf(res));
    if (!result) throw new AppError('AUTHORITY_NOT_FOUND', 'admin: test delivery for an unknown authority');
    res.status(200).set('cache-control', 'no-store').json(result);
  });

  router.post('/api/admin/authorities/:id/test-links', parseJson, async (req, res) => {
    // No body, or {"formId": "...", "validDays": n}.
    const body: unknown = req.body;
    const given = body === undefined || (isPlainObject(body) && Object.keys(body).length === 0) ? {} : body;
    if (!isPlainObject(given) || Object.keys(given).some((k) => k !== 'formId' && k !== 'validDays')
      || (given.formId !== undefined && typeof given.formId !== 'string') || (given.validDays !== undefined && typeof given.validDays !== 'number')) {
      throw new AppError('MALFORMED_REQUEST', 'admin: test link body', { detail: TEST_LINK_BODY_DETAIL });
    }
    const issued = await deps.testLinks.issue({
      authorityId: String(req.params.id),
      ...(typeof given.formId === 'string' ? { formId: given.formId } : {}),
      ...(typeof given.validDays === 'number' ? { validDays: given.validDays } : {}),
    }, actorOf(res));
    if ('refused' in issued) {
      if (issued.refused === 'unknown-authority') throw new AppError('AUTHORITY_NOT_FOUND', 'admin: test link for an unknown authority');
      throw new AppError('INVALID_PARAMETER', `admin: test link refused (${issued.refused})`, {
        detail: issued.refused === 'bad-days' ? TEST_LINK_BAD_DAYS_DETAIL : TEST_LINK_FORM_NOT_SERVED_DETAIL,
      });
    }
    res.status(201).set('cache-control', 'no-store').json({
      url: `${deps.publicBaseUrl}${issued.path}`, authorityId: issued.authorityId, tenantId: issued.tenantId, formId: issued.formId,
      expiresAt: issued.expiresAt.toISOString(),
    });
  });

  return router;
}
