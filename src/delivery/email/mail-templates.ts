import type { Language } from '../../i18n/language';
import { loadAuthorityEmailTemplates, type AuthorityEmailTemplates } from './authority-email';
import { loadConfirmationTemplates, type ConfirmationTemplates } from './citizen-email';

/** Every e-mail template, compiled once at start. */
export interface MailTemplates {
  /** The applicant's confirmation, per language (templates/email/confirmation.<lang>.*.hbs). */
  readonly citizen: Record<Language, ConfirmationTemplates>;
  /** The authority's message, in German (templates/email/authority.de.*.hbs). */
  readonly authority: AuthorityEmailTemplates;
}

/** Loads the applicants' and the authorities' e-mail templates from TEMPLATES_DIR/email. */
export async function loadMailTemplates(templatesDir: string): Promise<MailTemplates> {
  const citizen = await loadConfirmationTemplates(templatesDir);
  const authority = await loadAuthorityEmailTemplates(templatesDir);
  return { citizen, authority };
}
