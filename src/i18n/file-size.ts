import type { Language } from './language';

/**
 * File sizes as citizens read them next to an upload and on the receipt: "10 MB", "1,5 MB",
 * "820 KB" in German, "1.5 MB" in English. Binary multiples (1 MB = 1,048,576 bytes), as file
 * managers show them, so a 10 MB limit reads "10 MB" and a file the citizen's computer calls
 * 9.8 MB is shown the same here; one decimal at most, none from 100 on.
 */
const UNITS = ['KB', 'MB', 'GB'] as const;
const BYTE_WORD: Readonly<Record<Language, { readonly one: string; readonly many: string }>> = {
  de: { one: 'Byte', many: 'Bytes' },
  en: { one: 'byte', many: 'bytes' },
};
const LOCALES: Readonly<Record<Language, string>> = { de: 'de-DE', en: 'en-GB' };
const ONE_DECIMAL: Readonly<Record<Language, Intl.NumberFormat>> = {
  de: new Intl.NumberFormat(LOCALES.de, { maximumFractionDigits: 1 }),
  en: new Intl.NumberFormat(LOCALES.en, { maximumFractionDigits: 1 }),
};
const WHOLE: Readonly<Record<Language, Intl.NumberFormat>> = {
  de: new Intl.NumberFormat(LOCALES.de, { maximumFractionDigits: 0 }),
  en: new Intl.NumberFormat(LOCALES.en, { maximumFractionDigits: 0 }),
};

export function formatFileSize(bytes: number, language: Language): string {
  if (bytes < 1024) return `${WHOLE[language].format(bytes)}\u00a0${bytes === 1 ? BYTE_WORD[language].one : BYTE_WORD[language].many}`;
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  // 1023.96 KB would round to "1.024 KB": shown as the next unit instead.
  if (Math.round(value * 10) / 10 >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const number = (value >= 100 ? WHOLE : ONE_DECIMAL)[language].format(value);
  // A non-breaking space keeps "10 MB" on one line.
  return `${number}\u00a0${UNITS[unit]}`;
}
