import type { LocalizedText } from './language';

/** Titles of the steps the question tree (src/forms/question-tree.ts) makes up itself. */

/** The first step, asking for the municipality (the form's region field). */
export const REGION_STEP_TITLE: LocalizedText = { de: 'Ihre Gemeinde', en: 'Your municipality' };

/** A step of several top-level questions the form's ui does not group. */
export const DETAILS_STEP_TITLE: LocalizedText = { de: 'Angaben', en: 'Details' };
