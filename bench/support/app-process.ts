import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * A real efa-forms process (web server or worker) started by a bench from the built JavaScript.
 * It is ready when it logs its start event (`server.listening` with the port it got for PORT=0,
 * or `worker.started`). Its stdout is read to the end, so the pipe never fills and blocks it;
 * warnings and errors are counted by event name for the bench's report.
 */
export interface AppProcess {
  readonly name: string;
  readonly pid: number;
  /** The port a web server listens on (undefined for a worker). */
  readonly port: number | undefined;
  /** warn/error log events seen so far, by event name. */
  readonly problems: ReadonlyMap<string, number>;
  /** Whether it ended (by itself or after stop()). */
  exited(): boolean;
  /** SIGTERM, then SIGKILL if it has not ended after `graceMs`; resolves once it has ended. */
  stop(graceMs?: number): Promise<void>;
}

/** Every process any bench started and has not seen end: killed if the bench itself dies. */
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export function startAppProcess(options: {
  readonly name: string;
  readonly script: string;
  readonly env: Readonly<Record<string, string>>;
  readonly readyEvent: 'server.listening' | 'worker.started';
  readonly deadlineMs: number;
  /** Node options before the script, e.g. --cpu-prof for a profile written when it ends. */
  readonly nodeArgs?: readonly string[];
}): Promise<AppProcess> {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.script], { env: { ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  const problems = new Map<string, number>();
  const stderrTail: string[] = [];
  let ended = false;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      ended = true;
      running.delete(child);
      resolve();
    });
  });
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    stderrTail.push(text);
    if (stderrTail.length > 20) stderrTail.shift();
  });

  const process_: Omit<AppProcess, 'port'> = {
    name: options.name,
    pid: child.pid ?? -1,
    problems,
    exited: () => ended,
    async stop(graceMs = 15_000) {
      if (ended) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exit;
      clearTimeout(timer);
    },
  };

  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (reason: string) => {
      if (settled) return;
      settled = true;
      child.kill('SIGKILL');
      reject(new Error(`${options.name}: ${reason}${stderrTail.length > 0 ? `\n${stderrTail.join('')}` : ''}`));
    };
    const timer = setTimeout(() => fail(`no ${options.readyEvent} within ${options.deadlineMs} ms`), options.deadlineMs);
    void exit.then(() => {
      clearTimeout(timer);
      fail('ended before it was ready');
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      let entry: { level?: string; event?: string; port?: number };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        return;
      }
      if ((entry.level === 'warn' || entry.level === 'error') && entry.event) problems.set(entry.event, (problems.get(entry.event) ?? 0) + 1);
      if (entry.event === options.readyEvent && !settled) {
        settled = true;
        clearTimeout(timer);
        resolve({ ...process_, port: entry.port });
      }
    });
  });
}
