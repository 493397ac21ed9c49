import { performance } from 'node:perf_hooks';
import { AppError } from '../errors';
import type { ReceiptRenderer } from '../receipts/render-receipt';
import type { Metrics } from './metrics';
import type { Language } from '../i18n/language';
import type { TesterAccess } from '../routing/rollout-refusal';

/** The part of the submission service's accept options the count looks at (not imported from there: no cycle). */
interface AcceptOptions {
  readonly tester?: TesterAccess;
}

/** What countSubmissions wraps: anything that accepts submissions (submission-service.ts). */
interface AcceptsSubmissions {
  accept(formId: string, body: unknown, language: Language, options?: AcceptOptions): Promise<unknown>;
}

/**
 * The submission service with every accept() counted: accepted when it committed, refused with
 * the catalogue code it failed with. Anything that is not an AppError becomes a 500 in the
 * error handler, so it is counted as `INTERNAL`. The API and the citizen pages share the
 * service, so both are counted once, here.
 */
export function countSubmissions<S extends AcceptsSubmissions>(service: S, metrics: Pick<Metrics, 'submissionAccepted' | 'submissionRefused'>): S {
  const accept = async (formId: string, body: unknown, language: Language, options: AcceptOptions = {}): Promise<unknown> => {
    let accepted: unknown;
    try {
      accepted = await service.accept(formId, body, language, options);
    } catch (err) {
      metrics.submissionRefused(formId, err instanceof AppError ? err.code : 'INTERNAL');
      throw err;
    }
    // A tester's submission is counted apart, never as a real one.
    metrics.submissionAccepted(formId, options.tester !== undefined);
    return accepted;
  };
  // The same answer as the service's own accept(), so the wrapper has the service's type.
  return { ...service, accept };
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
