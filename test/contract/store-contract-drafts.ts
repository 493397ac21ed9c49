import type { Draft, Store } from '../../src/storage/ports';
import { later, T0, type StoreFactory } from './store-contract-fixtures';

/** The contract of `DraftRepository`: citizens' unfinished applications and their expiry. */
export function draftsContract(factory: () => StoreFactory): void {
  describe('drafts', () => {
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

    const draft = (key: string, overrides: Partial<Draft> = {}): Draft => ({
      key, formId: 'hundesteuer-anmeldung', formVersion: '1.0.0', dataJson: '{"name":"Ørsted"}', csrfToken: `csrf-${key}`,
      resumeTokenHash: null, createdAt: T0, updatedAt: T0, expiresAt: later(1000), ...overrides,
    });

    test('drafts are created, found, updated and deleted', async () => {
      await store.drafts.create(draft('k1'));
      expect(await store.drafts.find('k1', T0)).toEqual(draft('k1'));
      expect(await store.drafts.find('k2', T0)).toBeUndefined();
      await store.drafts.update('k1', { dataJson: '{"name":"Ελένη"}', updatedAt: later(10), expiresAt: later(5000) });
      expect(await store.drafts.find('k1', later(20))).toEqual(draft('k1', { dataJson: '{"name":"Ελένη"}', updatedAt: later(10), expiresAt: later(5000) }));
      await store.drafts.update('k1', { resumeTokenHash: 'r1', updatedAt: later(30), expiresAt: later(5000) });
      expect((await store.drafts.find('k1', later(40)))?.dataJson).toBe('{"name":"Ελένη"}');
      expect((await store.drafts.findByResumeToken('r1', later(40)))?.key).toBe('k1');
      expect(await store.drafts.findByResumeToken('r2', later(40))).toBeUndefined();
      expect(await store.drafts.rekey('k1', 'k1-new')).toBe(true);
      expect(await store.drafts.find('k1', later(40))).toBeUndefined();
      expect((await store.drafts.find('k1-new', later(40)))?.dataJson).toBe('{"name":"Ελένη"}');
      expect(await store.drafts.rekey('k1', 'k1-other')).toBe(false);
      await store.drafts.delete('k1-new');
      expect(await store.drafts.find('k1-new', later(40))).toBeUndefined();
    });

    test('expired drafts are invisible at once and deleted by deleteExpired', async () => {
      await store.drafts.create(draft('old', { expiresAt: later(100), resumeTokenHash: 'r-old' }));
      await store.drafts.create(draft('new', { expiresAt: later(10_000) }));
      expect(await store.drafts.find('old', later(100))).toBeUndefined();
      expect(await store.drafts.findByResumeToken('r-old', later(100))).toBeUndefined();
      expect(await store.drafts.deleteExpired(later(100))).toBe(1);
      expect(await store.drafts.deleteExpired(later(100))).toBe(0);
      expect(await store.drafts.find('new', later(100))).toBeDefined();
    });
  });
}
