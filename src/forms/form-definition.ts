import type { LocalText } from '../i18n/language';

export interface UiStep {
  readonly id: string;
  readonly title: LocalText;
  readonly description?: LocalText;
  readonly fields: readonly string[];
}

export interface UiField {
  readonly label?: LocalText;
  readonly hint?: LocalText;
  readonly widget?: string;
  readonly autocomplete?: string;
  readonly itemLabel?: LocalText;
  readonly options?: Readonly<Record<string, LocalText>>;
  readonly messages?: Readonly<Record<string, LocalText>>;
  /** A file question: the media types it accepts (decided from each file's content). */
  readonly accept?: readonly string[];
  /** A file question: at most this many bytes per file. */
  readonly maxFileBytes?: number;
}

/** The content of FORMS_DIR/<id>/form.json (described by form-definition.schema.json). */
export interface FormDefinition {
  readonly id: string;
  readonly version: string;
  readonly serviceKey: string;
  readonly title: LocalText;
  readonly description?: LocalText;
  readonly schema: Readonly<Record<string, unknown>>;
  readonly ui?: {
    readonly steps?: readonly UiStep[];
    readonly fields?: Readonly<Record<string, UiField>>;
  };
  readonly routing: { readonly regionField: string };
  /** Where the applicant's e-mail address is, for the confirmation e-mail (optional). */
  readonly emailField?: string;
  /** Days after delivery (inbox: acknowledgement) until its submissions' personal data is deleted; RETENTION_DAYS when absent. */
  readonly retentionDays?: number;
}
