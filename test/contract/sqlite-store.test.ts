import { randomUUID } from 'node:crypto';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { openSqliteStore } from '../../src/storage/sqlite/sqlite-store';
import { tempDir } from '../support/temp-dir';
import { storeContract } from './store-contract';

storeContract('SQLite (a real file in a temp folder)', () => {
  const dir = tempDir('efa-sqlite-');
  return {
    open: () => Promise.resolve(openSqliteStore(dir.path)),
    destroy: () => Promise.resolve(dir.remove()),
    cutOffWrite(at) {
      // A write in progress is `<id>.part` beside the whole files (sqlite-attachment-files.ts).
      const folder = path.join(dir.path, 'attachments');
      mkdirSync(folder, { recursive: true });
      const part = path.join(folder, `${randomUUID()}.part`);
      writeFileSync(part, '%PDF-1.7\ncut off');
      utimesSync(part, at, at);
      return Promise.resolve();
    },
  };
});
