import type { Config } from '../config/config-schema';
import type { LoadedVersions } from '../http/admin-config-router';
import { loadOperatorFiles, type OperatorFiles } from '../operator-files';
import { problem, StartupError } from '../startup-error';
import type { Logger } from '../support/logger';
import { changedWhileLoading, filesOfSet, hashOperatorFiles, versionsOf } from './file-versions';

/** Operator files as loaded, with the version (hash, time) of every form and tenant file. */
export interface VersionedOperatorFiles {
  readonly files: OperatorFiles;
  readonly versions: LoadedVersions;
}

export interface VersionedLoadOptions {
  readonly config: Config;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly logger: Logger;
  readonly now: () => Date;
  /** The running set's versions: a file unchanged since keeps its loadedAt. */
  readonly previous?: LoadedVersions;
}

/** An operator's editor or `git pull` writing while we read: tried again this often before giving up. */
const ATTEMPTS = 3;

/**
 * loadOperatorFiles, with the SHA-256 of every form and tenant file it read. The files are hashed
 * before and after loading; when one differs, it was being written meanwhile and the load is
 * repeated (at most three times, then refused with a problem line), so the hash shown for a file
 * is that of the bytes that were loaded. Throws StartupError with `file: pointer: reason` lines.
 */
export async function loadVersionedOperatorFiles(options: VersionedLoadOptions): Promise<VersionedOperatorFiles> {
  const { config, env, logger, now } = options;
  let changed: string[] = [];
  for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
    const before = await hashOperatorFiles(config.formsDir, config.tenantsDir);
    const files = await loadOperatorFiles(config, env, logger);
    const after = await hashOperatorFiles(config.formsDir, config.tenantsDir);
    changed = changedWhileLoading(filesOfSet(files, config.formsDir), before, after);
    if (changed.length === 0) return { files, versions: versionsOf(files, config.formsDir, after, now(), options.previous) };
    files.credentials.close();
  }
  throw new StartupError(changed.map((file) => problem(file, '', 'changed while it was being read; load again once it is written')));
}
