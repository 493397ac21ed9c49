import { createHash } from 'node:crypto';
import type { ReceiptStore, StoredReceipt } from '../receipt-ports';
import { isStorableKey, type PgClient } from './pg-client';

interface ReceiptRow {
  pdf: Buffer;
  sha256: string;
  created_at: Date;
}

const SELECT = 'SELECT pdf, sha256, created_at FROM receipts WHERE submission_id = $1';

/**
 * FOR KEY SHARE does not wait for a worker updating the submission's status (FOR NO KEY UPDATE)
 * but conflicts with the purge's FOR UPDATE: a purge under way makes this wait and then see
 * `purged_at` set (READ COMMITTED re-checks the WHERE on the row's newest version); a purge
 * starting while this holds the row skips the submission until the next run (pg-retention.ts).
 */
const HOLD_LIVE_SUBMISSION = 'SELECT 1 AS live FROM submissions WHERE id = $1 AND purged_at IS NULL FOR KEY SHARE';

/** Waits for a concurrent writer of the same receipt to commit, then does nothing (the first writer wins). */
const INSERT = 'INSERT INTO receipts (submission_id, pdf, sha256, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (submission_id) DO NOTHING';

function stored(row: ReceiptRow): StoredReceipt {
  return { pdf: row.pdf, sha256: row.sha256, createdAt: row.created_at };
}

/**
 * The stored receipts on PostgreSQL. A put is one transaction of three statements: hold the
 * submission row if it is not purged, insert unless a receipt exists, read back what is stored.
 * The read is a statement of its own so that, under READ COMMITTED, it sees the row another
 * process committed while this insert waited on the conflict.
 */
export function pgReceipts(client: PgClient): ReceiptStore {
  return {
    async findReceipt(submissionId) {
      // No stored reference holds a NUL (pg-client.ts).
      if (!isStorableKey(submissionId)) return undefined;
      const [row] = await client.query<ReceiptRow>(SELECT, [submissionId]);
      return row ? stored(row) : undefined;
    },
    async putReceiptIfAbsent(submissionId, pdf) {
      if (!isStorableKey(submissionId)) return undefined;
      const sha256 = createHash('sha256').update(pdf).digest('hex');
      return client.transaction(async (tx) => {
        const [live] = await tx.query<{ live: number }>(HOLD_LIVE_SUBMISSION, [submissionId]);
        if (!live) return undefined;
        await tx.query(INSERT, [submissionId, pdf, sha256, new Date()]);
        const [row] = await tx.query<ReceiptRow>(SELECT, [submissionId]);
        return row ? stored(row) : undefined;
      });
    },
  };
}
