import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time of processes as Linux accounts it (/proc/<pid>/stat: user + system, in clock ticks of
 * 1/100 s, the kernel's USER_HZ on every Linux architecture Node runs on). The scale bench takes
 * one reading before and one after the load to say where the machine's two cores went. Without
 * /proc (not Linux) every reading is undefined and the bench prints no CPU line.
 */
const TICKS_PER_SECOND = 100;

/** CPU seconds a process has used so far; undefined when it is gone or there is no /proc. */
export function cpuSecondsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count from after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat, i.e. 11 and 12 after the name and state.
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds of every process named `postgres` on this machine, per pid. The shared server
 * also serves other users of the machine (tests running at the same time count too), which the
 * bench says next to the figure.
 */
export function postgresCpuSeconds(): Map<number, number> | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return undefined;
  }
  const usage = new Map<number, number>();
  for (const entry of entries) {
    if (!/^[0-9]+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== 'postgres') continue;
    } catch {
      continue;
    }
    const seconds = cpuSecondsOf(Number(entry));
    if (seconds !== undefined) usage.set(Number(entry), seconds);
  }
  return usage;
}

/** CPU seconds the postgres processes used between two readings (new backends count from 0). */
export function postgresCpuBetween(before: Map<number, number> | undefined, after: Map<number, number> | undefined): number | undefined {
  if (!before || !after) return undefined;
  let total = 0;
  for (const [pid, seconds] of after) total += seconds - (before.get(pid) ?? 0);
  return total;
}

/**
 * CPU seconds the whole machine has been busy so far (all cores: /proc/stat's first line,
 * everything but idle and iowait); undefined without /proc. The difference over the load minus
 * what the bench's own processes used is what other users of the machine took.
 */
export function machineBusySeconds(): number | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal (guest time is already inside user).
    const busy = [0, 1, 2, 5, 6, 7].reduce((sum, i) => sum + (fields[i] ?? 0), 0);
    return busy / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}
