import type { Authority, LocalParameters, Responsibility, RolloutState } from './tenant';

/**
 * The parameters that hold for one responsibility: the authority's, with the `serves` entry's
 * own fields winning one by one (an entry that sets only the fee keeps the authority's address).
 * Frozen, and the empty object when neither sets anything.
 */
export function effectiveParameters(authority: Authority, responsibility: Responsibility): LocalParameters {
  return Object.freeze({ ...(authority.parameters ?? {}), ...(responsibility.parameters ?? {}) });
}

/** The rollout state of a responsibility; `live` when the file does not say (files from before rollout states). */
export function rolloutOf(responsibility: Responsibility): RolloutState {
  return responsibility.rollout ?? 'live';
}
