import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { startServerProcess, startWorkerProcess, type SpawnedProcess } from '../spawn-server';

/** One web or worker "machine": its process (replaced on restart), its own DATA_DIR, its port. */
export interface Instance {
  readonly name: string;
  readonly kind: 'web' | 'worker';
  process: SpawnedProcess;
  /** The web process's address; the same port after each restart. */
  url: string;
  restarts: number;
  /** `delivery.delivered` lines of the processes this instance ran before the current one. */
  deliveredBefore: number;
}

export interface Cluster {
  readonly webs: readonly Instance[];
  readonly workers: readonly Instance[];
  /** SIGKILLs the instance's process and resolves once it has ended. */
  kill(instance: Instance): Promise<void>;
  /** Starts the instance again (a web process on its old port) and resolves once it is ready. */
  restart(instance: Instance): Promise<void>;
  /** Deliveries (any channel) the instance's processes logged as done, the current one included. */
  delivered(instance: Instance): number;
}

const deliveredLines = (process: SpawnedProcess): number => process.logLines().filter((l) => l.event === 'delivery.delivered').length;

/**
 * Two web processes (DELIVERY_WORKER=off) and two standalone workers from the compiled build, on
 * one database, each with a DATA_DIR of its own under `root`, so that nothing but the database is
 * shared, as on separate machines. All four start at once, as a rolling deployment's first start
 * might, so the migration under the advisory lock is raced for real.
 */
export async function startCluster(options: {
  readonly builtDir: string;
  readonly env: Readonly<Record<string, string>>;
  readonly root: string;
}): Promise<Cluster> {
  const spawnOptions = { builtDir: options.builtDir };
  const envOf = (name: string, kind: 'web' | 'worker', port: string): Record<string, string> => {
    const dataDir = path.join(options.root, name);
    mkdirSync(dataDir, { recursive: true });
    return { ...options.env, DATA_DIR: dataDir, ...(kind === 'web' ? { DELIVERY_WORKER: 'off', PORT: port } : {}) };
  };
  const launch = async (name: string, kind: 'web' | 'worker', port = '0'): Promise<{ process: SpawnedProcess; url: string }> => {
    if (kind === 'worker') return { process: await startWorkerProcess(envOf(name, kind, port), spawnOptions), url: '' };
    const server = await startServerProcess(envOf(name, kind, port), spawnOptions);
    return { process: server, url: server.url };
  };
  const instance = async (name: string, kind: 'web' | 'worker'): Promise<Instance> => ({ name, kind, ...(await launch(name, kind)), restarts: 0, deliveredBefore: 0 });

  const [webA, webB, worker1, worker2] = await Promise.all([
    instance('web-a', 'web'), instance('web-b', 'web'), instance('worker-1', 'worker'), instance('worker-2', 'worker'),
  ]);
  return {
    webs: [webA, webB],
    workers: [worker1, worker2],
    async kill(target) {
      target.process.kill('SIGKILL');
      await target.process.exited;
    },
    async restart(target) {
      target.deliveredBefore += deliveredLines(target.process);
      const port = target.kind === 'web' ? new URL(target.url).port : '0';
      const started = await launch(target.name, target.kind, port);
      target.process = started.process;
      target.restarts += 1;
    },
    delivered: (target) => target.deliveredBefore + deliveredLines(target.process),
  };
}
