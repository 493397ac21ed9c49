/**
 * Throughput at the limit (issue 14): placeholder until the bench lands; it measures nothing yet.
 */
import type { BenchResult } from './support/figures';

export function benchThroughput(): Promise<BenchResult> {
  return Promise.resolve({ name: 'throughput', figures: [], notes: ['not implemented yet'] });
}
