import { randomUUID } from 'node:crypto';
import type { DeliveryOutcome } from '../../src/delivery/http-channel';
import { DeliveryWorker } from '../../src/delivery/delivery-worker';
import { countSubmissions, timeReceipts } from '../../src/metrics/instrumentation';
import { createMetrics } from '../../src/metrics/metrics';
import { loadReceiptFonts } from '../../src/receipts/receipt-fonts';
import { createReceiptRenderer } from '../../src/receipts/render-receipt';
import type { DeliveryJob, NewDeliveryJob } from '../../src/storage/ports';
import { openSqliteStore } from '../../src/storage/sqlite/sqlite-store';
import { createMemoryLogger } from '../../src/support/logger';
import { receiptModelOf } from '../support/receipt-fixture';
import { example, sampleContainer } from '../support/test-setup';
import { tempDir } from '../support/temp-dir';
import { valueOf } from '../support/prometheus';

const metricsFor = (formIds: readonly string[]) => createMetrics({ formIds, now: () => new Date(), logger: createMemoryLogger(), defaultMetrics: false });

describe('metrics recorded by the services', () => {
  test('the real submission service, counted: accepted, refused by code, unknown forms as unknown', async () => {
    const dir = tempDir();
    const container = await sampleContainer(dir.path);
    try {
      const metrics = metricsFor(container.forms.list().map((f) => f.definition.id));
      const service = countSubmissions(container.submissions, metrics);
      const accepted = await service.accept('hundesteuer-anmeldung', { data: example('hundesteuer-anmeldung', 'valid-1') }, 'de');
      expect((await container.store.submissions.find(accepted.id))?.status).toBe('accepted');
      await expect(service.accept('hundesteuer-anmeldung', { data: example('hundesteuer-anmeldung', 'invalid-postal-code') }, 'de'))
        .rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
      await expect(service.accept('hundesteuer-anmeldung', { nope: true }, 'de')).rejects.toMatchObject({ code: 'MALFORMED_REQUEST' });
      await expect(service.accept('no-such-form', { data: {} }, 'de')).rejects.toMatchObject({ code: 'FORM_NOT_FOUND' });
      // The other methods are the service's own.
      expect(service.statusOf).toBe(container.submissions.statusOf);

      const text = await metrics.text();
      expect(valueOf(text, 'efa_submissions_total', { form: 'hundesteuer-anmeldung', outcome: 'accepted' })).toBe(1);
      expect(valueOf(text, 'efa_submissions_total', { form: 'hundesteuer-anmeldung', outcome: 'refused' })).toBe(2);
      expect(valueOf(text, 'efa_submissions_total', { form: 'gewerbeanmeldung', outcome: 'accepted' })).toBe(0);
      expect(valueOf(text, 'efa_submission_refusals_total', { form: 'hundesteuer-anmeldung', code: 'VALIDATION_FAILED' })).toBe(1);
      expect(valueOf(text, 'efa_submission_refusals_total', { form: 'hundesteuer-anmeldung', code: 'MALFORMED_REQUEST' })).toBe(1);
      expect(valueOf(text, 'efa_submission_refusals_total', { form: 'unknown', code: 'FORM_NOT_FOUND' })).toBe(1);
      expect(text).not.toContain('no-such-form');
      expect(text).not.toContain(accepted.id);
    } finally {
      await container.close(1000);
      dir.remove();
    }
  });

  test('the real receipt renderer, timed', async () => {
    const metrics = metricsFor([]);
    const renderer = timeReceipts(createReceiptRenderer(loadReceiptFonts()), metrics);
    const xml = '<?xml version="1.0" encoding="UTF-8"?>\n<submission xmlns="urn:efa-forms:payload:v1"/>\n';
    const pdf = await renderer.render(await receiptModelOf('hundesteuer-anmeldung', example('hundesteuer-anmeldung', 'valid-1'), xml), xml);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const text = await metrics.text();
    expect(valueOf(text, 'efa_receipt_render_seconds_count')).toBe(1);
    const seconds = valueOf(text, 'efa_receipt_render_seconds_sum');
    expect(seconds).toBeGreaterThan(0);
    expect(seconds).toBeLessThan(5);
  });

  test('the delivery worker records each attempt: delivered, failed (retried) and dead', async () => {
    const dir = tempDir();
    const store = openSqliteStore(dir.path);
    const id = 'TEST-METRICS-1';
    const job = (channel: NewDeliveryJob['channel'], body: string): NewDeliveryJob => ({
      id: randomUUID(), submissionId: id, authorityId: 'a', channel, idempotencyKey: randomUUID(), contentType: 'application/xml', body,
    });
    await store.submissions.create(
      { id, tokenHash: 'a'.repeat(64), formId: 'f', formVersion: '1.0.0', tenantId: 't', authorityId: 'a', regionArs: '160510000000', language: 'de', dataJson: '{}', payloadXml: '<x/>', createdAt: new Date() },
      [job('http', 'refused'), job('email', 'flaky'), job('email-citizen', 'ok')],
    );
    // Channels that answer by the job: a permanent refusal, one failure then success, success.
    let flakyCalls = 0;
    const send = (j: DeliveryJob): Promise<DeliveryOutcome> => {
      if (j.body === 'refused') return Promise.resolve({ ok: false, error: 'receiver answered HTTP 400', permanent: true });
      if (j.body === 'flaky' && (flakyCalls += 1) === 1) return Promise.resolve({ ok: false, error: 'smtp down' });
      return Promise.resolve({ ok: true, status: 250 });
    };
    const metrics = metricsFor([]);
    const worker = new DeliveryWorker({
      queue: store.deliveries, send, logger: createMemoryLogger(), now: () => new Date(), random: () => 0.5,
      retryPolicy: { baseDelayMs: 10, maxDelayMs: 20 }, ownerId: 'w1', pollIntervalMs: 10, concurrency: 4, timeoutMs: 1000, giveUpAfterMs: 3_600_000,
      metrics,
    });
    worker.start();
    const deadline = Date.now() + 10_000;
    const settled = (jobs: DeliveryJob[]) => jobs.every((j) => j.state === 'delivered' || j.state === 'dead');
    while (!settled(await store.deliveries.jobsOf(id))) {
      if (Date.now() > deadline) throw new Error('jobs not settled');
      await new Promise((r) => setTimeout(r, 20));
    }
    await worker.stop(500);
    await store.close();
    dir.remove();

    const text = await metrics.text();
    expect(valueOf(text, 'efa_delivery_attempts_total', { channel: 'http', outcome: 'dead' })).toBe(1);
    expect(valueOf(text, 'efa_delivery_attempts_total', { channel: 'http', outcome: 'delivered' })).toBe(0);
    expect(valueOf(text, 'efa_delivery_attempts_total', { channel: 'email', outcome: 'failed' })).toBe(1);
    expect(valueOf(text, 'efa_delivery_attempts_total', { channel: 'email', outcome: 'delivered' })).toBe(1);
    expect(valueOf(text, 'efa_delivery_attempts_total', { channel: 'email-citizen', outcome: 'delivered' })).toBe(1);
    expect(valueOf(text, 'efa_delivery_attempt_duration_seconds_count', { channel: 'email' })).toBe(2);
    expect(valueOf(text, 'efa_delivery_attempt_duration_seconds_sum', { channel: 'email' })).toBeLessThan(1);
  });
});
