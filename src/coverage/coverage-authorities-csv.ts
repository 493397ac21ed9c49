import { ROLLOUT_STATES } from '../routing/tenant';
import type { CoverageReport } from './coverage';
import { csvField } from './coverage-csv';

/**
 * The authorities section of the coverage report as a CSV of its own (`efa-forms coverage
 * --format csv --authorities`, `GET /api/admin/coverage?csv=authorities`): a second table in
 * the areas' CSV would break every reader that expects one header row, so it is a second file.
 * Same dialect as the areas' CSV (RFC 4180, CRLF, plain numbers). One row per authority of each
 * tenant, in the order of the tenant file; the delivery columns are empty when the report was
 * made without the store (deliveries unknown) and also when the channel never took anything
 * (then `live_without_delivery` says `true` for a live responsibility, `false` otherwise).
 * docs/operators.md describes the columns.
 */
export const COVERAGE_AUTHORITIES_CSV_COLUMNS = [
  'tenant_id', 'authority_id', 'authority_name', 'channel',
  ...ROLLOUT_STATES.map((state) => `${state}_responsibilities`),
  'last_successful_test_at', 'last_real_delivery_at', 'live_without_delivery',
] as const;

export function renderCoverageAuthoritiesCsv(report: CoverageReport): string {
  const rows: Array<ReadonlyArray<string | number | boolean | null>> = [COVERAGE_AUTHORITIES_CSV_COLUMNS];
  for (const { tenant, authorities } of report.authorities) {
    for (const a of authorities) {
      rows.push([
        tenant.id, a.id, a.name, a.channel,
        ...ROLLOUT_STATES.map((state) => a.responsibilities[state]),
        a.lastSuccessfulTestAt ?? null, a.lastRealDeliveryAt ?? null, a.liveWithoutDelivery ?? null,
      ]);
    }
  }
  return rows.map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}
