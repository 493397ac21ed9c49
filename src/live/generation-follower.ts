import type { LoadedVersions, ReloadOutcome } from '../http/admin-config-router';
import type { Store } from '../storage/ports';
import type { Logger } from '../support/logger';
import { logRefused } from './reload-log';

/** What one look at the store's configuration generation came to. */
export type FollowOutcome =
  /** Nothing newer than what this process loaded. */
  | { readonly kind: 'current'; readonly generation: number }
  | { readonly kind: 'reloaded'; readonly generation: number; readonly versions: LoadedVersions }
  /** The files have problems here (`file: pointer: reason` lines); the running set stays and the next look tries again. */
  | { readonly kind: 'refused'; readonly generation: number; readonly problems: readonly string[] }
  /** The store could not be read; the next look tries again. */
  | { readonly kind: 'unavailable' }
  /** The reload failed unexpectedly (logged); the next look tries again. */
  | { readonly kind: 'failed'; readonly generation: number };

/**
 * Keeps every process of an installation on the set of files the last reload loaded, wherever it
 * was triggered: a process that reloads counts a generation in the store (`counted`), and every
 * process looks at the store's generation every few seconds (`follow`) and reloads when it is
 * newer than the one it loaded. A generation that keeps being refused here is logged once and
 * tried again at each look (a file may still be on its way to this host).
 */
export interface GenerationFollower {
  /** After a reload this process did itself: counts it in the store; the new generation, or undefined when the store refused (logged). */
  counted(at: Date): Promise<number | undefined>;
  /** Looks once; never rejects. Looks do not overlap: a call while one runs gets its outcome. */
  follow(): Promise<FollowOutcome>;
  /** Looks every `pollMs` on an unref'd timer, until stop(). */
  start(): void;
  stop(): void;
}

export interface GenerationFollowerOptions {
  readonly store: Pick<Store, 'configuration'>;
  readonly logger: Logger;
  readonly pollMs: number;
  /** Runs work after every reload already running or queued and before any that comes later. */
  readonly serialise: <T>(work: () => Promise<T>) => Promise<T>;
  /** Reloads to follow a generation (without counting one); logs its own success. */
  readonly reload: (generation: number) => Promise<ReloadOutcome>;
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export function createGenerationFollower(options: GenerationFollowerOptions): GenerationFollower {
  const { store, logger } = options;
  // The generation the running set reflects. Read as the process opens its store, right after it
  // loaded its files: anything counted before is in what it loaded. If that read fails, 0: the
  // first look then reloads once more than needed, which is harmless.
  let followed = 0;
  const ready = store.configuration.current().then(
    (newest) => { followed = Math.max(followed, newest?.generation ?? 0); },
    (err: unknown) => { logger.warn('config.poll_failed', { error: message(err) }); },
  );
  // The generation whose refusal (or failure) was logged last: logged once, not at every look.
  let reported: number | undefined;
  let running: Promise<FollowOutcome> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  async function followNow(): Promise<FollowOutcome> {
    await ready;
    let newest;
    try {
      newest = await store.configuration.current();
    } catch (err) {
      // The store may be busy or briefly unavailable: the next look tries again.
      logger.warn('config.poll_failed', { error: message(err) });
      return { kind: 'unavailable' };
    }
    if (stopped || newest === undefined || newest.generation <= followed) return { kind: 'current', generation: followed };
    const { generation } = newest;
    let outcome: ReloadOutcome;
    try {
      outcome = await options.reload(generation);
    } catch (err) {
      if (reported !== generation) logger.error('config.reload_failed', { error: message(err), generation });
      reported = generation;
      return { kind: 'failed', generation };
    }
    if (outcome.ok) {
      followed = Math.max(followed, generation);
      return { kind: 'reloaded', generation, versions: outcome.versions };
    }
    if (reported !== generation) logRefused(logger, outcome.problems, { generation });
    reported = generation;
    return { kind: 'refused', generation, problems: outcome.problems };
  }

  const follower: GenerationFollower = {
    async counted(at) {
      await ready;
      try {
        const generation = await store.configuration.bump(at);
        followed = Math.max(followed, generation);
        return generation;
      } catch (err) {
        // This process runs the new set, but the others will not follow until the next reload.
        logger.error('config.generation_not_counted', { error: message(err) });
        return undefined;
      }
    },
    follow() {
      running ??= options.serialise(followNow).finally(() => {
        running = undefined;
      });
      return running;
    },
    start() {
      if (timer !== undefined || stopped) return;
      timer = setInterval(() => void follower.follow(), options.pollMs);
      // Never what keeps a process alive: the server's socket or the worker's handle does.
      timer.unref();
    },
    stop() {
      stopped = true;
      clearInterval(timer);
      timer = undefined;
    },
  };
  return follower;
}
