import type { LogFields } from '../support/logger';

/**
 * A receipt that cannot be produced for a reason the receipt code itself found (the authority
 * or form is gone, the stored payload is missing or does not match). Its message names only
 * identifiers (reference number, form and authority ids), never an answer, so it may be logged.
 */
export class ReceiptError extends Error {
  override readonly name = 'ReceiptError';
}

/**
 * What may be logged of a failed receipt: the error's class, and its message only when it is a
 * ReceiptError. Messages of other errors can quote the text being processed (a JSON.parse error
 * quotes its input, a library may quote the text it could not lay out), that is the answers.
 */
export function receiptFailureFields(err: unknown): LogFields {
  if (err instanceof ReceiptError) return { error: err.name, message: err.message };
  return { error: err instanceof Error ? err.name : typeof err };
}
