import type { Store } from '../../src/storage/ports';
import { later, T0, type StoreFactory } from './store-contract-fixtures';

/** The contract of the configuration generation (configuration-ports.ts): live reload across processes. */
export function configurationContract(factory: () => StoreFactory): void {
  describe('configuration generation', () => {
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

    test('none before the first reload; each bump counts one more, with its time; it outlives a restart', async () => {
      expect(await store.configuration.current()).toBeUndefined();
      expect(await store.configuration.bump(T0)).toBe(1);
      expect(await store.configuration.current()).toEqual({ generation: 1, at: T0 });
      expect(await store.configuration.bump(later(5000))).toBe(2);
      expect(await store.configuration.current()).toEqual({ generation: 2, at: later(5000) });
      await store.close();
      store = await f.open();
      expect(await store.configuration.current()).toEqual({ generation: 2, at: later(5000) });
    });

    test('two stores on the same data see each other\'s bumps, and bumps at once never share a generation', async () => {
      const other = await f.open();
      try {
        expect(await other.configuration.bump(T0)).toBe(1);
        expect(await store.configuration.current()).toEqual({ generation: 1, at: T0 });
        const generations = await Promise.all([
          store.configuration.bump(later(1)), other.configuration.bump(later(2)), store.configuration.bump(later(3)), other.configuration.bump(later(4)),
        ]);
        expect([...generations].sort()).toEqual([2, 3, 4, 5]);
        expect((await other.configuration.current())?.generation).toBe(5);
      } finally {
        await other.close();
      }
    });
  });
}
