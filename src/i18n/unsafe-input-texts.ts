import type { LocalizedText } from './language';

/** What a citizen is told about input refused by src/forms/unsafe-input.ts, whatever the form allows. */
export const UNSAFE_INPUT_TEXTS = {
  key: {
    de: 'Diese Angabe gehört nicht zu diesem Formular. Bitte entfernen Sie sie.',
    en: 'This entry is not part of this form. Please remove it.',
  },
  chars: {
    de: 'Ihre Angabe enthält unsichtbare Steuerzeichen. Bitte geben Sie den Text erneut ein, ohne ihn aus einer anderen Anwendung einzufügen.',
    en: 'Your answer contains invisible control characters. Please type the text again instead of pasting it from another application.',
  },
  marks: {
    de: 'Ihre Angabe enthält zu viele übereinanderstehende Zeichen (Akzente). Bitte geben Sie den Text erneut ein.',
    en: 'Your answer contains too many stacked characters (accents). Please type the text again.',
  },
  depth: {
    de: 'Die Angaben sind zu tief verschachtelt.',
    en: 'The answers are nested too deeply.',
  },
} as const satisfies Record<string, LocalizedText>;
