import type { Language } from './language';

/**
 * Dates and times as citizens and authorities read them: always in Europe/Berlin (the server's
 * own time zone must not matter), German or British English conventions. Formatters are built
 * once; Intl.DateTimeFormat is costly to create and cheap to use.
 */
const TIME_ZONE = 'Europe/Berlin';
const LOCALES: Readonly<Record<Language, string>> = { de: 'de-DE', en: 'en-GB' };

function perLanguage(options: Intl.DateTimeFormatOptions): Readonly<Record<Language, Intl.DateTimeFormat>> {
  return { de: new Intl.DateTimeFormat(LOCALES.de, options), en: new Intl.DateTimeFormat(LOCALES.en, options) };
}

const LONG_DATE = perLanguage({ dateStyle: 'long', timeZone: TIME_ZONE });
const LONG_DATE_TIME = perLanguage({ dateStyle: 'long', timeStyle: 'short', timeZone: TIME_ZONE });
// A calendar date typed by the citizen has no time zone: it is shown as the day it names.
const CALENDAR_DATE = perLanguage({ day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
// The receipt: "01.12.2026, 14:05" in German, "1 December 2026, 14:05" in English.
const RECEIPT_DATE_TIME: Readonly<Record<Language, Intl.DateTimeFormat>> = {
  de: new Intl.DateTimeFormat(LOCALES.de, { day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: TIME_ZONE }),
  en: new Intl.DateTimeFormat(LOCALES.en, { day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: TIME_ZONE }),
};

/** "1. Dezember 2026" / "1 December 2026", in Berlin. */
export function formatLongDate(at: Date, language: Language): string {
  return LONG_DATE[language].format(at);
}

/** "1. Dezember 2026 um 14:05" / "1 December 2026 at 14:05", in Berlin. */
export function formatLongDateTime(at: Date, language: Language): string {
  return LONG_DATE_TIME[language].format(at);
}

/**
 * The receipt's time of receipt in Berlin, assembled from parts: the connecting words ICU puts
 * between date and time ("at", ",") differ between ICU versions, the receipt's must not.
 */
export function formatReceivedAt(at: Date, language: Language): string {
  const parts = Object.fromEntries(RECEIPT_DATE_TIME[language].formatToParts(at).map((p) => [p.type, p.value]));
  const time = `${parts.hour ?? ''}:${parts.minute ?? ''}`;
  return language === 'en'
    ? `${parts.day ?? ''} ${parts.month ?? ''} ${parts.year ?? ''}, ${time}`
    : `${parts.day ?? ''}.${parts.month ?? ''}.${parts.year ?? ''}, ${time} Uhr`;
}

/** A date answer (YYYY-MM-DD) in words; anything else is returned as it is. */
export function formatCalendarDate(value: string, language: Language): string {
  const match = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(value);
  if (!match) return value;
  return CALENDAR_DATE[language].format(new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))));
}

const CURRENCY: Readonly<Record<Language, Intl.NumberFormat>> = {
  de: new Intl.NumberFormat(LOCALES.de, { style: 'currency', currency: 'EUR' }),
  en: new Intl.NumberFormat(LOCALES.en, { style: 'currency', currency: 'EUR' }),
};

/** An amount in cents as "12,50 €" / "€12.50" (fees, issue 12). */
export function formatEuroCents(cents: number, language: Language): string {
  return CURRENCY[language].format(cents / 100);
}

/** A number as written in the language ("1.234,5" / "1,234.5"). */
export function formatNumber(value: number, language: Language): string {
  return value.toLocaleString(LOCALES[language], { maximumFractionDigits: 20 });
}
