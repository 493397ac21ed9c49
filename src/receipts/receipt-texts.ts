/**
 * The receipt's wording lives in src/i18n/receipt-texts.ts; this re-export keeps the old
 * import path working until receipt-model.ts imports it from there (issue 10), then it goes.
 */
export { RECEIPT_TEXTS, type ReceiptTexts } from '../i18n/receipt-texts';
