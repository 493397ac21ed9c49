import { closeSync, fsync, fsyncSync, openSync } from 'node:fs';

/**
 * The fsync the group commit (group-commit.ts) waits for: what SQLite's COMMIT does itself with
 * `synchronous = FULL` in WAL mode, an fsync of the WAL file, here in libuv's thread pool so the
 * event loop goes on serving requests meanwhile. fsync acts on the file, not on the descriptor,
 * so a descriptor of our own covers the frames SQLite wrote through its own.
 *
 * The descriptor is opened at the first sync (the store has written by then, so the WAL exists)
 * and kept: SQLite removes the WAL only when the last connection to the database closes, and the
 * store's own connection stays open until close(), which ends this first. SQLite holds no
 * POSIX locks on the WAL file (they are on the database and -shm files), so this descriptor's
 * close drops none of them (see checkpoint-thread.ts). The callback API:
 * the promise API's FileHandle cost several times as much on the event loop (profile, issue 14).
 */
export interface WalSync {
  readonly sync: () => Promise<void>;
  readonly syncNow: () => void;
  /** Closes the descriptor (before the store closes its connection). */
  readonly close: () => void;
}

export function walSync(databaseFile: string): WalSync {
  let fd: number | undefined;
  const descriptor = (): number => (fd ??= openSync(`${databaseFile}-wal`, 'r'));
  return {
    sync: () => new Promise<void>((resolve, reject) => {
      let target: number;
      try {
        target = descriptor();
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      fsync(target, (err) => (err ? reject(err) : resolve()));
    }),
    syncNow() {
      fsyncSync(descriptor());
    },
    close() {
      if (fd === undefined) return;
      const open = fd;
      fd = undefined;
      closeSync(open);
    },
  };
}
