import type { Store } from '../../src/storage/ports';
import { later, type StoreFactory } from './store-contract-fixtures';

/** The contract of the operators' ports (operator-ports.ts): the audit trail. */
export function operatorsContract(factory: () => StoreFactory): void {
  describe('operators', () => {
    let f: StoreFactory;
    let store: Store;

    beforeEach(async () => {
      f = factory();
      store = await f.open();
    });
    afterEach(async () => {
      await store.close();
      await f.destroy();
    });

    test('the operator audit trail: newest first, at most limit, by tenant, detail only when given', async () => {
      const entry = (n: number, tenantId: string | null, detail?: string) => ({
        at: later(n * 1000), actor: tenantId === null ? 'admin' : `${tenantId}/it`, tenantId, action: 'delivery.retry', target: `job-${n}`,
        outcome: n % 2 === 0 ? 'ok' as const : 'refused' as const, ...(detail === undefined ? {} : { detail }),
      });
      expect(await store.operatorAudit.list({ limit: 10 })).toEqual([]);
      await store.operatorAudit.record(entry(1, 'land-a', 'DELIVERY_NOT_FOUND'));
      await store.operatorAudit.record(entry(2, 'land-b'));
      await store.operatorAudit.record(entry(3, null, '2 problem(s)'));
      await store.operatorAudit.record(entry(4, 'land-a'));
      // Recorded with the same time as an earlier one: still listed after it (newest recorded first).
      await store.operatorAudit.record({ ...entry(5, 'land-a'), at: later(4000) });
      expect(await store.operatorAudit.list({ limit: 10 })).toEqual([
        { ...entry(5, 'land-a'), at: later(4000) }, entry(4, 'land-a'), entry(3, null, '2 problem(s)'), entry(2, 'land-b'), entry(1, 'land-a', 'DELIVERY_NOT_FOUND'),
      ]);
      expect((await store.operatorAudit.list({ limit: 2 })).map((e) => e.target)).toEqual(['job-5', 'job-4']);
      expect((await store.operatorAudit.list({ tenantId: 'land-a', limit: 10 })).map((e) => e.target)).toEqual(['job-5', 'job-4', 'job-1']);
      expect((await store.operatorAudit.list({ tenantId: 'land-a', limit: 1 })).map((e) => e.target)).toEqual(['job-5']);
      expect(await store.operatorAudit.list({ tenantId: 'land-b', limit: 10 })).toEqual([entry(2, 'land-b')]);
      expect(await store.operatorAudit.list({ tenantId: 'land-c', limit: 10 })).toEqual([]);
      const [withoutDetail] = await store.operatorAudit.list({ tenantId: 'land-b', limit: 1 });
      expect(withoutDetail).not.toHaveProperty('detail');
      // The trail outlives a restart.
      await store.close();
      store = await f.open();
      expect(await store.operatorAudit.list({ limit: 10 })).toHaveLength(5);
    });
  });
}
