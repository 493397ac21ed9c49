import { Worker } from 'node:worker_threads';

/** How often the thread asks SQLite how many WAL frames are not yet copied. */
const EVERY_MS = 100;

/** The WAL frames (pages) from which the thread checkpoints: SQLite's own default (wal_autocheckpoint). */
const CHECKPOINT_FRAMES = 1_000;

/**
 * The pages the main connection lets the WAL grow to before it checkpoints itself, on the event
 * loop: only when the thread below has stopped or fallen far behind (16,384 pages of 4 kB, 64 MB).
 */
export const FALLBACK_AUTOCHECKPOINT_PAGES = 16_384;

/**
 * Checkpoints on a connection of its own. A checkpoint copies the WAL's pages into the database
 * file and waits for the disk twice (the WAL, then the database); SQLite's automatic checkpoint
 * does this inside whichever COMMIT takes the WAL past 1,000 pages, which on the event loop held
 * every request for tens of milliseconds several times a second under load (issue 14). Here the
 * same rule (1,000 frames not yet copied, as `PRAGMA wal_checkpoint(NOOP)` reports them) starts
 * a PASSIVE checkpoint beside the writers: it takes no write lock and never waits for a reader;
 * what it cannot copy yet it copies the next time. With `synchronous = FULL` the thread syncs the
 * WAL before it copies and the database after, as SQLite's own checkpoint does. Plain JavaScript
 * evaluated by worker_threads, like the probe thread (write-probe.ts): it runs the same under
 * tsx, ts-jest and the built dist/. The thread is unref'd: it never keeps the process alive.
 *
 * The WAL-index is asked through SQLite, never read from the -shm file: closing any descriptor of
 * a file drops every POSIX lock the process holds on it, SQLite's own included, and a web process
 * and a worker process sharing the database then corrupted it ("database disk image is
 * malformed", seen when this thread read the -shm file with fs).
 */
const CHECKPOINT_THREAD_SOURCE = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
let db;
function tick() {
  try {
    if (!db) {
      db = new Database(workerData.file, { fileMustExist: true });
      db.pragma('synchronous = FULL');
      // RESTART waits this long for a writer or reader of the moment, then tries again next tick.
      db.pragma('busy_timeout = 5');
    }
    // NOOP checkpoints nothing: it only says how many frames the WAL holds and how many of
    // them a checkpoint has copied.
    const [{ log, checkpointed }] = db.pragma('wal_checkpoint(NOOP)');
    if (log - checkpointed >= workerData.frames) db.pragma('wal_checkpoint(PASSIVE)');
    // The WAL starts over from its beginning only when a write finds every frame copied, which
    // under steady writes (a group every few milliseconds) seldom happens after a PASSIVE one.
    // Once it holds four times the usual frames, and at most half the usual are left to copy,
    // RESTART copies those while it holds writers off (they wait on their busy handler, on the
    // event loop: the copy, two fsyncs, and at most the busy timeout below for a reader), so the
    // next write starts the WAL over. When it cannot, the main connection's fallback bounds it.
    if (log >= 4 * workerData.frames) {
      const [now] = db.pragma('wal_checkpoint(NOOP)');
      if (now.log - now.checkpointed <= workerData.frames / 2) db.pragma('wal_checkpoint(RESTART)');
    }
  } catch (_) {
    // Busy (another process's checkpoint), a full disk, a vanished file: tried again at the next
    // tick, on a new connection; the main connection's fallback checkpoint bounds the WAL
    // meanwhile, and the store's own writes report the disk's faults.
    if (db) { try { db.close(); } catch (_) { /* reopened next time */ } db = undefined; }
  }
}
const timer = setInterval(tick, workerData.everyMs);
parentPort.once('message', () => {
  clearInterval(timer);
  if (db) db.close();
  process.exit(0);
});
`;

export interface CheckpointThread {
  /** Ends the thread and its connection (before the store's own connection closes). */
  close(): Promise<void>;
}

/** How long close() waits for a checkpoint under way before it ends the thread regardless. */
const CLOSE_GRACE_MS = 2_000;

export function checkpointThread(file: string): CheckpointThread {
  const thread = new Worker(CHECKPOINT_THREAD_SOURCE, {
    eval: true,
    workerData: { driver: require.resolve('better-sqlite3'), file, everyMs: EVERY_MS, frames: CHECKPOINT_FRAMES },
  });
  thread.unref();
  let ended = false;
  const exited = new Promise<void>((resolve) => thread.once('exit', () => {
    ended = true;
    resolve();
  }));
  // A thread that dies (it should not) leaves the fallback checkpoint of the main connection.
  thread.on('error', () => undefined);
  return {
    async close() {
      if (ended) return;
      thread.postMessage('close');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise<void>((resolve) => {
        timer = setTimeout(resolve, CLOSE_GRACE_MS);
      })]);
      clearTimeout(timer);
      if (!ended) await thread.terminate();
      await exited;
    },
  };
}
