import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './free-port';

/** Debian's clamav-daemon (installed by .ci/run). */
export const CLAMD = '/usr/sbin/clamd';

/**
 * Fails with the reason when clamd is missing: the tests that need it fail, never skip (as with
 * PostgreSQL and Chromium); `.ci/run` installs Debian's clamav-daemon.
 */
export function requireClamd(): void {
  if (!existsSync(CLAMD)) throw new Error(`${CLAMD} is missing: install Debian's clamav-daemon (.ci/run does) to run the virus scanning tests`);
}

/** A clamd of the test's own on a free port of 127.0.0.1, with a database folder of its own. */
export interface OwnClamd {
  /** tcp://127.0.0.1:<port> */
  readonly url: string;
  stop(): Promise<void>;
}

function pong(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    socket.setTimeout(1000, () => socket.destroy());
    socket.on('data', (chunk: Buffer) => (reply += chunk.toString('latin1')));
    socket.on('close', () => resolve(reply.startsWith('PONG')));
    socket.on('error', () => undefined);
    socket.once('connect', () => socket.end('zPING\0'));
  });
}

/**
 * Starts clamd with no virus database of the world (none can be downloaded here) but one hash
 * signature file (`<md5>:<size>:<name>` lines, clamd's .hdb format) naming each of `malware`:
 * a file with exactly those bytes is reported as `<name>.UNOFFICIAL FOUND`, as real malware would
 * be. `streamMaxBytes` is clamd's StreamMaxLength.
 */
export async function startClamd(options: { readonly malware: ReadonlyArray<{ readonly name: string; readonly bytes: Buffer }>; readonly streamMaxBytes?: number }): Promise<OwnClamd> {
  requireClamd();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'efa-clamd-'));
  const db = path.join(dir, 'db');
  mkdirSync(db);
  // clamd refuses an empty signature file: with no malware asked for, one that matches nothing real.
  const signatures = options.malware.length > 0 ? options.malware : [{ name: 'Efa.Test.Nothing', bytes: Buffer.from(`efa-forms ${Date.now()} no file has these bytes`) }];
  writeFileSync(path.join(db, 'efa-test.hdb'), signatures.map((m) => `${createHash('md5').update(m.bytes).digest('hex')}:${m.bytes.length}:${m.name}\n`).join(''));
  const port = await freePort();
  const config = path.join(dir, 'clamd.conf');
  writeFileSync(config, [
    `DatabaseDirectory ${db}`, `TCPSocket ${port}`, 'TCPAddr 127.0.0.1', 'Foreground yes', `PidFile ${path.join(dir, 'clamd.pid')}`,
    `StreamMaxLength ${options.streamMaxBytes ?? 25 * 1024 * 1024}`, 'LogTime no', `LogFile ${path.join(dir, 'clamd.log')}`,
  ].join('\n') + '\n');
  const child: ChildProcess = spawn(CLAMD, ['-c', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let ended = false;
  void exited.then(() => (ended = true));
  const deadline = Date.now() + 60_000;
  while (!(await pong(port))) {
    if (ended || Date.now() > deadline) {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`clamd did not start on port ${port}: ${stderr.trim() || 'no output'}`);
    }
    await new Promise<void>((resolve) => setTimeout(resolve, 100));
  }
  return {
    url: `tcp://127.0.0.1:${port}`,
    async stop() {
      if (!ended) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
