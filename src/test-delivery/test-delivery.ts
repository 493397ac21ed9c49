import { randomBytes, randomUUID } from 'node:crypto';
import type { OutboundPayloads } from '../delivery/outbound-payload';
import type { SendJob } from '../delivery/channels';
import type { FormRegistry } from '../forms/form-registry';
import { localize } from '../i18n/language';
import type { Actor } from '../operators/operator-access';
import { buildPayloadV1 } from '../payloads/xml/v1';
import type { RoutingTable } from '../routing/routing-table';
import type { Authority, Tenant } from '../routing/tenant';
import type { DeliveryChannel, DeliveryJob, Store } from '../storage/ports';
import { newReferenceNumber } from '../submissions/reference-number';
import type { Logger } from '../support/logger';
import { sha256Hex } from '../support/sha256';
import { testPayloadData } from './test-payload-data';

/** What an operator learns of one test delivery. */
export interface TestDeliveryResult {
  readonly authorityId: string;
  readonly tenantId: string;
  readonly channel: DeliveryChannel;
  /** The test submission's reference number (its payload, receipt and events are kept like any other). */
  readonly reference: string;
  readonly formId: string;
  /**
   * `delivered`: the channel took it (2xx, or the mail server accepted it). `failed`: it did not;
   * `detail` says why (a status code or error class, never data). `queued`: an inbox channel,
   * waiting for the authority to fetch it (the coverage shows the fetch as the successful test).
   */
  readonly outcome: 'delivered' | 'failed' | 'queued';
  readonly detail?: string;
  readonly at: string;
}

/** Sends test payloads over an authority's real channel (issue 12: test deliveries). */
export interface TestDeliveries {
  /** Undefined when there is no such authority (or, for a tenant operator, none in its tenant). */
  send(authorityId: string, actor: Actor): Promise<TestDeliveryResult | undefined>;
}

export interface TestDeliveryDependencies {
  readonly formsDir: string;
  readonly forms: FormRegistry;
  readonly routing: Pick<RoutingTable, 'authority'>;
  readonly store: Pick<Store, 'submissions' | 'deliveries' | 'operatorAudit'>;
  readonly outbound: Pick<OutboundPayloads, 'sealForAccept' | 'ensureSealed'>;
  /** The channel dispatcher the worker uses (http push with mTLS, the authority's e-mail). */
  readonly send: SendJob;
  readonly product: { readonly name: string; readonly version: string };
  readonly now: () => Date;
  readonly logger: Logger;
  /** Bounds one attempt, as the worker's DELIVERY_TIMEOUT_MS does. */
  readonly timeoutMs: number;
  /** The lease owner for the attempts made here; default `test-<pid>-<random UUID>`. */
  readonly ownerId?: string;
}

/** The first of the authority's responsibilities, and a municipality's key inside it. */
function testTarget(tenant: Tenant, authority: Authority): { readonly formId: string; readonly ars: string } | undefined {
  for (const entry of authority.serves) {
    const formId = [...entry.forms].sort()[0];
    const prefix = entry.regions[0];
    if (formId === undefined || prefix === undefined) continue;
    const municipality = tenant.municipalities.find((m) => m.ars.startsWith(prefix));
    return { formId, ars: municipality?.ars ?? prefix.padEnd(12, '0') };
  }
  return undefined;
}

/**
 * A test delivery is a submission of its own, marked as a test everywhere (`test` on the
 * submission and its job: the payload header, an HTTP header, the e-mail subject, the receipt's
 * watermark) and never counted as real. It goes through the real pipeline: sealed to the
 * authority's key when it has one, sent over its channel with its secret and client certificate.
 * The job is created already leased to the attempt made here, at once, so the operator sees the
 * outcome and no worker sends it too; a failed test is not retried (dead at once: a test says how
 * the channel is now). Only if this process dies during the attempt does a worker take the job
 * over once its lease has run out, and retry it like a tester's submission. Inbox tests wait to
 * be fetched.
 */
