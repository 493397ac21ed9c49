import { PENDING_ROLLOUTS, type AreaCoverage, type CoverageReport, type MissingMunicipality } from './coverage';

/**
 * The coverage report as CSV for spreadsheets and scripts (RFC 4180): comma-separated, a header
 * row, CRLF line ends, fields quoted only when they hold a comma, quote or line break. One row per
 * form × tenant × area: the tenant as a whole (`level` state) and each district (`level`
 * district). Numbers are plain (no thousands separator, dot decimals); a percentage is empty when
 * the area has nothing to count. The last six columns count the municipalities and inhabitants
 * whose responsible route is planned, testing or paused (not online; also among missing_ars);
 * they come last so scripts reading the earlier columns by position keep working.
 * docs/operators.md describes the columns. The authorities of the report are a CSV of their own
 * (coverage-authorities-csv.ts).
 */
export const COVERAGE_CSV_COLUMNS = [
  'form_id', 'tenant_id', 'level', 'area_key', 'area_name',
  'municipalities', 'municipalities_online', 'municipalities_percent',
  'inhabitants', 'inhabitants_online', 'inhabitants_percent', 'population_unknown',
  'complete', 'missing_ars',
  'planned_municipalities', 'planned_inhabitants', 'testing_municipalities', 'testing_inhabitants',
  'paused_municipalities', 'paused_inhabitants',
] as const;

/** One CSV field: quoted only when it holds a comma, quote or line break (RFC 4180). */
export function csvField(value: string | number | boolean | null): string {
  const text = value === null ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function areaFields(area: AreaCoverage, missing: readonly MissingMunicipality[]): Array<string | number | boolean | null> {
  const { municipalities: m, inhabitants: i } = area;
  return [
    m.total, m.online, m.percent === null ? null : m.percent.toFixed(1),
    i.total, i.online, i.percent === null ? null : i.percent.toFixed(1), i.populationUnknown,
    area.complete, missing.map((x) => x.ars).join(' '),
    ...PENDING_ROLLOUTS.flatMap((state) => [area.notLive[state].municipalities, area.notLive[state].inhabitants]),
  ];
}

export function renderCoverageCsv(report: CoverageReport): string {
  const rows: Array<ReadonlyArray<string | number | boolean | null>> = [COVERAGE_CSV_COLUMNS];
  for (const item of report.items) {
    const prefix = [item.form.id, item.tenant.id];
    rows.push([...prefix, 'state', item.tenant.regions.join(' '), item.tenant.name.de, ...areaFields(item.state, item.districts.flatMap((d) => d.missing))]);
    for (const district of item.districts) {
      rows.push([...prefix, 'district', district.key, district.name, ...areaFields(district, district.missing)]);
    }
  }
  return rows.map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}
