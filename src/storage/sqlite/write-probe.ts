import { Worker } from 'node:worker_threads';
import { toStorageError } from './storage-errors';

/** Rewrites the one row of migration 6's table; the start-up check runs it too. */
export const WRITE_PROBE_SQL =
  'INSERT INTO write_probe (id, probed_at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET probed_at = excluded.probed_at';

/**
 * The probe thread: its own connection to the database file, one IMMEDIATE transaction per
 * message, with `synchronous = FULL` like the store, so the probe waits for the disk exactly as
 * a submission would. Plain JavaScript evaluated by worker_threads: the thread then needs no
 * compiled file of its own, and runs the same under tsx, ts-jest and the built dist/.
 */
const PROBE_THREAD_SOURCE = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
let write;
function open() {
  const db = new Database(workerData.file, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = ' + Number(workerData.busyTimeoutMs));
    db.pragma('synchronous = FULL');
    const statement = db.prepare(workerData.sql);
    const run = db.transaction((at) => statement.run(at));
    return (at) => {
      try {
        run.immediate(at);
      } catch (err) {
        // As in the store (settle.ts): a transaction whose ROLLBACK failed must not outlive the call.
        if (db.inTransaction) { try { db.exec('ROLLBACK'); } catch (_) { /* the first error is reported */ } }
        throw err;
      }
    };
  } catch (err) {
    db.close();
    throw err;
  }
}
parentPort.on('message', (at) => {
  try {
    // Opened on the first probe and again after a failed open (the file could not be opened).
    if (!write) write = open();
    write(at);
    parentPort.postMessage({ ok: true });
  } catch (err) {
    parentPort.postMessage({ ok: false, code: err && typeof err.code === 'string' ? err.code : '', name: err && err.name ? String(err.name) : 'Error' });
  }
});
`;

type ProbeOutcome = { readonly ok: true } | { readonly ok: false; readonly code: string; readonly name: string };

export interface WriteProbe {
  /** Resolves when the probe row was committed; rejects with the store's error otherwise. */
  probe(at: Date): Promise<void>;
  /** Ends the thread (and its connection). */
  close(): Promise<void>;
}

/**
 * Store.probeWritable for SQLite, on a thread of its own. better-sqlite3 is synchronous: on the
 * main thread a hanging disk (a stuck fsync, an unreachable network volume) would block the event
 * loop, and with it the /readyz answer that should report exactly that. At most one probe runs at
 * a time; callers while it runs share its outcome, so a hanging probe never piles up threads or
 * messages. The thread is unref'd: it never keeps the process alive.
 */
export function writeProbeThread(file: string, busyTimeoutMs: number): WriteProbe {
  let thread: Worker | undefined;
  let running: { readonly promise: Promise<void>; readonly finish: (outcome: ProbeOutcome | Error) => void } | undefined;
  let closed = false;

  const finish = (outcome: ProbeOutcome | Error): void => {
    const current = running;
    running = undefined;
    current?.finish(outcome);
  };

  function startThread(): Worker {
    const started = new Worker(PROBE_THREAD_SOURCE, {
      eval: true,
      workerData: { driver: require.resolve('better-sqlite3'), file, busyTimeoutMs, sql: WRITE_PROBE_SQL },
    });
    started.unref();
    started.on('message', (outcome: ProbeOutcome) => finish(outcome));
    // A thread that dies (it should not) fails the probe running now; the next one starts anew.
    started.on('error', (err) => {
      if (thread === started) thread = undefined;
      finish(err);
    });
    started.on('exit', () => {
      if (thread === started) thread = undefined;
      finish(new Error('the write probe thread ended'));
    });
    return started;
  }

  return {
    probe(at) {
      if (closed) return Promise.reject(new Error('the store is closed'));
      if (running) return running.promise;
      let finishProbe: (outcome: ProbeOutcome | Error) => void = () => undefined;
      const promise = new Promise<void>((resolve, reject) => {
        finishProbe = (outcome) => {
          if (outcome instanceof Error) reject(outcome);
          else if (outcome.ok) resolve();
          else {
            const failure = Object.assign(new Error(`write probe failed: ${outcome.code || outcome.name}`), { code: outcome.code });
            const translated = toStorageError(failure);
            reject(translated instanceof Error ? translated : failure);
          }
        };
      });
      running = { promise, finish: finishProbe };
      thread ??= startThread();
      thread.postMessage(at.getTime());
      return promise;
    },
    async close() {
      closed = true;
      const ending = thread;
      thread = undefined;
      if (ending) await ending.terminate();
      finish(new Error('the store is closed'));
    },
  };
}
