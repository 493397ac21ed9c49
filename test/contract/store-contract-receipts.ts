import { createHash } from 'node:crypto';
import type { PurgeRequest, Store } from '../../src/storage/ports';
import { job, later, submission, type StoreFactory } from './store-contract-fixtures';

/** Every byte value, NUL and invalid UTF-8 included: the column must keep binary data as it is. */
const ALL_BYTES = Buffer.from(Array.from({ length: 512 }, (_, i) => i % 256));
const OTHER_BYTES = Buffer.from('%PDF-1.7 another rendering', 'latin1');
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/**
 * The contract of the stored receipts (`Store.receipts`, receipt-ports.ts): the first receipt put
 * stays, whoever puts another; binary data kept byte for byte; deleted by the retention purge
 * and never stored again for a purged submission; two stores on one database agree.
 */
export function receiptsContract(factory: () => StoreFactory): void {
  describe('receipts: stored once per submission', () => {
    let f: StoreFactory;
    let store: Store;
    const others: Store[] = [];

    beforeEach(async () => {
      f = factory();
      store = await f.open();
    });
    afterEach(async () => {
      await Promise.all(others.splice(0).map((s) => s.close()));
      await store.close();
      await f.destroy();
    });

    test('the first put stores the bytes with their SHA-256; a second put with other bytes returns the first bytes and changes nothing', async () => {
      const s = submission();
      await store.submissions.create(s, [job(s.id)]);
      expect(await store.receipts.findReceipt(s.id)).toBeUndefined();

      const first = await store.receipts.putReceiptIfAbsent(s.id, ALL_BYTES);
      expect(first?.pdf.equals(ALL_BYTES)).toBe(true);
      expect(first?.sha256).toBe(sha256(ALL_BYTES));
      expect(first?.createdAt).toBeInstanceOf(Date);

      const second = await store.receipts.putReceiptIfAbsent(s.id, OTHER_BYTES);
      expect(second?.pdf.equals(ALL_BYTES)).toBe(true);
      expect(second?.sha256).toBe(sha256(ALL_BYTES));
      expect(second?.createdAt).toEqual(first?.createdAt);

      const found = await store.receipts.findReceipt(s.id);
      expect(found?.pdf.equals(ALL_BYTES)).toBe(true);
      expect(found).toEqual(first);
    });

    test('receipts are kept per submission and across a restart', async () => {
      const a = submission();
      const b = submission();
      await store.submissions.create(a, [job(a.id)]);
      await store.submissions.create(b, [job(b.id)]);
      await store.receipts.putReceiptIfAbsent(a.id, ALL_BYTES);
      await store.receipts.putReceiptIfAbsent(b.id, OTHER_BYTES);
      await store.close();
      store = await f.open();
      expect((await store.receipts.findReceipt(a.id))?.pdf.equals(ALL_BYTES)).toBe(true);
      expect((await store.receipts.findReceipt(b.id))?.pdf.equals(OTHER_BYTES)).toBe(true);
    });

    test('an unknown submission (also one whose id holds a NUL) has no receipt and gets none stored', async () => {
      expect(await store.receipts.putReceiptIfAbsent('NOPE-NOPE-N', ALL_BYTES)).toBeUndefined();
      expect(await store.receipts.findReceipt('NOPE-NOPE-N')).toBeUndefined();
      expect(await store.receipts.putReceiptIfAbsent('NOPE\u0000', ALL_BYTES)).toBeUndefined();
      expect(await store.receipts.findReceipt('NOPE\u0000')).toBeUndefined();
    });

    describe('retention', () => {
      const request = (now: Date): PurgeRequest => ({ now, defaultDays: 0, daysByForm: new Map(), limit: 100 });
      const DELIVERED_AT = later(3600_000);

      async function delivered(): Promise<string> {
        const s = submission();
        await store.submissions.create(s, [job(s.id)]);
        for (const j of await store.deliveries.claimDue({ now: DELIVERED_AT, limit: 100, leaseMs: 1000, owner: 'w' })) {
          await store.deliveries.markDelivered(j.id, DELIVERED_AT);
        }
        return s.id;
      }

      test('the purge deletes the stored receipt with the rest of the data; another submission keeps its receipt', async () => {
        const id = await delivered();
        const kept = submission();
        await store.submissions.create(kept, [job(kept.id)]); // pending: not due
        await store.receipts.putReceiptIfAbsent(id, ALL_BYTES);
        await store.receipts.putReceiptIfAbsent(kept.id, OTHER_BYTES);
        expect(await store.submissions.purgeDue(request(DELIVERED_AT))).toEqual({ purged: 1, removedFiles: [] });
        expect(await store.receipts.findReceipt(id)).toBeUndefined();
        expect((await store.receipts.findReceipt(kept.id))?.pdf.equals(OTHER_BYTES)).toBe(true);
      });

      test('after a purge no receipt is stored again (one rendered from a record read before the purge is refused)', async () => {
        const id = await delivered();
        const before = await store.submissions.find(id);
        expect(before?.purgedAt).toBeUndefined();
        expect(await store.submissions.purgeDue(request(DELIVERED_AT))).toEqual({ purged: 1, removedFiles: [] });
        expect(await store.receipts.putReceiptIfAbsent(id, ALL_BYTES)).toBeUndefined();
        expect(await store.receipts.findReceipt(id)).toBeUndefined();
      });
    });

    test('two stores on one database putting different bytes at once for the same submissions both get the first writer\'s bytes', async () => {
      const other = await f.open();
      others.push(other);
      const ids: string[] = [];
      for (let i = 0; i < 20; i++) {
        const s = submission();
        await store.submissions.create(s, [job(s.id)]);
        ids.push(s.id);
      }
      const mine = (i: number) => Buffer.concat([ALL_BYTES, Buffer.from(`store A ${i}`)]);
      const theirs = (i: number) => Buffer.concat([ALL_BYTES, Buffer.from(`store B ${i}`)]);
      const results = await Promise.all(ids.map(async (id, i) => {
        const [a, b] = await Promise.all([store.receipts.putReceiptIfAbsent(id, mine(i)), other.receipts.putReceiptIfAbsent(id, theirs(i))]);
        return { i, a, b };
      }));
      for (const { i, a, b } of results) {
        expect(a && b && a.pdf.equals(b.pdf) && a.sha256 === b.sha256).toBe(true);
        expect(a!.pdf.equals(mine(i)) || a!.pdf.equals(theirs(i))).toBe(true);
        const [foundA, foundB] = await Promise.all([store.receipts.findReceipt(ids[i]!), other.receipts.findReceipt(ids[i]!)]);
        expect(foundA?.pdf.equals(a!.pdf)).toBe(true);
        expect(foundB?.pdf.equals(a!.pdf)).toBe(true);
      }
    });
  });
}
