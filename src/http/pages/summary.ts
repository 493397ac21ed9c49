/** The check page's rows; the logic lives in src/render/summary.ts, shared with the receipt. */
export { displayValue, summaryRows, type SummaryRow } from '../../render/summary';
