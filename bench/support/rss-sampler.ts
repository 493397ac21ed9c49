import { readFileSync } from 'node:fs';

/**
 * The resident memory of processes the bench started, read every `intervalMs` from
 * /proc/<pid>/status (VmRSS) for as long as it runs: the largest value per process is what the
 * issue's "RSS of each process ≤ 200 MB throughout the load" is checked against. Without /proc
 * (not Linux) there are no samples and every maximum is undefined.
 */
export interface RssSampler {
  /** Starts sampling another process (e.g. a worker started after the web server). */
  add(name: string, pid: number): void;
  /** The largest RSS seen so far of the process, in MB (2^20 bytes); undefined: no sample. */
  maxMb(name: string): number | undefined;
  stop(): void;
}

/** VmRSS of a process in MB; undefined when it is gone or there is no /proc. */
export function rssMbOf(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+([0-9]+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

export function startRssSampler(intervalMs = 250): RssSampler {
  const pids = new Map<string, number>();
  const max = new Map<string, number>();
  const sample = (): void => {
    for (const [name, pid] of pids) {
      const mb = rssMbOf(pid);
      if (mb !== undefined && mb > (max.get(name) ?? 0)) max.set(name, mb);
    }
  };
  const timer = setInterval(sample, intervalMs);
  return {
    add(name, pid) {
      pids.set(name, pid);
      sample();
    },
    maxMb: (name) => max.get(name),
    stop() {
      sample();
      clearInterval(timer);
    },
  };
}