export function createTestDeliveries(deps: TestDeliveryDependencies): TestDeliveries {
  const { store, now } = deps;
  const ownerId = deps.ownerId ?? `test-${process.pid}-${randomUUID()}`;

  async function attempt(job: DeliveryJob): Promise<{ outcome: 'delivered' | 'failed'; detail?: string }> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<{ ok: false; error: string }>((resolve) => {
      timer = setTimeout(() => resolve({ ok: false, error: 'attempt timed out' }), deps.timeoutMs);
    });
    const sent = deps.send(await deps.outbound.ensureSealed(job))
      .catch((err: unknown) => ({ ok: false as const, error: `channel error: ${err instanceof Error ? err.name : 'Error'}` }));
    const result = await Promise.race([sent, timedOut]).finally(() => clearTimeout(timer));
    if (result.ok) {
      await store.deliveries.markDelivered(job.id, now());
      return { outcome: 'delivered' };
    }
    await store.deliveries.markFailed(job.id, ownerId, { error: result.error, nextAttemptAt: now(), permanent: true, giveUpAfterMs: 0, at: now() });
    return { outcome: 'failed', detail: result.error };
  }

  return {
    async send(authorityId, actor) {
      const found = deps.routing.authority(authorityId);
      if (!found || (actor.kind === 'operator' && found.tenant.id !== actor.tenantId)) return undefined;
      const { tenant, authority } = found;
      const target = testTarget(tenant, authority);
      const form = target ? deps.forms.get(target.formId) : undefined;
      if (!target || !form) return undefined;
      const { data } = await testPayloadData(deps.formsDir, form, target.ars);
      const id = newReferenceNumber();
      const createdAt = now();
      const tenantName = localize(tenant.name, 'de') ?? tenant.id;
      const xml = buildPayloadV1({
        messageId: randomUUID(), createdAt, reference: id,
        form: { id: form.definition.id, version: form.definition.version, serviceKey: form.definition.serviceKey },
        regionArs: target.ars,
        tenant: { id: tenant.id, name: tenantName }, author: { id: tenant.id, name: tenantName }, reader: { id: authority.id, name: authority.name },
        product: deps.product, data, test: true,
      }, form.fields);
      const sealed = await deps.outbound.sealForAccept(authority.id, xml);
      const jobId = randomUUID();
      await store.submissions.create(
        {
          id, tokenHash: sha256Hex(randomBytes(32).toString('base64url')), formId: form.definition.id, formVersion: form.definition.version,
          tenantId: tenant.id, authorityId: authority.id, regionArs: target.ars, language: 'de', dataJson: JSON.stringify(data),
          payloadXml: xml, createdAt, test: true,
        },
        [{
          id: jobId, submissionId: id, authorityId: authority.id, channel: authority.delivery.type,
          idempotencyKey: randomUUID(), contentType: sealed.contentType, body: sealed.body, test: true,
          // Created already leased to this attempt: no worker can take it first (inbox jobs wait to be fetched).
          ...(authority.delivery.type === 'inbox' ? {} : { lease: { owner: ownerId, until: new Date(createdAt.getTime() + deps.timeoutMs * 2 + 5000) } }),
        }],
      );
      let result: { outcome: TestDeliveryResult['outcome']; detail?: string };
      const job = authority.delivery.type === 'inbox' ? undefined : await store.deliveries.findJob(jobId);
      if (!job) {
        result = { outcome: 'queued', detail: 'waiting in the inbox for the authority to fetch it' };
      } else {
        result = await attempt(job);
      }
      await store.operatorAudit.record({
        at: now(), actor: actor.id, tenantId: tenant.id, action: 'test-delivery', target: authority.id,
        outcome: result.outcome === 'failed' ? 'failed' : 'ok', detail: `${authority.delivery.type} ${id}`,
      });
      deps.logger.info('delivery.test', { authority: authority.id, channel: authority.delivery.type, submission: id, outcome: result.outcome });
      return {
        authorityId: authority.id, tenantId: tenant.id, channel: authority.delivery.type, reference: id, formId: form.definition.id,
        outcome: result.outcome, ...(result.detail !== undefined ? { detail: result.detail } : {}), at: now().toISOString(),
      };
    },
  };
}
