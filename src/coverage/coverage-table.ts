import { formatNumber } from '../i18n/formatters';
import { ROLLOUT_STATES } from '../routing/tenant';
import { PENDING_ROLLOUTS, type AreaCoverage, type CoverageItem, type CoverageReport, type MissingMunicipality, type TenantAuthorities } from './coverage';

/**
 * The coverage report as plain text for an operator's terminal: per form × tenant a block with
 * one row per district and a last row for the whole tenant, then the municipalities still
 * missing, one line per district (each marked with its rollout state when an authority is
 * responsible but not live yet), and the areas with planned, testing or paused routes, counted
 * apart ("not live yet"); then per tenant its authorities with their responsibilities by rollout
 * state and, when the store was read, their last test and real delivery, naming the authorities
 * with a live route whose channel never took anything. Operators' output, in English like the rest of the CLI; the
 * numbers are German ("1.234", "62,5") because the people they are passed on to read them so.
 */

const HEADER = ['area', 'municipalities', '%', 'inhabitants', '%', 'complete'] as const;
// Columns whose cells are numbers are right-aligned.
const NUMERIC = [false, true, true, true, true, false];

function number(value: number): string {
  return formatNumber(value, 'de');
}

function percent(value: number | null): string {
  return value === null ? '-' : number(value);
}

function cells(label: string, area: AreaCoverage): string[] {
  const { municipalities: m, inhabitants: i } = area;
  return [
    label,
    `${number(m.online)}/${number(m.total)}`, percent(m.percent),
    `${number(i.online)}/${number(i.total)}`, percent(i.percent),
    area.complete ? 'yes' : 'no',
  ];
}

function layout(rows: readonly string[][], numeric: readonly boolean[] = NUMERIC): string[] {
  const widths = numeric.map((_, c) => Math.max(...rows.map((row) => [...(row[c] ?? '')].length)));
  return rows.map((row) => row
    .map((cell, c) => {
      const pad = ' '.repeat((widths[c] ?? 0) - [...cell].length);
      return numeric[c] ? pad + cell : cell + pad;
    })
    .join('  ')
    .trimEnd());
}

/** "Naumburg (Saale) 150840355355 (paused)", "Dessau-Roßlau 150010000000 (planned from 2027-03-01)". */
function missingText(m: MissingMunicipality): string {
  const state = m.rollout === undefined ? '' : m.plannedFrom !== undefined ? ` (${m.rollout} from ${m.plannedFrom})` : ` (${m.rollout})`;
  return `${m.name} ${m.ars}${state}`;
}

/** "planned 1 (12.345 inhabitants), paused 2 (300 inhabitants)", only the states that occur; undefined when none does. */
function notLiveText(area: AreaCoverage): string | undefined {
  const parts = PENDING_ROLLOUTS.filter((state) => area.notLive[state].municipalities > 0)
    .map((state) => `${state} ${number(area.notLive[state].municipalities)} (${number(area.notLive[state].inhabitants)} inhabitants)`);
  return parts.length > 0 ? parts.join(', ') : undefined;
}

function block(item: CoverageItem): string[] {
  const title = `${item.form.id} (${item.form.title.de}) in ${item.tenant.id} (${item.tenant.name.de})`;
  const rows = [
    [...HEADER],
    ...item.districts.map((d) => cells(d.key === d.name ? d.key : `${d.key} ${d.name}`, d)),
    cells(`state ${item.tenant.regions.join(' ')}`, item.state),
  ];
  const lines = [title, ...layout(rows)];
  const missing = item.districts.filter((d) => d.missing.length > 0);
  if (missing.length > 0) {
    lines.push('missing:');
    for (const d of missing) lines.push(`  ${d.key} ${d.name === d.key ? '' : `${d.name} `}(${d.missing.length}): ${d.missing.map(missingText).join(', ')}`);
  }
  const pending = [
    ...item.districts.map((d) => ({ label: d.key === d.name ? d.key : `${d.key} ${d.name}`, text: notLiveText(d) })),
    { label: `state ${item.tenant.regions.join(' ')}`, text: notLiveText(item.state) },
  ].filter((p) => p.text !== undefined);
  if (pending.length > 1) {
    lines.push('not live yet (an authority is responsible, its route is planned, testing or paused):');
    for (const p of pending) lines.push(`  ${p.label}: ${p.text ?? ''}`);
  }
  const unknown = item.state.inhabitants.populationUnknown;
  if (unknown > 0) lines.push(`population unknown for ${number(unknown)} of ${number(item.state.municipalities.total)} municipalities (counted as 0 inhabitants)`);
  return lines;
}

/** "2026-12-01T09:30:00Z" (seconds are enough for an operator), "never" for null. */
const when = (at: string | null | undefined): string => (at === null || at === undefined ? 'never' : at.replace(/\.\d{3}Z$/, 'Z'));

function authoritiesBlock({ tenant, authorities }: TenantAuthorities, deliveriesKnown: boolean): string[] {
  if (authorities.length === 0) return [];
  const head = ['authority', 'channel', ...ROLLOUT_STATES, ...(deliveriesKnown ? ['last test', 'last real delivery'] : [])];
  const rows = [head, ...authorities.map((a) => [
    a.id, a.channel, ...ROLLOUT_STATES.map((state) => String(a.responsibilities[state])),
    ...(deliveriesKnown ? [when(a.lastSuccessfulTestAt), when(a.lastRealDeliveryAt)] : []),
  ])];
  const numeric = head.map((_, c) => c >= 2 && c < 2 + ROLLOUT_STATES.length);
  const lines = [`authorities of ${tenant.id} (${tenant.name.de}), responsibilities by rollout state:`, ...layout(rows, numeric)];
  const untested = authorities.filter((a) => a.liveWithoutDelivery === true);
  if (untested.length > 0) {
    lines.push(`live, but the channel never took a delivery (test or real): ${untested.map((a) => a.id).join(', ')} (efa-forms test-delivery <authority-id>)`);
  }
  return lines;
}

export function renderCoverageTable(report: CoverageReport): string {
  if (report.items.length === 0) return `coverage at ${report.generatedAt}: no form or no tenant to count\n`;
  const authorities = report.authorities.map((t) => authoritiesBlock(t, report.deliveriesKnown)).filter((lines) => lines.length > 0);
  return [
    `coverage at ${report.generatedAt}`,
    ...report.items.map((item) => ['', ...block(item)].join('\n')),
    ...authorities.map((lines) => ['', ...lines].join('\n')),
  ].join('\n') + '\n';
}
