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
 * Whether the shared files exist. Without them (a contributor's own clone) the tests that need
 * them say so and do not run; with CI=true their absence is a failure, never a skip.
 */
export function haveSharedData(names: readonly string[]): boolean {
  const present = names.every((name) => existsSync(sharedFile(name)));
  if (!present && process.env.CI === 'true') {
    throw new Error(`the shared test data is missing in ${SHARED_DATA} (${names.join(', ')}); .ci/run sets EFA_SHARED_DATA`);
  }
  if (!present) {
    console.warn(`the shared test data is missing in ${SHARED_DATA}: the tests that need ${names.join(', ')} do not run here`);
  }
  return present;
}
