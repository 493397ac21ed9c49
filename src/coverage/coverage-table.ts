import { formatNumber } from '../i18n/formatters';
import type { AreaCoverage, CoverageItem, CoverageReport } from './coverage';

/**
 * The coverage report as plain text for an operator's terminal: per form × tenant a block with
 * one row per district and a last row for the whole tenant, then the municipalities still
 * missing, one line per district. Operators' output, in English like the rest of the CLI; the
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

function layout(rows: readonly string[][]): string[] {
  const widths = HEADER.map((_, c) => Math.max(...rows.map((row) => [...(row[c] ?? '')].length)));
  return rows.map((row) => row
    .map((cell, c) => {
      const pad = ' '.repeat((widths[c] ?? 0) - [...cell].length);
      return NUMERIC[c] ? pad + cell : cell + pad;
    })
    .join('  ')
    .trimEnd());
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
    for (const d of missing) lines.push(`  ${d.key} ${d.name === d.key ? '' : `${d.name} `}(${d.missing.length}): ${d.missing.map((m) => `${m.name} ${m.ars}`).join(', ')}`);
  }
  const unknown = item.state.inhabitants.populationUnknown;
  if (unknown > 0) lines.push(`population unknown for ${number(unknown)} of ${number(item.state.municipalities.total)} municipalities (counted as 0 inhabitants)`);
  return lines;
}

export function renderCoverageTable(report: CoverageReport): string {
  if (report.items.length === 0) return `coverage at ${report.generatedAt}: no form or no tenant to count\n`;
  return [`coverage at ${report.generatedAt}`, ...report.items.map((item) => ['', ...block(item)].join('\n'))].join('\n') + '\n';
}
