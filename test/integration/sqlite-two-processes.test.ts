import { spawn } from 'node:child_process';
import path from 'node:path';
import Database from 'better-sqlite3';
import { DATABASE_FILE, openSqliteStore } from '../../src/storage/sqlite/sqlite-store';
import { tempDir } from '../support/temp-dir';

/**
 * Two processes on one SQLite file, as a web process and a separate worker process share it
 * (`DELIVERY_WORKER=off` + `npm run worker`): both write at once through their group commits,
 * each with its own checkpoint thread, until the WAL has been checkpointed and restarted many
 * times. The database must stay intact and hold every write. (A checkpoint thread that opened
 * and closed the -shm file itself dropped SQLite's POSIX locks and corrupted the database under
 * this load: "database disk image is malformed".)
 */
function runWriter(dataDir: string, count: number, owner: string): Promise<{ created: number; delivered: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', 'support', 'sqlite-writer.child.ts'), dataDir, String(count), owner], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (out += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (err += text));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve(JSON.parse(out) as { created: number; delivered: number });
      else reject(new Error(`writer ${owner} ended with ${code}: ${err.trim()}`));
    });
  });
}

test('two processes writing one SQLite file at once: every write is there and the database is intact', async () => {
  const dir = tempDir('efa-sqlite-two-processes-');
  try {
    // Created (and migrated) once first, so the two writers do not race for the migrations.
    await openSqliteStore(dir.path).close();
    const results = await Promise.all([runWriter(dir.path, 1500, 'process-a'), runWriter(dir.path, 1500, 'process-b')]);
    expect(results.map((r) => r.created)).toEqual([1500, 1500]);
    const db = new Database(path.join(dir.path, DATABASE_FILE), { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
      expect(count('SELECT COUNT(*) AS n FROM submissions')).toBe(3000);
      expect(count('SELECT COUNT(*) AS n FROM delivery_jobs')).toBe(3000);
      // Each claimed job was marked once, by the process that claimed it.
      expect(count("SELECT COUNT(*) AS n FROM delivery_jobs WHERE state = 'delivered'")).toBe(results[0].delivered + results[1].delivered);
    } finally {
      db.close();
    }
  } finally {
    dir.remove();
  }
}, 120_000);
