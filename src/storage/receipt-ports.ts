/**
 * What the receipts (src/receipts/) ask of the store: each submission's PDF receipt, rendered
 * once and kept, so the applicant's e-mail, the download, the authority's e-mail and its inbox
 * all serve the same bytes (docs/receipts.md). Kept apart from ports.ts, which re-exports it.
 */

/** A receipt as stored: the PDF's bytes, their SHA-256 (hex) and when it was stored. */
export interface StoredReceipt {
  readonly pdf: Buffer;
  readonly sha256: string;
  readonly createdAt: Date;
}

export interface ReceiptStore {
  /**
   * The receipt stored for the submission, or undefined: none was stored yet, or the
   * submission's data was purged (retention deletes the receipt with it: it holds the answers).
   */
  findReceipt(submissionId: string): Promise<StoredReceipt | undefined>;
  /**
   * Stores `pdf` as the submission's receipt unless one is stored already, and returns the
   * receipt stored after the call: the first writer wins, so processes that rendered at the same
   * time all go on with the same bytes. Undefined, and nothing written, when there is no such
   * submission or its data was purged (a receipt rendered from a record read before a purge must
   * not bring the answers back). SQLite: INSERT OR IGNORE and the read back in one IMMEDIATE
   * transaction; PostgreSQL: the submission row held FOR KEY SHARE (the purge skips it, or it
   * waits for the purge and then sees it purged), INSERT … ON CONFLICT DO NOTHING, then SELECT.
   */
  putReceiptIfAbsent(submissionId: string, pdf: Buffer): Promise<StoredReceipt | undefined>;
}
