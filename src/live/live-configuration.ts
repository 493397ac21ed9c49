import { createDeliveryWorker, type JobSender } from '../delivery/create-delivery';
import type { DeliveryWorker } from '../delivery/delivery-worker';
import type { RetryPolicy } from '../delivery/retry-policy';
import type { FormRegistry } from '../forms/form-registry';
import type { ConfigurationControl, ReloadOutcome } from '../http/admin-config-router';
import type { OperatorAccess } from '../operators/operator-access';
import type { RoutingTable } from '../routing/routing-table';
import { StartupError } from '../startup-error';
import type { DeliveryJob } from '../storage/ports';
import type { SubmissionService } from '../submissions/submission-service';
import { currentView } from './current-view';
import { loadVersionedOperatorFiles, type VersionedOperatorFiles } from './load-versioned';
import { removedAuthoritiesWithOpenJobs } from './queued-authorities';
import { buildServedSet, type ServedSet, type ServedSetDependencies } from './served-set';

/**
 * The forms and tenants the process serves, replaceable while it runs (SIGHUP, POST
 * /api/admin/reload). Also the delivery worker's sender: each claimed job goes out over the set
 * loaded at that moment, with the authority id and body it was stored with.
 */
export interface LiveConfiguration extends ConfigurationControl, JobSender {
  /** The set new requests start on. */
  current(): ServedSet;
  /** The process's one outbox worker (started by the entry points). */
  readonly worker: DeliveryWorker;
  /** The current set's forms, routing table and submission service, read anew at each use (see current-view.ts). */
  readonly forms: FormRegistry;
  readonly routing: RoutingTable;
  readonly submissions: SubmissionService;
  /** Stops the worker (letting deliveries finish within timeoutMs), then closes every set's agents. */
  close(timeoutMs: number): Promise<void>;
}

export interface LiveConfigurationDependencies extends Omit<ServedSetDependencies, 'nudge'> {
  /** The set loaded at start-up (before the store was opened). */
  readonly initial: VersionedOperatorFiles;
  /** The environment, read again on a reload for the secrets new tenant files name. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly random: () => number;
  readonly retryPolicy?: RetryPolicy | undefined;
}

/** A set no longer current: closed once its grace period is over and no delivery uses it. */
interface SetInUse {
  readonly set: ServedSet;
  sending: number;
  retired: boolean;
  graceOver: boolean;
  closed: boolean;
}

/**
 * Holds the served set and swaps it on a reload. A reload loads and checks everything as the
 * start does (loadOperatorFiles), refuses a set that would drop an authority with queued
 * deliveries, and only then builds and serves the new set; otherwise the running one stays.
 * Reloads are serialised (a second waits for the first). A replaced set's keep-alive agents are
 * closed after DELIVERY_TIMEOUT_MS, once no delivery started on it still runs.
 */
export function createLiveConfiguration(deps: LiveConfigurationDependencies): LiveConfiguration {
  const { config, logger, store } = deps;
  const sets = new Set<SetInUse>();
  const graceMs = config.deliveryTimeoutMs + 1_000;
  let reloading: Promise<unknown> = Promise.resolve();

  const closeIfUnused = (entry: SetInUse): void => {
    if (entry.closed || !entry.retired || !entry.graceOver || entry.sending > 0) return;
    entry.closed = true;
    sets.delete(entry);
    entry.set.close();
  };

  const worker = createDeliveryWorker({
    config, store, logger, metrics: deps.metrics, now: deps.now, random: deps.random, retryPolicy: deps.retryPolicy,
    sender: { send: (job) => live.send(job) },
  });
  const setDependencies: ServedSetDependencies = { ...deps, nudge: () => worker.nudge() };
  const build = (loaded: VersionedOperatorFiles): SetInUse => ({
    set: buildServedSet(loaded.files, loaded.versions, setDependencies), sending: 0, retired: false, graceOver: false, closed: false,
  });
  let active = build(deps.initial);
  sets.add(active);

  async function reloadNow(): Promise<ReloadOutcome> {
    const running = active.set;
    let loaded: VersionedOperatorFiles;
    try {
      loaded = await loadVersionedOperatorFiles({ config, env: deps.env, logger, now: deps.now, previous: running.versions });
    } catch (err) {
      if (err instanceof StartupError) return refused(err.problems);
      throw err;
    }
    const problems = removedAuthoritiesWithOpenJobs({
      openJobs: await store.deliveries.openJobCounts(),
      running: { routing: running.routing, tenants: running.files.tenants },
      next: loaded.files.routing,
    });
    if (problems.length > 0) {
      loaded.files.credentials.close();
      return refused(problems);
    }
    const previous = active;
    active = build(loaded);
    sets.add(active);
    previous.retired = true;
    setTimeout(() => {
      previous.graceOver = true;
      closeIfUnused(previous);
    }, graceMs).unref();
    logger.info('config.reloaded', {
      forms: loaded.versions.forms.length,
      tenants: loaded.versions.tenants.length,
      changedFiles: [...loaded.versions.forms, ...loaded.versions.tenants].filter((v) => v.loadedAt.getTime() === loaded.versions.loadedAt.getTime()).length,
    });
    return { ok: true, versions: loaded.versions };
  }

  function refused(problems: readonly string[]): ReloadOutcome {
    // One line per problem, as the start-up prints them (file, pointer, reason: no personal data).
    logger.warn('config.reload_refused', { problems: problems.length });
    for (const line of problems) logger.warn('config.reload_problem', { problem: line });
    return { ok: false, problems };
  }

  const live: LiveConfiguration = {
    current: () => active.set,
    worker,
    forms: currentView(() => active.set.forms),
    routing: currentView(() => active.set.routing),
    submissions: currentView(() => active.set.submissions),
    versions: () => active.set.versions,
    operatorAccess: (): OperatorAccess => active.set.access,
    reload() {
      const outcome = reloading.then(reloadNow);
      // The next reload waits for this one, whatever its outcome.
      reloading = outcome.catch(() => undefined);
      return outcome;
    },
    async send(job: DeliveryJob) {
      const entry = active;
      entry.sending += 1;
      try {
        return await entry.set.delivery.send(job);
      } finally {
        entry.sending -= 1;
        closeIfUnused(entry);
      }
    },
    async close(timeoutMs: number) {
      await reloading;
      await worker.stop(timeoutMs);
      for (const entry of [...sets]) {
        entry.retired = true;
        entry.graceOver = true;
        entry.sending = 0;
        closeIfUnused(entry);
      }
    },
  };
  return live;
}
