import type { JobSender } from '../delivery/create-delivery';
import type { DeliveryJob, Store } from '../storage/ports';
import type { Logger } from '../support/logger';
import type { ServedSet } from './served-set';

/**
 * The served sets a process holds: the current one and those a reload replaced, each until it is
 * closed. Also the worker's sender: a job goes out over the set that knows its authority.
 */
export interface SetLifetimes extends JobSender {
  /** The set new requests and jobs start on. */
  current(): ServedSet;
  /** Makes `next` current; the set before it is retired and closed when nothing needs it any more. */
  replace(next: ServedSet): void;
  /** Closes every set at once (the process stops; the worker has stopped sending). */
  closeAll(): void;
}

export interface SetLifetimeOptions {
  readonly initial: ServedSet;
  readonly store: Pick<Store, 'deliveries'>;
  readonly logger: Logger;
  /** How long a retired set stays open at least: the longest a request or delivery begun on it can run. */
  readonly graceMs: number;
  /** After the grace period, how often a set kept for orphaned jobs is looked at again. */
  readonly recheckMs: number;
}

interface SetInUse {
  readonly set: ServedSet;
  sending: number;
  retired: boolean;
  /** The grace period is over and no open job needs this set: it closes once no delivery uses it. */
  releasable: boolean;
  closed: boolean;
  /** config.orphaned_jobs was logged for this set (once). */
  orphansLogged: boolean;
  recheck: NodeJS.Timeout | undefined;
}

/**
 * A reload refuses to drop an authority with open jobs, but a request in flight on the old set
 * may still commit a job to it after that check ("orphaned" jobs), and a process following
 * another's reload takes the new set without the check. Such a job is sent over the newest
 * retired set that still knows its authority, and that set is not closed at the end of its grace
 * period while the authority has open jobs the current set cannot send: it is looked at again
 * every `recheckMs`, logged once as `config.orphaned_jobs`, and closed once they are gone.
 */
export function createSetLifetimes(options: SetLifetimeOptions): SetLifetimes {
  const { store, logger } = options;
  // In the order they were made current: the last one is the current set.
  const sets: SetInUse[] = [];
  const inUse = (set: ServedSet): SetInUse => ({ set, sending: 0, retired: false, releasable: false, closed: false, orphansLogged: false, recheck: undefined });
  let active = inUse(options.initial);
  sets.push(active);

  const closeIfUnused = (entry: SetInUse): void => {
    if (entry.closed || !entry.retired || !entry.releasable || entry.sending > 0) return;
    entry.closed = true;
    sets.splice(sets.indexOf(entry), 1);
    entry.set.close();
  };

  /** The newest retired set, still open, whose routing table knows the authority. */
  const newestRetiredKnowing = (authorityId: string): SetInUse | undefined =>
    sets.filter((e) => e !== active && !e.closed && e.set.routing.authority(authorityId) !== undefined).at(-1);

  /** The set a job goes out over: the current one when it knows the authority, else the newest retired one that does. */
  const setFor = (authorityId: string): SetInUse =>
    active.set.routing.authority(authorityId) ? active : (newestRetiredKnowing(authorityId) ?? active);

  /** Authorities with open real jobs that only this retired set (as the newest that knows them) can still send. */
  const orphansOf = (entry: SetInUse, openJobs: ReadonlyMap<string, number>): { authorityId: string; openJobs: number }[] =>
    [...openJobs]
      .filter(([id, count]) => count > 0 && !active.set.routing.authority(id) && newestRetiredKnowing(id) === entry)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([authorityId, count]) => ({ authorityId, openJobs: count }));

  async function releaseWhenOrphansAreGone(entry: SetInUse): Promise<void> {
    entry.recheck = undefined;
    if (entry.closed) return;
    let orphans: { authorityId: string; openJobs: number }[];
    try {
      orphans = orphansOf(entry, await store.deliveries.openJobCounts());
    } catch (err) {
      // The store is unavailable for now: keep the set (it may still be needed) and look again.
      if (entry.closed) return;
      logger.warn('config.orphan_check_failed', { error: err instanceof Error ? err.message : String(err) });
      entry.recheck = setTimeout(() => void releaseWhenOrphansAreGone(entry), options.recheckMs).unref();
      return;
    }
    if (entry.closed) return;
    if (orphans.length > 0) {
      // Error level: these jobs exist only because a reload removed their authority; an operator
      // should know why an old set stays open. One line per authority: its id and how many jobs
      // (no personal data).
      if (!entry.orphansLogged) for (const orphan of orphans) logger.error('config.orphaned_jobs', orphan);
      entry.orphansLogged = true;
      entry.recheck = setTimeout(() => void releaseWhenOrphansAreGone(entry), options.recheckMs).unref();
      return;
    }
    if (entry.orphansLogged) logger.info('config.orphaned_jobs_settled', {});
    entry.releasable = true;
    closeIfUnused(entry);
  }

  return {
    current: () => active.set,
    replace(next) {
      const previous = active;
      active = inUse(next);
      sets.push(active);
      previous.retired = true;
      previous.recheck = setTimeout(() => void releaseWhenOrphansAreGone(previous), options.graceMs).unref();
    },
    async send(job: DeliveryJob) {
      const entry = setFor(job.authorityId);
      entry.sending += 1;
      try {
        return await entry.set.delivery.send(job);
      } finally {
        entry.sending -= 1;
        closeIfUnused(entry);
      }
    },
    closeAll() {
      for (const entry of [...sets]) {
        clearTimeout(entry.recheck);
        entry.recheck = undefined;
        entry.retired = true;
        entry.releasable = true;
        entry.sending = 0;
        closeIfUnused(entry);
      }
    },
  };
}
