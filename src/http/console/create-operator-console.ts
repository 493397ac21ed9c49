import type { Router } from 'express';
import type { ConsoleDependencies } from './console-dependencies';
import { consoleRouter } from './console-router';

export type { ConsoleDependencies, ConsoleReload, ConsoleReloadOutcome, ConsoleSet, ConsoleSetSource } from './console-dependencies';
export { loadConsoleTemplates, type ConsoleTemplates } from './console-templates';

/** The operator console: server-rendered pages under /admin (see docs/console.md). */
export interface OperatorConsole {
  /** Handles every request under /admin, its own 404 and error pages included; mount it before the citizen pages. */
  readonly router: Router;
}

/** Builds the console from its dependencies; it starts nothing and holds no timers. */
export function createOperatorConsole(deps: ConsoleDependencies): OperatorConsole {
  return { router: consoleRouter(deps) };
}
