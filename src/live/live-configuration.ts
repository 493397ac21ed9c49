import { createDeliveryWorker, type JobSender } from '../delivery/create-delivery';
import type { DeliveryWorker } from '../delivery/delivery-worker';
import type { RetryPolicy } from '../delivery/retry-policy';
import type { FormRegistry } from '../forms/form-registry';
import type { ConfigurationControl, ReloadOutcome } from '../http/admin-config-router';
import type { OperatorAccess } from '../operators/operator-access';
import type { RoutingTable } from '../routing/routing-table';
import { StartupError } from '../startup-error';
import type { SubmissionService } from '../submissions/submission-service';
import { currentView } from './current-view';
import { createGenerationFollower, type FollowOutcome } from './generation-follower';
import { loadVersionedOperatorFiles, type VersionedOperatorFiles } from './load-versioned';
import { removedAuthoritiesWithOpenJobs } from './queued-authorities';
import { logReloaded, logRefused } from './reload-log';
import { buildServedSet, type ServedSet, type ServedSetDependencies } from './served-set';
import { createSetLifetimes } from './set-lifetimes';

/**
 * The forms and tenants the process serves, replaceable while it runs (SIGHUP, POST
 * /api/admin/reload, the console), and followed when another process on the same store reloads.
 * Also the delivery worker's sender: each claimed job goes out over the set loaded at that moment
 * (or, for an authority a reload removed, the newest older set that still knows it), with the
 * authority id and body it was stored with.
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
  /** Looks once whether another process reloaded (a newer generation in the store) and then reloads too. */
  follow(): Promise<FollowOutcome>;
  /** Looks every CONFIG_POLL_SECONDS (started by the entry points; an unref'd timer, stopped by close()). */
  startFollowing(): void;
  /** Stops following and the worker (letting deliveries finish within timeoutMs), then closes every set's agents. */
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

/**
 * Holds the served set and swaps it on a reload. A reload loads and checks everything as the
 * start does (loadOperatorFiles), refuses a set that would drop an authority with queued
 * deliveries, and only then builds and serves the new set; otherwise the running one stays.
 * Reloads are serialised (a second waits for the first). A successful reload counts a generation
 * in the store, which every other process follows (generation-follower.ts). A replaced set's
 * keep-alive agents are closed after DELIVERY_TIMEOUT_MS, once no delivery started on it still
 * runs and no open job needs it (set-lifetimes.ts).
 */
export function createLiveConfiguration(deps: LiveConfigurationDependencies): LiveConfiguration {
  const { config, logger, store } = deps;
  let reloading: Promise<unknown> = Promise.resolve();
  const serialise = <T>(work: () => Promise<T>): Promise<T> => {
    const outcome = reloading.then(work);
    // The next reload waits for this one, whatever its outcome.
    reloading = outcome.catch(() => undefined);
    return outcome;
  };

  const worker = createDeliveryWorker({
    config, store, logger, metrics: deps.metrics, now: deps.now, random: deps.random, retryPolicy: deps.retryPolicy,
    sender: { send: (job) => sets.send(job) },
  });
  const setDependencies: ServedSetDependencies = { ...deps, nudge: () => worker.nudge() };
  const sets = createSetLifetimes({
    initial: buildServedSet(deps.initial.files, deps.initial.versions, setDependencies),
    store, logger, graceMs: config.deliveryTimeoutMs + 1_000, recheckMs: config.configPollSeconds * 1000,
  });

  /**
   * Loads the files and, without problems, makes the new set current. `checkOpenJobs`: refuse a
   * set that drops an authority with open jobs. A process following another's reload skips it:
   * the reloading process checked, and jobs committed since go out over the retired set.
   */
  async function replaceSet(checkOpenJobs: boolean): Promise<ReloadOutcome> {
    const running = sets.current();
    let loaded: VersionedOperatorFiles;
    try {
      loaded = await loadVersionedOperatorFiles({ config, env: deps.env, logger, now: deps.now, previous: running.versions });
    } catch (err) {
      if (err instanceof StartupError) return { ok: false, problems: err.problems };
      throw err;
    }
    let next: ServedSet;
    try {
      const problems = checkOpenJobs ? removedAuthoritiesWithOpenJobs({
        openJobs: await store.deliveries.openJobCounts(),
        running: { routing: running.routing, tenants: running.files.tenants },
        next: loaded.files.routing,
      }) : [];
      if (problems.length > 0) {
        loaded.files.credentials.close();
        return { ok: false, problems };
      }
      next = buildServedSet(loaded.files, loaded.versions, setDependencies);
    } catch (err) {
      // No set holds the new credentials: close their agents here, or nobody ever does.
      loaded.files.credentials.close();
      if (err instanceof StartupError) return { ok: false, problems: err.problems };
      throw err;
    }
    sets.replace(next);
    return { ok: true, versions: loaded.versions };
  }

  async function reloadOwn(): Promise<ReloadOutcome> {
    const outcome = await replaceSet(true);
    if (!outcome.ok) {
      logRefused(logger, outcome.problems, {});
      return outcome;
    }
    const generation = await follower.counted(deps.now());
    logReloaded(logger, outcome.versions, generation === undefined ? {} : { generation });
    return outcome;
  }

  const follower = createGenerationFollower({
    store, logger, pollMs: config.configPollSeconds * 1000, serialise,
    async reload(generation) {
      const outcome = await replaceSet(false);
      if (outcome.ok) logReloaded(logger, outcome.versions, { generation, following: true });
      return outcome;
    },
  });

  return {
    current: () => sets.current(),
    worker,
    forms: currentView(() => sets.current().forms),
    routing: currentView(() => sets.current().routing),
    submissions: currentView(() => sets.current().submissions),
    versions: () => sets.current().versions,
    operatorAccess: (): OperatorAccess => sets.current().access,
    reload: () => serialise(reloadOwn),
    send: (job) => sets.send(job),
    follow: () => follower.follow(),
    startFollowing: () => follower.start(),
    async close(timeoutMs: number) {
      follower.stop();
      await reloading;
      await worker.stop(timeoutMs);
      sets.closeAll();
    },
  };
}
