import { performance } from 'node:perf_hooks';
import { AppError } from '../errors';
import type { ReceiptRenderer } from '../receipts/render-receipt';
import type { AcceptedSubmission } from '../submissions/submission-service';
import type { Metrics } from './metrics';
import type { Language } from '../i18n/language';

interface AcceptsSubmissions {
  accept(formId: string, body: unknown, language: Language): Promise<AcceptedSubmission>;
}

/**
 * The submission service with every accept() counted: accepted when it committed, refused with
 * the catalogue code it failed with. Anything that is not an AppError becomes a 500 in the
 * error handler, so it is counted as `INTERNAL`. The API and the citizen pages share the
 * service, so both are counted once, here.
 */
export function countSubmissions<S extends AcceptsSubmissions>(service: S, metrics: Pick<Metrics, 'submissionAccepted' | 'submissionRefused'>): S {
  return {
    ...service,
    async accept(formId: string, body: unknown, language: Language): Promise<AcceptedSubmission> {
      let accepted: AcceptedSubmission;
      try {
        accepted = await service.accept(formId, body, language);
      } catch (err) {
        metrics.submissionRefused(formId, err instanceof AppError ? err.code : 'INTERNAL');
        throw err;
      }
      metrics.submissionAccepted(formId);
      return accepted;
    },
  };
}

/** The receipt renderer with the time of each successful render recorded. */
export function timeReceipts(renderer: ReceiptRenderer, metrics: Pick<Metrics, 'receiptRendered'>): ReceiptRenderer {
  return {
    async render(model, xml) {
      const started = performance.now();
      const pdf = await renderer.render(model, xml);
      metrics.receiptRendered((performance.now() - started) / 1000);
      return pdf;
    },
  };
}
