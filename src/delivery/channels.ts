import type { Agent } from 'node:http';
import type { RoutingTable } from '../routing/routing-table';
import type { DeliveryChannel, DeliveryJob } from '../storage/ports';
import { deliverOverHttp, type DeliveryOutcome, type PushTimeouts } from './http-channel';
import type { OutboundPayloads } from './outbound-payload';

export type SendJob = (job: DeliveryJob) => Promise<DeliveryOutcome>;

/**
 * The `http` channel: push to the authority's endpoint, signed, with its client certificate if
 * any; with the submission's files (plain or sealed, as outbound decides) in a multipart body.
 */
export function createHttpPush(options: PushTimeouts & {
  readonly routing: RoutingTable;
  readonly outbound: Pick<OutboundPayloads, 'withFiles'>;
  readonly secretOf: (envName: string) => string | undefined;
  /** The keep-alive agent of the authority (with its client certificate for mutual TLS). */
  readonly agentOf: (authorityId: string) => Agent | undefined;
  readonly now: () => Date;
}): SendJob {
  return async (job) => {
    const found = options.routing.authority(job.authorityId);
    if (!found) return { ok: false, error: 'authority is no longer in the routing table' };
    const target = found.authority.delivery;
    if (target.type !== 'http') return { ok: false, error: `authority now delivers by ${target.type}, not http` };
    const agent = options.agentOf(job.authorityId);
    const { timeoutMs, minBytesPerSecond, maxTimeoutMs } = options;
    return options.outbound.withFiles(job, (files) => deliverOverHttp(job, target, options.secretOf(target.secretEnv), {
      timeoutMs, now: options.now, files, ...(agent ? { agent } : {}),
      ...(minBytesPerSecond !== undefined ? { minBytesPerSecond } : {}), ...(maxTimeoutMs !== undefined ? { maxTimeoutMs } : {}),
    }));
  };
}

/**
 * Chooses how a job is sent by its channel. The worker knows only this function, so a new
 * channel is a new entry here, not a change to the worker. `inbox` jobs are fetched by the
 * authority and never claimed by a worker; should one arrive here, it is refused.
 */
export function createChannelDispatcher(channels: {
  readonly http: SendJob;
  readonly email: SendJob;
  readonly citizenEmail: SendJob;
}): SendJob {
  const byChannel: Record<DeliveryChannel, SendJob> = {
    http: channels.http,
    email: channels.email,
    inbox: () => Promise.resolve({ ok: false, error: 'inbox jobs are fetched by the authority', permanent: true }),
    'email-citizen': channels.citizenEmail,
  };
  return (job) => {
    const send = byChannel[job.channel] as SendJob | undefined;
    return send ? send(job) : Promise.resolve({ ok: false, error: `unknown channel ${String(job.channel)}` });
  };
}
