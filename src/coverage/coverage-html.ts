import { COVERAGE_PAGE_TEXTS as T } from '../i18n/coverage-texts';
import { formatCalendarDate, formatLongDateTime } from '../i18n/formatters';
import { format } from '../i18n/translator';
import { authoritiesSection } from './coverage-html-authorities';
import { both, escapeHtml, german, number, scrollingTable } from './coverage-html-parts';
import { PENDING_ROLLOUTS, type AreaCoverage, type CoverageCount, type CoverageItem, type CoverageReport, type DistrictCoverage, type MissingMunicipality } from './coverage';

/**
 * The coverage report as one self-contained HTML page a ministry can open from a file or an
 * e-mail: German (lang="de") with the English of headings beside it (lang="en"), no script, no
 * external resource. Each form × tenant gets a table by district with a bar per share; the bar
 * is decoration (aria-hidden), the share is always written as text beside it, so nothing is
 * said by colour or shape alone (WCAG 1.4.1). Tables scroll inside their own focusable region,
 * so the page itself reflows at 320 px (WCAG 1.4.10). Every value is escaped. After the areas,
 * each tenant's authorities with their rollout counts and last deliveries
 * (coverage-html-authorities.ts).
 */

// A narrow no-break space keeps "62,5 %" on one line, as German typesetting writes it.
const percentText = (value: number): string => `${number(value)}\u202F%`;

/** The bar widths used on the page: one CSS class per whole percent, so no style attribute is needed. */
class Bars {
  private readonly widths = new Set<number>();

  bar(percent: number): string {
    const width = Math.floor(percent);
    this.widths.add(width);
    return `<span class="bar" aria-hidden="true"><span class="fill w${width}"></span></span>`;
  }

  css(): string {
    return [...this.widths].sort((a, b) => a - b).map((w) => `.w${w}{width:${w}%}`).join('');
  }
}

function countCell(count: CoverageCount, bars: Bars): string {
  const share = count.percent === null ? german(T.unknown) : `${bars.bar(count.percent)}${percentText(count.percent)}`;
  return `<td class="num">${german(T.countOf, { online: number(count.online), total: number(count.total) })}<br>${share}</td>`;
}

/** The planned, testing and paused routes of an area, one line each; "keine" when there are none. */
function notLiveCell(area: AreaCoverage): string {
  const lines = PENDING_ROLLOUTS.filter((state) => area.notLive[state].municipalities > 0)
    .map((state) => german(T.rolloutCount, { state: T[state].de, municipalities: number(area.notLive[state].municipalities), inhabitants: number(area.notLive[state].inhabitants) }));
  return `<td>${lines.length > 0 ? lines.join('<br>') : german(T.notLiveNone)}</td>`;
}

function areaCells(area: AreaCoverage, bars: Bars): string {
  return countCell(area.municipalities, bars) + countCell(area.inhabitants, bars) + `<td>${german(area.complete ? T.yes : T.no)}</td>` + notLiveCell(area);
}

/** A missing municipality, with the state of its route when an authority is responsible. */
function missingItem(m: MissingMunicipality): string {
  const state = m.rollout === undefined
    ? ''
    : ` – ${m.plannedFrom !== undefined ? german(T.plannedFrom, { date: formatCalendarDate(m.plannedFrom, 'de') }) : german(T[m.rollout])}`;
  return `<li>${escapeHtml(m.name)} <span class="key">(${escapeHtml(m.ars)})</span>${state}</li>`;
}

function districtLabel(d: DistrictCoverage): string {
  return d.name === d.key ? escapeHtml(d.key) : `${escapeHtml(d.name)} <span class="key">(${escapeHtml(d.key)})</span>`;
}

const areaHeads = (): string =>
  `<th scope="col">${both(T.municipalitiesOnline)}</th><th scope="col">${both(T.inhabitantsOnline)}</th><th scope="col">${both(T.complete)}</th><th scope="col">${both(T.notLive)}</th>`;

function overview(items: readonly CoverageItem[], bars: Bars): string {
  const rows = items.map((item, i) =>
    `<tr><th scope="row"><a href="#item-${i + 1}">${escapeHtml(item.form.title.de)}</a></th><td>${escapeHtml(item.tenant.name.de)}</td>${areaCells(item.state, bars)}</tr>`).join('');
  return `<h2>${both(T.overview)}</h2>` +
    scrollingTable('overview-caption', both(T.overviewCaption), `<tr><th scope="col">${both(T.form)}</th><th scope="col">${both(T.tenant)}</th>${areaHeads()}</tr>`, rows);
}

