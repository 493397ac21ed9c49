import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port';

const run = promisify(execFile);

/** Where Debian's `postgresql` package puts the server binaries: /usr/lib/postgresql/<version>/bin. */
const DEBIAN_POSTGRES = '/usr/lib/postgresql';

/** The bin folder of the newest installed server version that has initdb and pg_ctl, if any. */
export function postgresServerBin(): string | undefined {
  if (!existsSync(DEBIAN_POSTGRES)) return undefined;
  const versions = readdirSync(DEBIAN_POSTGRES)
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  for (const version of versions) {
    const bin = path.join(DEBIAN_POSTGRES, version, 'bin');
    if (existsSync(path.join(bin, 'initdb')) && existsSync(path.join(bin, 'pg_ctl'))) return bin;
  }
  return undefined;
}

/**
 * Fails with the reason when a private server cannot be started here: without Debian's
 * `postgresql` (a machine with only a client) the tests that need it fail, never skip (no
 * skipped tests, as with the shared test data); `.ci/run` installs the package.
 */
export function requireOwnPostgres(): void {
  if (postgresServerBin() === undefined) {
    throw new Error(`initdb and pg_ctl are missing (no ${DEBIAN_POSTGRES}/<version>/bin): install Debian's postgresql package (.ci/run does) to run the tests that start their own PostgreSQL`);
  }
}

/** A PostgreSQL server of the test's own, in a temp folder, on a port of its own. */
export interface OwnPostgres {
  readonly port: number;
  /** postgres://postgres@127.0.0.1:<port>/postgres (trust: no password). */
  readonly url: string;
  /** Kills the server as a crash would (`pg_ctl stop -m immediate`): connections break, nothing is shut down cleanly. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data (crash recovery first); resolves once it accepts connections. */
  start(): Promise<void>;
  /** Stops it if it runs and deletes the folder; safe to call twice. */
  remove(): Promise<void>;
}

/**
 * initdb and pg_ctl refuse to run as root; CI runs as root, so there they run as the `postgres`
 * OS user (which Debian's package creates) and the folder belongs to it.
 */
function asServerUser(): { readonly uid: number; readonly gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('postgres:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined) throw new Error('running as root, but there is no postgres OS user to run initdb and pg_ctl as');
  return { uid: Number(uid), gid: Number(gid) };
}

/**
 * initdb into a fresh temp folder (trust for local and 127.0.0.1, listening on 127.0.0.1 only,
 * its socket inside the folder, fsync off) and pg_ctl start on a free port. Never the shared
 * server on 5432: stopping that would break every other test on the machine.
 */
export async function startOwnPostgres(): Promise<OwnPostgres> {
  const bin = postgresServerBin();
  if (!bin) throw new Error(`no PostgreSQL server binaries in ${DEBIAN_POSTGRES}/<version>/bin`);
  const owner = asServerUser();
  const folder = mkdtempSync(path.join(os.tmpdir(), 'efa-own-pg-'));
  const data = path.join(folder, 'data');
  const logFile = path.join(folder, 'server.log');
  if (owner) chownSync(folder, owner.uid, owner.gid);
  const tool = async (name: string, args: readonly string[]): Promise<void> => {
    const [command, all] = owner ? ['runuser', ['-u', 'postgres', '--', path.join(bin, name), ...args]] : [path.join(bin, name), [...args]];
    try {
      await run(command, all, { timeout: 60_000 });
    } catch (err) {
      const { stderr, stdout } = err as { stderr?: string; stdout?: string };
      throw new Error(`${name} ${args[0] ?? ''} failed: ${(stderr || stdout || String(err)).trim()}`);
    }
  };

  await tool('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
  const port = await freePort();
  // Settings in the data folder (not on the command line), so start() after stop() uses the same.
  const conf = [
    `port = ${port}`,
    `listen_addresses = '127.0.0.1'`,
    `unix_socket_directories = '${folder}'`,
    // fsync off only: a crash of the server (not of the machine) loses nothing committed. No
    // synchronous_commit = off: that could lose acknowledged commits, which the tests look for.
    'fsync = off',
    'max_connections = 50',
    'shared_buffers = 16MB',
  ];
  const confFile = path.join(data, 'postgresql.auto.conf');
  writeFileSync(confFile, `${conf.join('\n')}\n`);
  if (owner) chownSync(confFile, owner.uid, owner.gid);

  let running = false;
  let removed: Promise<void> | undefined;
  const server: OwnPostgres = {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async start() {
      // -w: returns once the server accepts connections (after crash recovery).
      await tool('pg_ctl', ['start', '-D', data, '-l', logFile, '-w', '-t', '60']);
      running = true;
    },
    async stop() {
      await tool('pg_ctl', ['stop', '-D', data, '-m', 'immediate', '-w', '-t', '60']);
      running = false;
    },
    remove() {
      removed ??= (async () => {
        try {
          if (running) await server.stop();
        } finally {
          // Even when stopping failed (a test that died half-way): no folder is left behind.
          rmSync(folder, { recursive: true, force: true });
        }
      })();
      return removed;
    },
  };
  try {
    await server.start();
  } catch (err) {
    rmSync(folder, { recursive: true, force: true });
    throw err;
  }
  return server;
}
