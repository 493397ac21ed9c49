import type { LoadedVersions } from '../http/admin-config-router';
import type { LogFields, Logger } from '../support/logger';

/** `config.reloaded`: how many forms and tenant files the new set has, and how many of them changed. */
export function logReloaded(logger: Logger, versions: LoadedVersions, fields: LogFields): void {
  logger.info('config.reloaded', {
    forms: versions.forms.length,
    tenants: versions.tenants.length,
    // A file unchanged by the reload keeps the time it was first loaded (file-versions.ts).
    changedFiles: [...versions.forms, ...versions.tenants].filter((v) => v.loadedAt.getTime() === versions.loadedAt.getTime()).length,
    ...fields,
  });
}

/** `config.reload_refused` and one `config.reload_problem` line per problem, as the start-up prints them (file, pointer, reason: no personal data). */
export function logRefused(logger: Logger, problems: readonly string[], fields: LogFields): void {
  logger.warn('config.reload_refused', { problems: problems.length, ...fields });
  for (const line of problems) logger.warn('config.reload_problem', { problem: line });
}
