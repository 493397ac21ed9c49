import type { Language } from '../i18n/language';
import { localize } from '../i18n/language';
import type { UiStrings } from '../i18n/translator';
import type { MunicipalitySearch } from '../routing/municipality-search';
import { applies } from './applicability';
import { getAtPointer } from '../support/json-pointer';
import type { FormNode, FormStep, QuestionTree } from './form-tree';
import type { DisplayContext, FileFacts } from './kinds/field-kind';
import { fileLines } from './kinds/file';
import { kindOf } from './kinds/index';

export type { DisplayContext, FileFacts } from './kinds/field-kind';

/**
 * The answers of a step as people read them: the check page shows them as rows, the receipt
 * (src/receipts) as a tree with numbered list items. Both come from the same walk, so the check
 * page and the receipt never disagree about what was answered.
 */

export interface SummaryRow {
  readonly label: string;
  readonly value: string;
  /** A file question's files, one line each ("scan.pdf (1,2 MB)"): the check page lists them. */
  readonly lines?: readonly string[];
  readonly changeUrl: string;
}

/** One answered question: its label, the answer as displayed and where it sits in the data. */
export interface SummaryAnswer {
  readonly kind: 'answer';
  readonly label: string;
  /** As displayed; a file question's files one per line. */
  readonly value: string;
  readonly pointer: string;
  /** A file question's files, one line each ("scan.pdf (1,2 MB)"), as `value` joins them. */
  readonly lines?: readonly string[];
}

/** A list question ("Hunde"): one numbered item ("Hund 1", "Hund 2") with its answers each. */
export interface SummaryList {
  readonly kind: 'list';
  readonly label: string;
  readonly items: ReadonlyArray<{ readonly title: string; readonly entries: readonly SummaryEntry[] }>;
  /** Where the list is, for the change link of an empty list. */
  readonly pointer: string;
}

export type SummaryEntry = SummaryAnswer | SummaryList;

/**
 * The answers of one step in form order, lists as numbered items. Questions that do not apply
 * are left out; the region question only appears on the region step (it also sits inside an
 * address group of another step). Unanswered questions are included with an empty value.
 */
export function summaryEntries(form: QuestionTree, step: FormStep, data: unknown, context: DisplayContext): SummaryEntry[] {
  const { language } = context;
  const visit = (node: FormNode, pointer: string, into: SummaryEntry[]): void => {
    if (!applies(node, pointer, data)) return;
    if (node.pattern === form.regionPattern && step.kind !== 'region') return;
    const label = localize(node.label, language) ?? node.name;
    if (node.kind === 'leaf') {
      const value = getAtPointer(data, pointer);
      const lines = node.widget === 'file' ? { lines: fileLines(value, context) } : {};
      into.push({ kind: 'answer', label, value: kindOf(node).display(node, value, context), pointer, ...lines });
    } else if (node.kind === 'group') {
      for (const child of node.children) visit(child, `${pointer}/${child.name}`, into);
    } else {
      const list = getAtPointer(data, pointer);
      const itemLabel = localize(node.itemLabel, language) ?? label;
      const items = (Array.isArray(list) ? list : []).map((_, i) => {
        const entries: SummaryEntry[] = [];
        visit(node.item, `${pointer}/${i}`, entries);
        return { title: `${itemLabel} ${i + 1}`, entries };
      });
      into.push({ kind: 'list', label, items, pointer });
    }
  };
  const entries: SummaryEntry[] = [];
  for (const node of step.nodes) visit(node, node.pattern, entries);
  return entries;
}

/** The rows of one step on the check page, lists numbered ("Hund 2 – Name"); `files` names the draft's uploads. */
export function summaryRows(
  form: QuestionTree, step: FormStep, data: unknown, language: Language, strings: UiStrings,
  municipalities: MunicipalitySearch, changeUrl: (fieldPointer: string) => string, files?: FileFacts,
): SummaryRow[] {
  const rows: SummaryRow[] = [];
  const flatten = (entries: readonly SummaryEntry[], prefix: string): void => {
    for (const entry of entries) {
      if (entry.kind === 'answer') {
        rows.push({
          label: prefix ? `${prefix} – ${entry.label}` : entry.label, value: entry.value, changeUrl: changeUrl(entry.pointer),
          ...(entry.lines ? { lines: entry.lines } : {}),
        });
      } else if (entry.items.length === 0) {
        // An empty list still gets its row, shown as not answered, with its change link.
        rows.push({ label: prefix ? `${prefix} – ${entry.label}` : entry.label, value: '', changeUrl: changeUrl(entry.pointer) });
      } else {
        for (const item of entry.items) flatten(item.entries, `${prefix ? `${prefix} – ` : ''}${item.title}`);
      }
    }
  };
  flatten(summaryEntries(form, step, data, { language, strings, municipalities, ...(files ? { files } : {}) }), '');
  return rows;
}