function missingList(item: CoverageItem): string {
  const districts = item.districts.filter((d) => d.missing.length > 0);
  if (districts.length === 0) return `<p>${german(T.noneMissing)}</p>`;
  return districts.map((d) => {
    const label = d.name === d.key ? d.key : `${d.name} (${d.key})`;
    const names = d.missing.map(missingItem).join('');
    return `<details><summary>${german(T.missingInDistrict, { district: label, count: number(d.missing.length) })}</summary><ul>${names}</ul></details>`;
  }).join('');
}

/** Explains "not live yet" under a section whose area has such routes. */
function pendingNote(item: CoverageItem): string {
  return PENDING_ROLLOUTS.some((state) => item.state.notLive[state].municipalities > 0) ? `<p>${german(T.notLiveNote)}</p>` : '';
}

function section(item: CoverageItem, index: number, bars: Bars): string {
  const id = `item-${index + 1}`;
  const form = item.form.title.de;
  const tenant = item.tenant.name.de;
  const rows = item.districts.map((d) => `<tr><th scope="row">${districtLabel(d)}</th>${areaCells(d, bars)}</tr>`).join('');
  const foot = `<tr><th scope="row">${both(T.wholeState)}</th>${areaCells(item.state, bars)}</tr>`;
  const caption = `${german(T.districtCaption, { form, tenant })} <span class="en" lang="en">${escapeHtml(format(T.districtCaption.en, { form: item.form.title.en ?? form, tenant: item.tenant.name.en ?? tenant }))}</span>`;
  const unknown = item.state.inhabitants.populationUnknown;
  const note = unknown === 0 ? '' : `<p>${german(T.populationUnknown, { count: number(unknown), total: number(item.state.municipalities.total) })}</p>`;
  return `<section aria-labelledby="${id}"><h2 id="${id}">${escapeHtml(form)} – ${escapeHtml(tenant)}</h2>` +
    scrollingTable(`${id}-caption`, caption, `<tr><th scope="col">${both(T.district)}</th>${areaHeads()}</tr>`, rows, foot) +
    note + `<h3>${both(T.missing)}</h3>${missingList(item)}${pendingNote(item)}</section>`;
}

const STYLE = [
  'body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",sans-serif;line-height:1.5;color:#1a1a1a;background:#fff}',
  'main{max-width:72rem;margin:0 auto;padding:1rem}',
  '.en{display:block;font-size:.85em;font-weight:normal;color:#474747}',
  '.key{color:#474747;white-space:nowrap}',
  '.scroll{overflow-x:auto;margin:.5rem 0 1rem}',
  '.scroll:focus{outline:3px solid #1f4e79;outline-offset:2px}',
  'table{border-collapse:collapse}',
  'caption{text-align:left;font-weight:bold;padding:.25rem 0}',
  'th,td{border:1px solid #6b6b6b;padding:.35rem .6rem;text-align:left;vertical-align:top}',
  'thead th,tfoot th,tfoot td{background:#f0f0f0}',
  'td.num{text-align:right;white-space:nowrap}',
  // The bar: a dark fill in a bordered track; both keep 3:1 against their neighbours (WCAG 1.4.11).
  '.bar{display:inline-block;width:6rem;height:.75rem;margin-right:.4rem;border:1px solid #1a1a1a;background:#fff;vertical-align:middle}',
  '.fill{display:block;height:100%;background:#1f4e79;print-color-adjust:exact;-webkit-print-color-adjust:exact}',
  '@media (forced-colors:active){.fill{background:CanvasText}.bar{border-color:CanvasText}}',
  'a{color:#1f4e79}',
  'summary{cursor:pointer}',
  // On a phone the tables keep their columns and scroll; shorter bars make that rarer.
  '@media (max-width:40rem){main{padding:.5rem}th,td{padding:.3rem .4rem}.bar{width:3.5rem}}',
].join('\n');

export function renderCoverageHtml(report: CoverageReport): string {
  const bars = new Bars();
  const at = new Date(report.generatedAt);
  const date = { de: formatLongDateTime(at, 'de'), en: formatLongDateTime(at, 'en') };
  const content = report.items.length === 0
    ? `<p>${german(T.noItems)}</p>`
    : overview(report.items, bars) + report.items.map((item, i) => section(item, i, bars)).join('') + authoritiesSection(report);
  const generated = `${german(T.generatedAt, { date: date.de })} <span class="en" lang="en">${escapeHtml(format(T.generatedAt.en, { date: date.en }))}</span>`;
  return '<!doctype html>\n<html lang="de"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>${german(T.title)} – ${german(T.generatedAt, { date: date.de })}</title>` +
    `<style>\n${STYLE}\n${bars.css()}\n</style></head>` +
    `<body><main><h1>${both(T.title)}</h1><p>${generated}</p><p>${german(T.intro)}</p>${content}</main></body></html>\n`;
}
