import { openSqliteStore } from '../../src/storage/sqlite/sqlite-store';
import { tempDir } from '../support/temp-dir';
import { storeContract } from './store-contract';

storeContract('SQLite (a real file in a temp folder)', () => {
  const dir = tempDir('efa-sqlite-');
  return {
    open: () => Promise.resolve(openSqliteStore(dir.path)),
    destroy: () => Promise.resolve(dir.remove()),
  };
});
