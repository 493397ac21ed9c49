import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { ReceiptStore, StoredReceipt } from '../receipt-ports';
import type { GroupCommit } from './group-commit';
import { settler } from './settle';

interface ReceiptRow {
  pdf: Buffer;
  sha256: string;
  created_at: number;
}

/** better-sqlite3 hands BLOBs over as Buffers; one made in another realm (jest) is copied into this one's. */
function stored(row: ReceiptRow): StoredReceipt {
  const pdf = Buffer.isBuffer(row.pdf) ? row.pdf : Buffer.from(row.pdf);
  return { pdf, sha256: row.sha256, createdAt: new Date(row.created_at) };
}

/**
 * The stored receipts on SQLite. A put is part of a group commit (one IMMEDIATE transaction, its
 * own savepoint in it): the row is inserted only for
 * a submission that exists and is not purged (INSERT OR IGNORE … SELECT), then read back, so two
 * processes on one file both get the first writer's bytes, and a purge (which takes the write
 * lock too) either ran before (nothing is written) or runs after (and deletes it).
 */
export function sqliteReceipts(db: Database.Database, commit: GroupCommit): ReceiptStore {
  const settle = settler(db);
  const select = db.prepare<[string], ReceiptRow>('SELECT pdf, sha256, created_at FROM receipts WHERE submission_id = ?');
  const insert = db.prepare(`
    INSERT OR IGNORE INTO receipts (submission_id, pdf, sha256, created_at)
    SELECT id, @pdf, @sha256, @now FROM submissions WHERE id = @id AND purged_at IS NULL`);

  return {
    findReceipt(submissionId) {
      return settle(() => {
        const row = select.get(submissionId);
        return row ? stored(row) : undefined;
      });
    },
    putReceiptIfAbsent(submissionId, pdf) {
      const sha256 = createHash('sha256').update(pdf).digest('hex');
      return commit(() => {
        insert.run({ id: submissionId, pdf, sha256, now: Date.now() });
        const row = select.get(submissionId);
        return row ? stored(row) : undefined;
      });
    },
  };
}
