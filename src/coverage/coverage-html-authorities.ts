import { COVERAGE_AUTHORITY_TEXTS as A } from '../i18n/coverage-authority-texts';
import { COVERAGE_PAGE_TEXTS as T } from '../i18n/coverage-texts';
import { formatLongDateTime } from '../i18n/formatters';
import { format } from '../i18n/translator';
import type { RolloutState } from '../routing/tenant';
import type { AuthorityCoverage, CoverageReport, TenantAuthorities } from './coverage';
import { both, escapeHtml, german, number, scrollingTable } from './coverage-html-parts';

/**
 * The coverage page's last section: per tenant a table of its authorities with their channel,
 * their responsibilities by rollout state and, when the report was made with the store, when
 * their channel last took a test and a real delivery. An authority with a live responsibility
 * whose channel never took anything is named in words in its own column (not by colour), so
 * whoever reads the page knows to send a test delivery first.
 */

// Live first: that is what citizens meet; then what is on its way.
const SHOWN_ORDER: readonly RolloutState[] = ['live', 'testing', 'planned', 'paused'];
const STATE_TEXT = { live: A.live, testing: T.testing, planned: T.planned, paused: T.paused } as const;
const CHANNEL_TEXT = { http: A.channelHttp, email: A.channelEmail, inbox: A.channelInbox } as const;

function responsibilitiesCell(a: AuthorityCoverage): string {
  const lines = SHOWN_ORDER.filter((state) => a.responsibilities[state] > 0)
    .map((state) => `${german(STATE_TEXT[state])}: ${number(a.responsibilities[state])}`);
  return `<td>${lines.length > 0 ? lines.join('<br>') : german(A.noResponsibilities)}</td>`;
}

const whenCell = (at: string | null | undefined): string =>
  `<td>${at === null || at === undefined ? german(A.never) : escapeHtml(formatLongDateTime(new Date(at), 'de'))}</td>`;

function row(a: AuthorityCoverage, deliveriesKnown: boolean): string {
  const head = `<th scope="row">${escapeHtml(a.name)} <span class="key">(${escapeHtml(a.id)})</span></th><td>${german(CHANNEL_TEXT[a.channel])}</td>${responsibilitiesCell(a)}`;
  if (!deliveriesKnown) return `<tr>${head}</tr>`;
  const note = a.liveWithoutDelivery === true ? `<strong>${german(A.liveWithoutDelivery)}</strong>` : german(A.noNote);
  return `<tr>${head}${whenCell(a.lastSuccessfulTestAt)}${whenCell(a.lastRealDeliveryAt)}<td>${note}</td></tr>`;
}

function table({ tenant, authorities }: TenantAuthorities, index: number, deliveriesKnown: boolean): string {
  const id = `authorities-${index + 1}-caption`;
  const caption = `${german(A.caption, { tenant: tenant.name.de })} <span class="en" lang="en">${escapeHtml(format(A.caption.en, { tenant: tenant.name.en ?? tenant.name.de }))}</span>`;
  const heads = [A.authority, A.channel, A.responsibilities, ...(deliveriesKnown ? [A.lastTest, A.lastReal, A.note] : [])];
  const head = `<tr>${heads.map((h) => `<th scope="col">${both(h)}</th>`).join('')}</tr>`;
  return scrollingTable(id, caption, head, authorities.map((a) => row(a, deliveriesKnown)).join(''));
}

/** The section, or nothing when the report lists no authority. */
export function authoritiesSection(report: CoverageReport): string {
  const tenants = report.authorities.filter((t) => t.authorities.length > 0);
  if (tenants.length === 0) return '';
  const unknown = report.deliveriesKnown ? '' : `<p>${german(A.deliveriesUnknown)}</p>`;
  return `<section aria-labelledby="authorities"><h2 id="authorities">${both(A.heading)}</h2><p>${german(A.intro)}</p>${unknown}` +
    tenants.map((t, i) => table(t, i, report.deliveriesKnown)).join('') + '</section>';
}
