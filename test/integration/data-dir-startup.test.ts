import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { openSqliteStore } from '../../src/storage/sqlite/sqlite-store';
import { mountSmallFileSystem } from '../support/small-filesystem';
import { killSpawnedProcesses, spawnEntryPoint, type EntryPoint } from '../support/spawn-server';
import { tempDir } from '../support/temp-dir';

/**
 * A DATA_DIR efa-forms cannot write stops the real entry points with exit code 1 and exactly one
 * line on stderr that says why (no stack trace). Read-only and full file systems are real small
 * tmpfs mounts; root ignores permission bits, so only such real faults show the checks work.
 */
describe('DATA_DIR at start-up', () => {
  let dir: ReturnType<typeof tempDir>;
  const cleanups: Array<() => void> = [];

  beforeEach(() => {
    dir = tempDir('efa-data-dir-');
  });
  afterEach(async () => {
    await killSpawnedProcesses();
    for (const cleanup of cleanups.splice(0).reverse()) cleanup();
    dir.remove();
  });

  async function startFails(dataDir: string, entry: EntryPoint = 'src/main.ts'): Promise<string[]> {
    const { code, stderr } = await spawnEntryPoint(entry, { PORT: '0', DATA_DIR: dataDir }).exited;
    expect(code).toBe(1);
    return stderr.trim().split('\n');
  }

  test('a path under a regular file does not exist and cannot be created', async () => {
    writeFileSync(path.join(dir.path, 'plain-file'), 'x');
    const dataDir = path.join(dir.path, 'plain-file', 'data');
    expect(await startFails(dataDir)).toEqual([`efa-forms: cannot start: DATA_DIR ${dataDir}: does not exist and cannot be created (ENOTDIR)`]);
  });

  test('a regular file is not a directory', async () => {
    const dataDir = path.join(dir.path, 'plain-file');
    writeFileSync(dataDir, 'x');
    expect(await startFails(dataDir)).toEqual([`efa-forms: cannot start: DATA_DIR ${dataDir}: is not a directory`]);
  });

  test('a read-only file system says so, for the web server and for the worker', async () => {
    const readOnly = mountSmallFileSystem(path.join(dir.path, 'ro'), 1024 * 1024, { readOnly: true });
    cleanups.push(() => readOnly.remove());
    const line = `efa-forms: cannot start: DATA_DIR ${readOnly.path}: read-only file system (EROFS): efa-forms needs to write its database there`;
    expect(await startFails(readOnly.path)).toEqual([line]);
    expect(await startFails(readOnly.path, 'src/worker-main.ts')).toEqual([line]);
    const below = path.join(readOnly.path, 'data');
    expect(await startFails(below)).toEqual([`efa-forms: cannot start: DATA_DIR ${below}: does not exist and cannot be created (EROFS)`]);
  });

  test('a full file system says so', async () => {
    const full = mountSmallFileSystem(path.join(dir.path, 'full'), 256 * 1024);
    cleanups.push(() => full.remove());
    full.fill();
    expect(await startFails(full.path)).toEqual([`efa-forms: cannot start: DATA_DIR ${full.path}: no space left (ENOSPC): efa-forms needs to write its database there`]);
  });

  test('a database file that cannot be written is named, though the folder can be', async () => {
    // An immutable file (chattr +i, which root cannot write either): SQLite opens it read-only.
    const disk = mountSmallFileSystem(path.join(dir.path, 'data'), 4 * 1024 * 1024);
    cleanups.push(() => disk.remove());
    await openSqliteStore(disk.path).close();
    const file = path.join(disk.path, 'efa-forms.sqlite');
    execFileSync('chattr', ['+i', file]);
    cleanups.push(() => execFileSync('chattr', ['-i', file]));
    expect(await startFails(disk.path)).toEqual([
      `efa-forms: cannot start: DATA_DIR ${disk.path}: the database efa-forms.sqlite cannot be written (read-only, SQLITE_READONLY): efa-forms needs to write its database there`,
    ]);
  });

  test('a missing DATA_DIR that can be created is created', async () => {
    const dataDir = path.join(dir.path, 'new', 'data');
    mkdirSync(path.dirname(dataDir));
    const server = spawnEntryPoint('src/main.ts', { PORT: '0', DATA_DIR: dataDir });
    await server.waitForLog('server.listening');
    server.kill('SIGTERM');
    const { code, stderr } = await server.exited;
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  });
});
