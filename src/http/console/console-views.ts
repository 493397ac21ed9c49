import type { CoverageCount, CoverageReport, AreaCoverage } from '../../coverage/coverage';
import {
  CONSOLE_AUDIT_OUTCOME_LABELS, CONSOLE_JOB_STATE_LABELS, CONSOLE_ROLLOUT_LABELS, CONSOLE_SUBMISSION_LABELS, CONSOLE_TEXTS, consoleLabel,
} from '../../i18n/console-texts';
import { formatCalendarDate, formatLongDateTime, formatNumber } from '../../i18n/formatters';
import { localize, type Language } from '../../i18n/language';
import { format } from '../../i18n/translator';
import type { RoutingTable } from '../../routing/routing-table';
import { rolloutOf } from '../../routing/local-parameters';
import type { Tenant } from '../../routing/tenant';
import type { DeliveryJob, OperatorAuditEntry, SubmissionRecord } from '../../storage/ports';
import { CONSOLE_PATH } from './console-session';

/**
 * The view models of the console's pages: everything a template shows, already worded in the
 * operator's language, so the templates only lay it out. Nothing here shows answers, names or
 * addresses of applicants: jobs and submissions are shown by ids, states, times and error classes.
 */

const T = CONSOLE_TEXTS;
type LastDeliveries = ReadonlyMap<string, { readonly real?: Date; readonly test?: Date }>;

export const jobHref = (id: string): string => `${CONSOLE_PATH}/deliveries/${encodeURIComponent(id)}`;
export const submissionHref = (id: string): string => `${CONSOLE_PATH}/submissions/${encodeURIComponent(id)}`;
export const authorityHref = (id: string): string => `${CONSOLE_PATH}/authorities/${encodeURIComponent(id)}`;

function when(at: Date | undefined, language: Language): string {
  return at ? formatLongDateTime(at, language) : T.never[language];
}

function count(c: CoverageCount, language: Language): string {
  const values = { online: formatNumber(c.online, language), total: formatNumber(c.total, language) };
  return c.percent === null
    ? format(T.countOf[language], values)
    : format(T.countOfPercent[language], { ...values, percent: formatNumber(c.percent, language) });
}

function areaCells(area: AreaCoverage, language: Language) {
  return {
    municipalities: count(area.municipalities, language),
    inhabitants: count(area.inhabitants, language),
    complete: area.complete ? T.yes[language] : T.no[language],
  };
}

/** The planned, testing and paused municipalities of an area, when there are any. */
function notLiveNote(area: AreaCoverage, language: Language): string | undefined {
  const { planned, testing, paused } = area.notLive;
  if (planned.municipalities + testing.municipalities + paused.municipalities === 0) return undefined;
  return format(T.coverageNotLive[language], {
    planned: formatNumber(planned.municipalities, language), testing: formatNumber(testing.municipalities, language), paused: formatNumber(paused.municipalities, language),
  });
}

/** Per form and tenant: the whole state, then one row per district. */
export function coverageView(report: CoverageReport, language: Language) {
  return report.items.map((item, index) => {
    const values = { form: localize(item.form.title, language) ?? item.form.id, tenant: localize(item.tenant.name, language) ?? item.tenant.id };
    return {
      id: `coverage-${index + 1}`,
      heading: format(T.coverageItem[language], values),
      caption: format(T.coverageCaption[language], values),
      state: areaCells(item.state, language),
      notLive: notLiveNote(item.state, language),
      districts: item.districts.map((d) => ({
        key: d.key, name: d.name, ...areaCells(d, language), missing: formatNumber(d.missing.length, language),
      })),
    };
  });
}

/** Whether a `live` responsibility's authority was never delivered to (neither a real nor a test delivery). */
export function neverDelivered(last: LastDeliveries, authorityId: string): boolean {
  const entry = last.get(authorityId);
  return entry?.real === undefined && entry?.test === undefined;
}

