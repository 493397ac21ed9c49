import type { LocalizedText } from './language';

/**
 * Texts of the e-mail to an authority (src/delivery/email/authority-email.ts). Authorities read
 * German (templates/email/authority.de.*); the English text is there so that every text of
 * src/i18n has both languages, as the tests require.
 */

/** Said to the authority in place of the receipt's attachment line when there is no PDF. */
export const AUTHORITY_NO_RECEIPT_NOTE: LocalizedText = {
  de: 'Die Eingangsbestätigung (PDF) konnte nicht erstellt werden. Die Antragsdaten sind vollständig im XML-Anhang enthalten.',
  en: 'The confirmation of receipt (PDF) could not be produced. The application data are complete in the XML attachment.',
};

/**
 * Put before the subject of every e-mail of a test delivery or a tester's submission (to the
 * authority and to the tester), so a mailbox rule can sort it out; the same in both languages on
 * purpose: a filter looks for one string.
 */
export const TEST_SUBJECT_PREFIX: LocalizedText = { de: '[TEST] ', en: '[TEST] ' };
