import { randomUUID } from 'node:crypto';
import type { DeliveryJob, DeliveryQueue, SubmissionRepository } from '../storage/ports';
import { JWE_CONTENT_TYPE, type PayloadEncrypter } from './payload-encryption';

/**
 * Makes sure a payload leaves the platform encrypted whenever the authority has a key *now*.
 * Payloads are encrypted once, when a submission is accepted; a job made before its authority
 * got a key (a backlog, a dead job an operator retries, an inbox not fetched yet) still holds
 * the plain XML. Such a job is sealed here, before anything is sent or served, and stored with
 * a new idempotency key, so a receiver never sees one key with two different bodies.
 */
export function createPayloadSealing(deps: {
  readonly encrypterOf: (authorityId: string) => PayloadEncrypter | undefined;
  readonly submissions: Pick<SubmissionRepository, 'find'>;
  readonly deliveries: Pick<DeliveryQueue, 'reseal'>;
}): (job: DeliveryJob) => Promise<DeliveryJob> {
  return async (job) => {
    // The applicant's own confirmation e-mail is no authority payload.
    if (job.channel === 'email-citizen' || job.contentType === JWE_CONTENT_TYPE) return job;
    const encrypter = deps.encrypterOf(job.authorityId);
    if (!encrypter) return job;
    const record = await deps.submissions.find(job.submissionId);
    if (!record || record.payloadXml === '') throw new Error(`job ${job.id}: no payload to encrypt`);
    const body = await encrypter.encrypt(record.payloadXml, 'application/xml');
    const sealed = await deps.deliveries.reseal(job.id, { body, contentType: JWE_CONTENT_TYPE, idempotencyKey: randomUUID() });
    if (!sealed) throw new Error(`job ${job.id}: gone while encrypting`);
    return sealed;
  };
}
