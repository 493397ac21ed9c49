import type { PurgeRequest, Store } from '../../src/storage/ports';
import { openPostgresStore } from '../../src/storage/postgres/postgres-store';
import { waitUntil } from '../support/channel-harness';
import { createTestDatabase, type TestDatabase } from '../support/postgres-database';
import { job, later, submission } from './store-contract-fixtures';

/**
 * Storing a receipt against a purge in another transaction (pg-receipts.ts, pg-retention.ts):
 * PostgreSQL runs them at the same time, so a receipt rendered from a record read before the
 * purge must not be stored after it (the answers would come back), and the purge must not wait
 * for a receipt being stored. SQLite has one writer at a time: the contract covers it.
 */
describe('PostgreSQL: stored receipts against a concurrent purge', () => {
  let db: TestDatabase;
  let store: Store;
  // Raw connections of the test's own; db.drop() ends them.
  const connect = () => db.connect();

  beforeEach(async () => {
    db = await createTestDatabase();
    // A purge that waited for a lock instead of skipping it fails here (57014), not at Jest's limit.
    store = await openPostgresStore({ url: db.url, poolSize: 4, statementTimeoutMs: 5_000 });
  });
  afterEach(async () => {
    await store.close();
    await db.drop();
  });

  const DELIVERED_AT = later(3600_000);
  const request: PurgeRequest = { now: DELIVERED_AT, defaultDays: 0, daysByForm: new Map(), limit: 100 };
  const PDF = Buffer.from('%PDF-1.7 receipt\u0000bytes', 'latin1');

  async function delivered(): Promise<string> {
    const s = submission();
    await store.submissions.create(s, [job(s.id)]);
    for (const j of await store.deliveries.claimDue({ now: DELIVERED_AT, limit: 10, leaseMs: 60_000, owner: 'w' })) {
      await store.deliveries.markDelivered(j.id, DELIVERED_AT);
    }
    return s.id;
  }

  test('a put while a purge holds the submission waits for it, then stores nothing', async () => {
    const id = await delivered();
    const purge = await connect();
    await purge.query('BEGIN');
    // What the purge's step 1 takes, then what its step 3 writes.
    await purge.query('SELECT id FROM submissions WHERE id = $1 FOR UPDATE', [id]);
    await purge.query("UPDATE submissions SET data_json = '', payload_xml = '', purged_at = $2 WHERE id = $1", [id, DELIVERED_AT]);
    await purge.query('DELETE FROM receipts WHERE submission_id = $1', [id]);
    const pid = (await purge.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;

    const put = store.receipts.putReceiptIfAbsent(id, PDF);
    const watcher = await connect();
    // The put is blocked by the purge's transaction (and not finished some other way).
    await waitUntil(async () => (await watcher.query<{ n: string }>('SELECT count(*) AS n FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))', [pid])).rows[0]!.n === '1', 5_000);
    await purge.query('COMMIT');

    expect(await put).toBeUndefined();
    expect(await store.receipts.findReceipt(id)).toBeUndefined();
    expect((await watcher.query<{ n: string }>('SELECT count(*) AS n FROM receipts')).rows[0]!.n).toBe('0');
  });

  test('a put holding the submission does not make the purge wait: it is skipped, and purged (its receipt deleted) by the next call', async () => {
    const id = await delivered();
    const putter = await connect();
    await putter.query('BEGIN');
    // What putReceiptIfAbsent holds until its commit.
    expect((await putter.query('SELECT 1 FROM submissions WHERE id = $1 AND purged_at IS NULL FOR KEY SHARE', [id])).rows).toHaveLength(1);
    await putter.query("INSERT INTO receipts (submission_id, pdf, sha256, created_at) VALUES ($1, $2, repeat('0', 64), now())", [id, PDF]);

    expect(await store.submissions.purgeDue(request)).toEqual({ purged: 0, removedFiles: [] });
    await putter.query('COMMIT');
    expect((await store.receipts.findReceipt(id))?.pdf.equals(PDF)).toBe(true);

    expect(await store.submissions.purgeDue(request)).toEqual({ purged: 1, removedFiles: [] });
    expect(await store.receipts.findReceipt(id)).toBeUndefined();
  });

  test('a worker settling a job of the submission does not block a put (FOR KEY SHARE, not FOR SHARE)', async () => {
    const s = submission();
    await store.submissions.create(s, [job(s.id)]);
    const worker = await connect();
    await worker.query('BEGIN');
    // What markDelivered's status change takes on the submission's row.
    await worker.query("UPDATE submissions SET status = 'delivered' WHERE id = $1", [s.id]);
    const stored = await store.receipts.putReceiptIfAbsent(s.id, PDF);
    expect(stored?.pdf.equals(PDF)).toBe(true);
    await worker.query('ROLLBACK');
  });
});
