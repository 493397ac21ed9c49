import { randomUUID } from 'node:crypto';
import type { NewDeliveryJob, NewSubmission, Store } from '../../src/storage/ports';

/**
 * What every part of the storage contract (store-contract.ts) shares: the adapter's factory and
 * the submissions, jobs and times its tests are made of.
 */
export interface StoreFactory {
  open(): Promise<Store>;
  /** Removes everything, after the suite. */
  destroy(): Promise<void>;
  /**
   * Leaves what a crash in the middle of writing a file begun at `at` leaves in this adapter's
   * store (a `.part` file, chunks without their file row): the port cannot make one.
   */
  cutOffWrite(at: Date): Promise<void>;
}

let counter = 0;
export function submission(overrides: Partial<NewSubmission> = {}): NewSubmission {
  counter += 1;
  return {
    id: `TEST-${String(counter).padStart(4, '0')}-${randomUUID().slice(0, 4)}`,
    tokenHash: 'a'.repeat(64),
    formId: 'hundesteuer-anmeldung',
    formVersion: '1.0.0',
    tenantId: 'thueringen',
    authorityId: 'stadt-erfurt',
    regionArs: '160510000000',
    language: 'de',
    dataJson: JSON.stringify({ name: 'Łukasz Żółć', betrag: 1.5 }),
    payloadXml: '<submission>Łukasz</submission>',
    createdAt: new Date('2026-11-28T10:00:00.000Z'),
    ...overrides,
  };
}

export function job(submissionId: string, overrides: Partial<NewDeliveryJob> = {}): NewDeliveryJob {
  return {
    id: randomUUID(),
    submissionId,
    authorityId: 'stadt-erfurt',
    channel: 'http',
    idempotencyKey: randomUUID(),
    contentType: 'application/xml; charset=utf-8',
    body: '<submission>ä</submission>',
    ...overrides,
  };
}

export const T0 = new Date('2026-11-28T10:00:00.000Z');
export const DAY = 24 * 3600 * 1000;
/** A retryable failure with the default give-up time of 72 hours. */
export const retryable = (error: string, nextAttemptAt: Date) => ({ error, nextAttemptAt, permanent: false, giveUpAfterMs: 3 * DAY, at: T0 });
export const later = (ms: number) => new Date(T0.getTime() + ms);

