import type { RoutingTable } from '../routing/routing-table';
import type { DeliveryChannel, DeliveryJob } from '../storage/ports';
import { deliverOverHttp, type DeliveryOutcome } from './http-channel';

export type SendJob = (job: DeliveryJob) => Promise<DeliveryOutcome>;

/**
 * Chooses how a job is sent by its channel. The worker knows only this function, so a new
 * channel (e-mail to an authority, an inbox) is a new entry here, not a change to the worker.
 */
export function createChannelDispatcher(options: {
  readonly routing: RoutingTable;
  readonly secretOf: (envName: string) => string | undefined;
  readonly timeoutMs: number;
  readonly now: () => Date;
  readonly citizenEmail: SendJob;
}): SendJob {
  const channels: Record<DeliveryChannel, SendJob> = {
    http: async (job) => {
      const found = options.routing.authority(job.authorityId);
      if (!found) return { ok: false, error: 'authority is no longer in the routing table' };
      const target = found.authority.delivery;
      return deliverOverHttp(job, target, options.secretOf(target.secretEnv), { timeoutMs: options.timeoutMs, now: options.now });
    },
    'email-citizen': options.citizenEmail,
  };
  return (job) => {
    const send = channels[job.channel] as SendJob | undefined;
    return send ? send(job) : Promise.resolve({ ok: false, error: `unknown channel ${String(job.channel)}` });
  };
}
