/**
 * Rows of one table, and stored files, on their way from one adapter to another
 * (`efa-forms copy-to-postgres`): the reading adapter turns its own column types into these
 * plain values, the writing adapter turns them into its own, so neither adapter knows the
 * other's schema or where the other keeps its files.
 */

/**
 * A column's value: text exactly as stored, whole numbers, points in time (millisecond
 * precision), flags, binary data byte for byte (the stored receipts' PDFs), or NULL.
 */
export type TableValue = string | number | boolean | Date | Buffer | null;

export interface TableBatch {
  /** The table's name, the same in every adapter's schema (e.g. `submissions`). */
  readonly table: string;
  /** At most a few hundred rows (and a few megabytes), in the order of the table's primary key. */
  readonly rows: readonly Readonly<Record<string, TableValue>>[];
}

/**
 * One stored file (an attachment's bytes or its sealed copy) to be kept under the same id in
 * the target, with what its row says about it, so the writer can check what it stored. Its
 * bytes are read only when asked for, in pieces: a file is never held whole.
 */
export interface FileTransfer {
  /** The file's id (a UUID), the same in both adapters. */
  readonly id: string;
  /** Names it in an error line by ids only (never the applicant's file name), e.g. `the file of attachment <id>`. */
  readonly label: string;
  /** The size its row records (attachments.size, or sealed_size for a sealed copy). */
  readonly size: number;
  /** The SHA-512 (hex) its row records: an attachment's own bytes have one; a sealed copy's row records only its size. */
  readonly sha512?: string;
  /** When it was stored (the file's modification time). */
  readonly storedAt: Date;
  /** Its bytes, streamed; rejects when the file cannot be read. */
  open(): AsyncIterable<Buffer>;
}
