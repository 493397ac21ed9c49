import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * Where the shared real data lies (the official municipality directories, postal codes, the
 * Routing API description; see its README): EFA_SHARED_DATA, which .ci/run sets, else
 * ../shared/data beside the checkout. It is read from there, never copied into the repository.
 */
export const SHARED_DATA = process.env.EFA_SHARED_DATA ?? path.join(__dirname, '..', '..', '..', 'shared', 'data');

/** The path of a shared file. */
export function sharedFile(name: string): string {
  return path.join(SHARED_DATA, name);
}

/**
 * Fails with the reason when a file of the shared test data is missing: the tests that read it
 * fail rather than skip (no skipped tests here); `.ci/run` finds ../shared/data and sets
 * EFA_SHARED_DATA. Called at the top of a test file, so the file reports the reason at once.
 */
export function requireSharedData(names: readonly string[]): void {
  const missing = names.filter((name) => !existsSync(sharedFile(name)));
  if (missing.length > 0) {
    throw new Error(`the shared test data is missing in ${SHARED_DATA} (${missing.join(', ')}); set EFA_SHARED_DATA to ../shared/data (.ci/run does)`);
  }
}
