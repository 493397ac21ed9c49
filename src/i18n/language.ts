/**
 * The languages a citizen can read efa-forms in, and texts given in them. German is the
 * language of every authority; English is offered to citizens wherever a text exists in it.
 */
export type Language = 'de' | 'en';

export const LANGUAGES: readonly Language[] = ['de', 'en'];

/** A text every language has (catalogue texts written by us). */
export type LocalizedText = Readonly<Record<Language, string>>;

/** German text with an optional English translation (German is shown when English is missing). */
export interface LocalText {
  readonly de: string;
  readonly en?: string;
}

/** The text in the language asked for, German when there is no translation. */
export function localize(text: LocalText | undefined, language: Language): string | undefined {
  if (!text) return undefined;
  return language === 'en' ? (text.en ?? text.de) : text.de;
}
