import { formatCalendarDate } from '../i18n/formatters';
import type { Language } from '../i18n/language';
import { NOT_YET_ONLINE, NOT_YET_ONLINE_PLANNED, PLACE_FALLBACK, SERVICE_PAUSED_HERE, TEST_ACCESS_NOT_HERE } from '../i18n/routing-texts';
import { format } from '../i18n/translator';
import type { RoutingMatch } from './routing-table';
import type { RolloutState } from './tenant';

/** The rollout states citizens are routed to unless a caller says otherwise (a tester's link may add `testing`). */
export const CITIZEN_ROLLOUTS: readonly RolloutState[] = Object.freeze(['live']);

/** The rollout states a tester's link opens besides `live`: the link's authority's `testing` route. */
export const TESTER_ROLLOUTS: readonly RolloutState[] = Object.freeze(['live', 'testing']);

/** What a valid tester's link grants (see src/test-delivery/test-links.ts): the authority whose testing route it opens. */
export interface TesterAccess {
  readonly authorityId: string;
  /** The link's authority's name, for the sentence when another authority is chosen. */
  readonly authorityName: string;
  readonly formId: string;
}

/**
 * The rollout states this match takes a submission in: `live`, and for a tester also `testing`
 * when the match is the link's own authority (another authority's testing route stays closed).
 */
export function openRollouts(match: Pick<RoutingMatch, 'authority'>, tester: TesterAccess | undefined): readonly RolloutState[] {
  return tester !== undefined && tester.authorityId === match.authority.id ? TESTER_ROLLOUTS : CITIZEN_ROLLOUTS;
}

/** Why a responsibility does not take the application (yet): its error code and the citizen's sentence. */
export interface RolloutRefusal {
  readonly code: 'SERVICE_NOT_YET_ONLINE' | 'SERVICE_PAUSED' | 'TEST_ACCESS_NOT_HERE';
  readonly rollout: RolloutState;
  readonly message: string;
}

/** The name of the municipality with this ARS in the match's tenant, if the tenant lists it. */
export function municipalityName(match: Pick<RoutingMatch, 'tenant'>, ars: string): string | undefined {
  return match.tenant.municipalities.find((m) => m.ars === ars)?.name;
}

/**
 * What a citizen is told when the responsible authority's route is in a state not allowed here:
 * `planned` and `testing` are "not yet online" (with the planned day when the file gives one),
 * `paused` is "temporarily not available, please contact <authority> (<e-mail>)". Undefined when
 * the route's state is allowed. The API and the pages' region step say exactly the same.
 */
export function rolloutRefusal(
  match: RoutingMatch,
  place: string | undefined,
  language: Language,
  allowed: readonly RolloutState[] = CITIZEN_ROLLOUTS,
): RolloutRefusal | undefined {
  if (allowed.includes(match.rollout)) return undefined;
  const where = place ?? PLACE_FALLBACK[language];
  return stateRefusal(match, where, language);
}

/**
 * What a submission made here is told: with a tester's link, any authority but the link's own is
 * refused (whatever its state: a link must neither turn real applications into tests nor send
 * tests to another authority or tenant); otherwise as rolloutRefusal, with `testing` open to the
 * link's authority.
 */
export function submissionRefusal(match: RoutingMatch, place: string | undefined, language: Language, tester: TesterAccess | undefined): RolloutRefusal | undefined {
  if (tester !== undefined && tester.authorityId !== match.authority.id) {
    return {
      code: 'TEST_ACCESS_NOT_HERE',
      rollout: match.rollout,
      message: format(TEST_ACCESS_NOT_HERE[language], { authority: tester.authorityName, place: place ?? PLACE_FALLBACK[language] }),
    };
  }
  return rolloutRefusal(match, place, language, openRollouts(match, tester));
}

function stateRefusal(match: RoutingMatch, where: string, language: Language): RolloutRefusal {
  if (match.rollout === 'paused') {
    return {
      code: 'SERVICE_PAUSED',
      rollout: match.rollout,
      message: format(SERVICE_PAUSED_HERE[language], { place: where, authority: match.authority.name, email: match.authority.email }),
    };
  }
  const plannedFrom = match.rollout === 'planned' ? match.responsibility.plannedFrom : undefined;
  const message = plannedFrom !== undefined
    ? format(NOT_YET_ONLINE_PLANNED[language], { place: where, date: formatCalendarDate(plannedFrom, language) })
    : format(NOT_YET_ONLINE[language], { place: where });
  return { code: 'SERVICE_NOT_YET_ONLINE', rollout: match.rollout, message };
}

