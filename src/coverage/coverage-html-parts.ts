import { formatNumber } from '../i18n/formatters';
import type { LocalizedText } from '../i18n/language';
import { format } from '../i18n/translator';

/** Pieces the coverage page's sections share (coverage-html.ts, coverage-html-authorities.ts). */

export function escapeHtml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** German text, then its English in its own line, marked as English for screen readers (WCAG 3.1.2). */
export function both(text: LocalizedText, values: Readonly<Record<string, string | number>> = {}): string {
  return `${escapeHtml(format(text.de, values))} <span class="en" lang="en">${escapeHtml(format(text.en, values))}</span>`;
}

export function german(text: LocalizedText, values: Readonly<Record<string, string | number>> = {}): string {
  return escapeHtml(format(text.de, values));
}

export const number = (value: number): string => formatNumber(value, 'de');

/** A table inside a region that scrolls sideways on its own and can be reached by keyboard. */
export function scrollingTable(id: string, caption: string, head: string, body: string, foot = ''): string {
  return `<div class="scroll" role="region" aria-labelledby="${id}" tabindex="0"><table>` +
    `<caption id="${id}">${caption}</caption><thead>${head}</thead><tbody>${body}</tbody>${foot === '' ? '' : `<tfoot>${foot}</tfoot>`}</table></div>`;
}
