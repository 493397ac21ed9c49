import { formatEuroCents } from '../i18n/formatters';
import { localize, type Language, type LocalText } from '../i18n/language';
import type { ReceiptTexts } from '../i18n/receipt-texts';
import { format } from '../i18n/translator';

/** What the receipt prints of the local parameters that held at acceptance. */
export interface ReceiptParameters {
  /** "120,00 € (Hundesteuer je Hund und Jahr)". */
  readonly fee?: string;
  readonly legalBasis?: string;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function localText(value: unknown): LocalText | undefined {
  if (!isObject(value) || typeof value.de !== 'string' || value.de === '') return undefined;
  return typeof value.en === 'string' && value.en !== '' ? { de: value.de, en: value.en } : { de: value.de };
}

function parsed(json: string): unknown {
  try {
    return JSON.parse(json);
  } catch {
    return undefined;
  }
}

/**
 * The fee and legal basis from a submission's `parametersJson` (the LocalParameters stored at
 * acceptance), in the receipt's language. The column is written by our own code, but a receipt
 * must render whatever a row holds (an older or hand-edited row): anything that is not JSON or
 * not of the expected shape is left out, field by field, never an error. Pure.
 */
export function receiptParameters(parametersJson: string | undefined, language: Language, texts: ReceiptTexts): ReceiptParameters {
  const value = parametersJson === undefined ? undefined : parsed(parametersJson);
  if (!isObject(value)) return {};
  const result: { fee?: string; legalBasis?: string } = {};
  const fee = value.fee;
  const purpose = isObject(fee) ? localText(fee.purpose) : undefined;
  if (isObject(fee) && purpose && fee.currency === 'EUR' && Number.isSafeInteger(fee.amountCents) && (fee.amountCents as number) >= 0) {
    result.fee = format(texts.feeValue, { amount: formatEuroCents(fee.amountCents as number, language), purpose: localize(purpose, language) ?? purpose.de });
  }
  const legalBasis = localText(value.legalBasis);
  if (legalBasis) result.legalBasis = localize(legalBasis, language) ?? legalBasis.de;
  return result;
}
