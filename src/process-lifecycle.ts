import { ConfigError } from './config/load-config';
import { StartupError } from './startup-error';
import type { Logger } from './support/logger';

/**
 * What both entry points (src/main.ts, src/worker-main.ts) do around their own work: report a
 * failed start, stop gracefully on SIGTERM/SIGINT, and reload forms and tenants on SIGHUP. The
 * processes differ only in what they start, stop and reload, which they pass in.
 */

/** The text printed to stderr when start-up fails: one readable reason, no stack for known causes. */
export function describeStartupFailure(err: unknown): string {
  if (err instanceof ConfigError) return `efa-forms: configuration error: ${err.message}\n`;
  if (err instanceof StartupError) {
    // One problem (a DATA_DIR that cannot be written, say) is one line, like a configuration error.
    const [only] = err.problems;
    if (err.problems.length === 1 && only !== undefined) return `efa-forms: cannot start: ${only}\n`;
    return `efa-forms: cannot start:\n${err.problems.map((p) => `  ${p}`).join('\n')}\n`;
  }
  // Anything else is a bug or an environment problem (disk, permissions): the stack helps there.
  return `efa-forms: cannot start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`;
}

/**
 * Runs an entry point's start-up. If it fails, the reason goes to stderr and the process ends with
 * exit code 1 at once, so a supervisor sees a failed start instead of a half-started process.
 */
export function runEntryPoint(start: () => Promise<void>): void {
  start().catch((err: unknown) => {
    process.stderr.write(describeStartupFailure(err));
    process.exit(1);
  });
}

export interface GracefulStopOptions {
  /** Prefix of the log events: `<name>.stopping`, `<name>.stopped`, `<name>.stop_failed`, `<name>.forced_exit`. */
  readonly name: string;
  readonly logger: Logger;
  /** Finishes running work (bounded by the caller's timeout) and releases what the process holds. */
  readonly stop: () => Promise<void>;
}

/**
 * On the first SIGTERM or SIGINT runs `stop` once and then lets the process end by itself, with
 * exit code 0, or 1 when stopping failed. Ending by itself (instead of process.exit) lets the last
 * log lines and closing sockets flush; `stop` must therefore release every handle that keeps the
 * event loop alive. A second signal while stopping means "now": exit code 1 without waiting.
 */
export function stopGracefullyOnSignals({ name, logger, stop }: GracefulStopOptions): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn(`${name}.forced_exit`, { signal });
      process.exit(1);
    }
    stopping = true;
    logger.info(`${name}.stopping`, { signal });
    stop()
      .then(() => {
        logger.info(`${name}.stopped`, {});
        process.exitCode = 0;
      })
      .catch((err: unknown) => {
        logger.error(`${name}.stop_failed`, { error: err instanceof Error ? err.message : String(err) });
        process.exitCode = 1;
      });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

export interface ReloadOnSignalOptions {
  readonly logger: Logger;
  /** Reads forms and tenants again (LiveConfiguration.reload); logs its own outcome. */
  readonly reload: () => Promise<unknown>;
}

/**
 * On SIGHUP (the usual "read your configuration again" of a daemon) reloads forms and tenants
 * instead of ending the process, Node's default. The reload logs `config.reloaded`, or
 * `config.reload_refused` with one `config.reload_problem` line per problem while the running set
 * stays; an unexpected failure is logged as `config.reload_failed` and never ends the process.
 * A successful reload counts a generation in the store, which every other process follows
 * (live/generation-follower.ts): one signal to one process is enough.
 */
export function reloadOnSignal({ logger, reload }: ReloadOnSignalOptions): void {
  process.on('SIGHUP', (signal: NodeJS.Signals) => {
    logger.info('config.reload_requested', { signal });
    reload().catch((err: unknown) => {
      logger.error('config.reload_failed', { error: err instanceof Error ? err.message : String(err) });
    });
  });
}
