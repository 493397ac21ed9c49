import type { DocumentMediaType } from '../support/media-type';

/** What a file question accepts (forms/form-tree.ts FileQuestion has this shape). */
export interface QuestionLimits {
  readonly accept: readonly DocumentMediaType[];
  /** The question's own cap; the installation's ATTACHMENT_MAX_FILE_BYTES caps it further. */
  readonly maxFileBytes?: number;
  readonly maxFiles: number;
}

/** The bytes one file of the question may have: its own cap, lowered to the installation's. */
export function maxBytesOfQuestion(question: Pick<QuestionLimits, 'maxFileBytes'>, installationMax: number): number {
  return Math.min(question.maxFileBytes ?? installationMax, installationMax);
}
