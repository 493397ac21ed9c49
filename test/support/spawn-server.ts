import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { NO_RATE_LIMITS, REPO } from './test-setup';

/** One JSON log line of a spawned process (see src/support/logger.ts). */
export interface LogLine {
  readonly time: string;
  readonly level: string;
  readonly event: string;
  readonly [field: string]: unknown;
}

export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface SpawnedProcess {
  readonly pid: number | undefined;
  stdout(): string;
  stderr(): string;
  /** The complete JSON lines written to stdout so far (a line still being written is left out). */
  logLines(): LogLine[];
  /**
   * Resolves with the first log line of this event (and, if given, matching `where`); rejects if
   * the process ends first or time runs out (default 20 s), showing the last log lines.
   */
  waitForLog(event: string, options?: { readonly where?: (line: LogLine) => boolean; readonly timeoutMs?: number }): Promise<LogLine>;
  kill(signal: NodeJS.Signals): void;
  /** Resolves when the process has ended. */
  readonly exited: Promise<ProcessExit>;
  hasExited(): boolean;
}

export type EntryPoint = 'src/main.ts' | 'src/worker-main.ts';

export interface SpawnOptions {
  /**
   * The outDir of a `tsc -p tsconfig.build.json` build: the entry point's compiled file in it
   * (`<builtDir>/src/main.js`) runs with plain node, as `npm start` and `npm run worker` run it,
   * instead of the TypeScript source through tsx. The working directory stays the repository.
   */
  readonly builtDir?: string;
}

const live = new Set<ChildProcess>();

/** The node arguments that run `entry`: its source through tsx, or its compiled file in `builtDir`. */
function entryArguments(entry: EntryPoint, builtDir: string | undefined): string[] {
  if (builtDir === undefined) return ['--import', 'tsx', entry];
  return [path.join(builtDir, entry.replace(/\.ts$/, '.js'))];
}

/**
 * Runs a real entry point as its own process, through tsx as a developer would (or, with
 * `builtDir`, its compiled JavaScript), in the repository (so the default FORMS_DIR and
 * TEMPLATES_DIR are the samples). The environment holds only PATH, NODE_ENV=test and `env`:
 * nothing leaks in from the shell running the tests.
 */
export function spawnEntryPoint(entry: EntryPoint, env: Record<string, string>, options: SpawnOptions = {}): SpawnedProcess {
  const child = spawn(process.execPath, entryArguments(entry, options.builtDir), {
    cwd: REPO,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', ...NO_RATE_LIMITS, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let stdout = '';
  let stderr = '';
  let ended = false;
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  // 'close' (not 'exit') so that everything the process wrote has been read.
  const exited = new Promise<ProcessExit>((resolve) =>
    child.on('close', (code, signal) => {
      ended = true;
      live.delete(child);
      resolve({ code, signal, stdout, stderr });
    }),
  );

  const logLines = (): LogLine[] =>
    stdout
      .split('\n')
      .slice(0, -1)
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as LogLine);

  // What a failure message shows: the last log lines (event names and ids only) and stderr.
  const tail = (): string => [...stdout.split('\n').slice(-12), stderr].join('\n');

  return {
    pid: child.pid,
    stdout: () => stdout,
    stderr: () => stderr,
    logLines,
    async waitForLog(event, { where = () => true, timeoutMs = 20_000 } = {}) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const line = logLines().find((l) => l.event === event && where(l));
        if (line) return line;
        if (ended) throw new Error(`${entry} ended before logging ${event}:\n${tail()}`);
        if (Date.now() > deadline) throw new Error(`${entry} did not log ${event} within ${timeoutMs} ms:\n${tail()}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    kill: (signal) => {
      child.kill(signal);
    },
    exited,
    hasExited: () => ended,
  };
}

/** Starts the web server on a free port and resolves once it listens. */
export async function startServerProcess(env: Record<string, string>, options: SpawnOptions = {}): Promise<SpawnedProcess & { readonly url: string }> {
  const server = spawnEntryPoint('src/main.ts', { PORT: '0', ...env }, options);
  try {
    const listening = await server.waitForLog('server.listening');
    return Object.assign(server, { url: `http://127.0.0.1:${String(listening.port)}` });
  } catch (err) {
    server.kill('SIGKILL');
    throw err;
  }
}

/** Starts the standalone delivery worker and resolves once it runs. */
export async function startWorkerProcess(env: Record<string, string>, options: SpawnOptions = {}): Promise<SpawnedProcess> {
  const worker = spawnEntryPoint('src/worker-main.ts', env, options);
  try {
    await worker.waitForLog('worker.started');
    return worker;
  } catch (err) {
    worker.kill('SIGKILL');
    throw err;
  }
}

/** For afterEach: kills every process spawned here that is still running, so none outlives its test. */
export async function killSpawnedProcesses(): Promise<void> {
  const running = [...live];
  await Promise.all(
    running.map(
      (child) =>
        new Promise<void>((resolve) => {
          child.once('close', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}
