/**
 * Rows of one table on their way from one adapter to another (`efa-forms copy-to-postgres`):
 * the reading adapter turns its own column types into these plain values, the writing adapter
 * turns them into its own, so neither adapter knows the other's schema.
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
