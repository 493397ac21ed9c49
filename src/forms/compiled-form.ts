import type { FieldError } from '../errors';
import type { Language } from '../i18n/language';
import type { FieldIndex } from './field-index';
import type { FormDefinition } from './form-definition';
import type { QuestionTree } from './form-tree';

/**
 * A form as everything uses it, loaded once (form-registry.ts): its frozen definition, its field
 * index (types, limits, schema order), its compiled validator and its question tree. Validation,
 * pages, summary, receipt, XML payload and XSD all read this one object.
 */
export interface CompiledForm extends QuestionTree {
  readonly definition: FormDefinition;
  readonly fields: FieldIndex;
  /**
   * Validates answers (normalised with normalize-answers.ts): characters and keys that must never
   * be stored first, then the input limits, then the schema. Returns citizen-facing errors in the
   * given language (empty when valid), at most MAX_FIELD_ERRORS + 1 (see input-limits.ts).
   */
  validate(data: unknown, language: Language): FieldError[];
  /**
   * The first two stages of validate alone: what may not even be kept in a draft (unsafe
   * characters or keys, answers beyond the input limits). Empty when the answers may be stored.
   */
  storageErrors(data: unknown, language: Language): FieldError[];
}