/** The authorities of the tenants given, with their channel, last deliveries and responsibilities. */
export function responsibilitiesView(tenants: readonly Tenant[], last: LastDeliveries, formTitle: (id: string) => string, language: Language) {
  return tenants.map((tenant) => ({
    heading: format(T.tenantHeading[language], { tenant: localize(tenant.name, language) ?? tenant.id }),
    authorities: tenant.authorities.map((authority) => {
      const never = neverDelivered(last, authority.id);
      return {
        id: authority.id,
        name: authority.name,
        href: authorityHref(authority.id),
        detailsLabel: format(T.authorityDetailsOf[language], { authority: authority.name }),
        channel: authority.delivery.type,
        lastReal: when(last.get(authority.id)?.real, language),
        lastTest: when(last.get(authority.id)?.test, language),
        caption: format(T.responsibilitiesCaption[language], { authority: authority.name }),
        responsibilities: authority.serves.map((entry) => {
          const rollout = rolloutOf(entry);
          return {
            forms: entry.forms.map(formTitle).join(', '),
            regions: entry.regions.join(', '),
            rollout: consoleLabel(CONSOLE_ROLLOUT_LABELS, rollout, language),
            plannedFrom: entry.plannedFrom !== undefined ? format(T.plannedFrom[language], { date: formatCalendarDate(entry.plannedFrom, language) }) : undefined,
            flagged: rollout === 'live' && never,
          };
        }),
      };
    }),
  }));
}

/** How many `live` responsibilities have an authority that was never delivered to. */
export function untestedLiveCount(tenants: readonly Tenant[], last: LastDeliveries): number {
  return tenants.flatMap((t) => t.authorities).reduce(
    (n, a) => n + (neverDelivered(last, a.id) ? a.serves.filter((s) => rolloutOf(s) === 'live').length : 0), 0);
}

export function jobView(job: DeliveryJob, routing: Pick<RoutingTable, 'authority'>, language: Language) {
  return {
    id: job.id,
    href: jobHref(job.id),
    reference: job.submissionId,
    referenceHref: submissionHref(job.submissionId),
    authority: routing.authority(job.authorityId)?.authority.name ?? job.authorityId,
    authorityId: job.authorityId,
    channel: job.channel,
    state: consoleLabel(CONSOLE_JOB_STATE_LABELS, job.state, language),
    // A purged job (retention) has no body left to send.
    retryable: (job.state === 'failed' || job.state === 'dead') && job.purgedAt === undefined,
    attempts: formatNumber(job.attempts, language),
    lastError: job.lastError ?? T.none[language],
    nextAttempt: job.state === 'failed' ? formatLongDateTime(job.nextAttemptAt, language) : '–',
    createdAt: formatLongDateTime(job.createdAt, language),
    test: job.test === true,
  };
}

/** A submission's trail: what happened, never what was asked or answered. */
export function submissionView(record: SubmissionRecord, jobs: readonly DeliveryJob[], routing: Pick<RoutingTable, 'authority'>, formTitle: (id: string) => string, language: Language) {
  return {
    reference: record.id,
    form: formTitle(record.formId),
    formVersion: record.formVersion,
    authority: routing.authority(record.authorityId)?.authority.name ?? record.authorityId,
    tenant: record.tenantId,
    status: consoleLabel(CONSOLE_SUBMISSION_LABELS, record.status, language),
    createdAt: formatLongDateTime(record.createdAt, language),
    test: record.test === true,
    events: record.events.map((e) => ({ type: consoleLabel(CONSOLE_SUBMISSION_LABELS, e.type, language), at: formatLongDateTime(e.at, language), detail: e.detail ?? '' })),
    jobs: jobs.map((j) => jobView(j, routing, language)),
  };
}

export function auditView(entries: readonly OperatorAuditEntry[], language: Language) {
  return entries.map((e) => ({
    at: formatLongDateTime(e.at, language),
    actor: e.actor,
    tenant: e.tenantId ?? '–',
    action: e.action,
    target: e.target ?? '–',
    outcome: consoleLabel(CONSOLE_AUDIT_OUTCOME_LABELS, e.outcome, language),
    detail: e.detail ?? '',
  }));
}
