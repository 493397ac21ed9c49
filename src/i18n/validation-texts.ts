import type { LocalizedText } from './language';

/**
 * What a citizen is told about an answer that does not fit the form (src/forms/validation-messages.ts
 * decides which text applies; a form's ui.fields[…].messages can override it).
 */
export const VALIDATION_TEXTS = {
  fillIn: { de: 'Bitte füllen Sie dieses Feld aus.', en: 'Please fill in this field.' },
  choose: { de: 'Bitte wählen Sie eine Antwort aus.', en: 'Please select an answer.' },
  confirm: { de: 'Bitte bestätigen Sie diese Erklärung.', en: 'Please confirm this declaration.' },
  atLeastOneItem: { de: 'Bitte geben Sie mindestens einen Eintrag an.', en: 'Please add at least one entry.' },
  uploadFile: { de: 'Bitte laden Sie die Datei hoch.', en: 'Please upload the file.' },
  uploadFiles: { de: 'Bitte laden Sie mindestens {n} Dateien hoch.', en: 'Please upload at least {n} files.' },
  fillInGroup: { de: 'Bitte machen Sie hier Ihre Angaben.', en: 'Please provide these details.' },
  integer: { de: 'Bitte geben Sie eine ganze Zahl an, zum Beispiel 3.', en: 'Please enter a whole number, for example 3.' },
  number: { de: 'Bitte geben Sie eine Zahl an.', en: 'Please enter a number.' },
  text: { de: 'Bitte geben Sie hier einen Text ein.', en: 'Please enter text here.' },
  yesNo: { de: 'Bitte wählen Sie Ja oder Nein.', en: 'Please select yes or no.' },
  list: { de: 'Bitte geben Sie hier eine Liste von Einträgen an.', en: 'Please provide a list of entries here.' },
  checkFormat: { de: 'Bitte prüfen Sie die Schreibweise Ihrer Angabe.', en: 'Please check how you wrote this.' },
  check: { de: 'Bitte prüfen Sie diese Angabe.', en: 'Please check this answer.' },
  chooseOffered: { de: 'Bitte wählen Sie eine der angebotenen Antworten aus.', en: 'Please select one of the answers offered.' },
  notAllowed: { de: 'Diese Angabe ist hier nicht zulässig.', en: 'This answer is not allowed here.' },
  unknownField: {
    de: 'Diese Angabe gehört nicht zu diesem Formular. Bitte entfernen Sie sie.',
    en: 'This entry is not part of this form. Please remove it.',
  },
  unique: { de: 'Bitte geben Sie jeden Eintrag nur einmal an.', en: 'Please enter each entry only once.' },
  tooManyValues: {
    de: 'Die Angaben sind zu umfangreich. Bitte kürzen Sie Listen und Texte.',
    en: 'The answers are too extensive. Please shorten lists and texts.',
  },
} as const satisfies Record<string, LocalizedText>;

/** For answers that miss a string format, by format name (ajv-formats and german-formats.ts). */
export const FORMAT_TEXTS: Readonly<Record<string, LocalizedText>> = {
  date: { de: 'Bitte geben Sie ein gültiges Datum an (Tag, Monat, Jahr).', en: 'Please enter a real date (day, month, year).' },
  'date-time': { de: 'Bitte geben Sie ein gültiges Datum mit Uhrzeit an.', en: 'Please enter a real date and time.' },
  time: { de: 'Bitte geben Sie eine gültige Uhrzeit an, zum Beispiel 14:30.', en: 'Please enter a real time, for example 14:30.' },
  email: {
    de: 'Bitte geben Sie eine gültige E-Mail-Adresse an, zum Beispiel name@beispiel.de.',
    en: 'Please enter a valid e-mail address, for example name@example.com.',
  },
  'de-postal-code': {
    de: 'Bitte geben Sie die Postleitzahl mit 5 Ziffern an, zum Beispiel 99084.',
    en: 'Please enter the postcode as 5 digits, for example 99084.',
  },
  iban: {
    de: 'Bitte prüfen Sie die IBAN. Eine deutsche IBAN beginnt mit DE und hat 22 Zeichen ohne Leerzeichen.',
    en: 'Please check the IBAN. A German IBAN starts with DE and has 22 characters without spaces.',
  },
  ars: {
    de: 'Bitte wählen Sie Ihre Gemeinde aus (12-stelliger Amtlicher Regionalschlüssel).',
    en: 'Please select your municipality (12-digit official regional key).',
  },
  ags: {
    de: 'Bitte wählen Sie Ihre Gemeinde aus (8-stelliger Amtlicher Gemeindeschlüssel).',
    en: 'Please select your municipality (8-digit official municipality key).',
  },
  uri: { de: 'Bitte geben Sie eine vollständige Internetadresse an, zum Beispiel https://www.beispiel.de.', en: 'Please enter a complete web address, for example https://www.example.com.' },
};

/**
 * For answers beyond a schema limit, by JSON Schema keyword; {n} is the limit. A minLength or
 * minItems of 1 is said with VALIDATION_TEXTS.fillIn or .atLeastOneItem instead.
 */
export const LIMIT_TEXTS = {
  minLength: { de: 'Bitte geben Sie mindestens {n} Zeichen ein.', en: 'Please enter at least {n} characters.' },
  maxLength: { de: 'Bitte geben Sie höchstens {n} Zeichen ein.', en: 'Please enter no more than {n} characters.' },
  minimum: { de: 'Bitte geben Sie eine Zahl ab {n} an.', en: 'Please enter a number of {n} or more.' },
  maximum: { de: 'Bitte geben Sie eine Zahl bis höchstens {n} an.', en: 'Please enter a number of {n} or less.' },
  exclusiveMinimum: { de: 'Bitte geben Sie eine Zahl größer als {n} an.', en: 'Please enter a number greater than {n}.' },
  exclusiveMaximum: { de: 'Bitte geben Sie eine Zahl kleiner als {n} an.', en: 'Please enter a number less than {n}.' },
  multipleOf: { de: 'Bitte geben Sie ein Vielfaches von {n} an.', en: 'Please enter a multiple of {n}.' },
  minItems: { de: 'Bitte geben Sie mindestens {n} Einträge an.', en: 'Please add at least {n} entries.' },
  maxItems: { de: 'Bitte geben Sie höchstens {n} Einträge an.', en: 'Please add no more than {n} entries.' },
} as const satisfies Record<string, LocalizedText>;

/**
 * An item of a list in a field's description when the form gives no itemLabel: "Hunde, Eintrag 2".
 * {list} is the list's label, {n} the item's number from 1.
 */
export const LIST_ENTRY_LABEL: LocalizedText = { de: '{list}, Eintrag {n}', en: '{list}, entry {n}' };
