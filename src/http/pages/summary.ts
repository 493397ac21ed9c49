import type { Language } from '../../errors';
import { localize } from '../../forms/form-definition';
import { getAtPointer } from '../../forms/json-pointer';
import { applies } from '../../render/answers';
import type { FormModel, FormNode, FormStep, LeafNode } from '../../render/form-model';
import type { UiStrings } from '../../render/templates';
import type { MunicipalitySearch } from '../../routing/municipality-search';

export interface SummaryRow {
  readonly label: string;
  readonly value: string;
  readonly changeUrl: string;
}

function formatDate(value: string, language: Language): string {
  const match = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(value);
  if (!match) return value;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return new Intl.DateTimeFormat(language === 'en' ? 'en-GB' : 'de-DE', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(date);
}

/** How an answer reads on the check page: option labels, Ja/Nein, dates in words. */
export function displayValue(node: LeafNode, value: unknown, language: Language, strings: UiStrings, municipalities: MunicipalitySearch): string {
  if (value === undefined || value === null || value === '') return '';
  if (node.widget === 'region' && typeof value === 'string') return municipalities.byArs(value)?.municipality.name ?? value;
  if (typeof value === 'boolean') return value ? (strings.yes ?? 'Ja') : (strings.no ?? 'Nein');
  const label = (v: unknown) => localize(node.options.find((o) => o.value === v)?.label, language) ?? String(v);
  if (Array.isArray(value)) return value.map(label).join(', ');
  if (node.options.length > 0) return label(value);
  if (node.widget === 'date' && typeof value === 'string') return formatDate(value, language);
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

/** The rows of one step on the check page, lists numbered ("Hund 2 – Name"). */
export function summaryRows(
  model: FormModel, step: FormStep, data: unknown, language: Language, strings: UiStrings,
  municipalities: MunicipalitySearch, changeUrl: (fieldPointer: string) => string,
): SummaryRow[] {
  const rows: SummaryRow[] = [];
  const visit = (node: FormNode, pointer: string, prefix: string): void => {
    if (!applies(node, pointer, data)) return;
    if (node.pattern === model.regionPattern && step.id !== 'gemeinde') return;
    const label = localize(node.label, language) ?? node.name;
    if (node.kind === 'leaf') {
      rows.push({ label: prefix ? `${prefix} – ${label}` : label, value: displayValue(node, getAtPointer(data, pointer), language, strings, municipalities), changeUrl: changeUrl(pointer) });
    } else if (node.kind === 'group') {
      for (const child of node.children) visit(child, `${pointer}/${child.name}`, prefix);
    } else {
      const list = getAtPointer(data, pointer);
      const itemLabel = localize(node.itemLabel, language) ?? label;
      (Array.isArray(list) ? list : []).forEach((_, i) => visit(node.item, `${pointer}/${i}`, `${prefix ? `${prefix} – ` : ''}${itemLabel} ${i + 1}`));
    }
  };
  for (const node of step.nodes) visit(node, node.pattern, '');
  return rows;
}

