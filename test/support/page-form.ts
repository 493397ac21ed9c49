import { getAtPointer } from '../../src/support/json-pointer';
import { countName, datePartName } from '../../src/forms/form-post';
import type { CompiledForm as FormModel } from '../../src/forms/compiled-form';
import type { FormNode, FormStep } from '../../src/forms/form-tree';

/**
 * What a citizen would type into the page of one step to give these answers, as name/value
 * pairs of the HTML form (the names the templates use). Used to drive the pages in tests.
 */
export function stepFormFields(model: FormModel, step: FormStep, data: unknown): Array<[string, string]> {
  const fields: Array<[string, string]> = [];
  const visit = (node: FormNode, pointer: string): void => {
    const value = getAtPointer(data, pointer);
    if (node.kind === 'group') {
      for (const child of node.children) {
        if (child.pattern === model.regionPattern && step.id !== 'gemeinde') continue;
        visit(child, `${pointer}/${child.name}`);
      }
      return;
    }
    if (node.kind === 'repeat') {
      const items = Array.isArray(value) ? value : [];
      fields.push([countName(pointer), String(items.length)]);
      items.forEach((_, i) => visit(node.item, `${pointer}/${i}`));
      return;
    }
    if (value === undefined || value === null) return;
    // An unticked checkbox sends nothing.
    if (node.widget === 'checkbox' && value === false) return;
    if (node.widget === 'date' && typeof value === 'string') {
      const [year, month, day] = value.split('-');
      fields.push([datePartName(pointer, 'day'), day ?? ''], [datePartName(pointer, 'month'), month ?? ''], [datePartName(pointer, 'year'), year ?? '']);
    } else if (Array.isArray(value)) {
      for (const v of value) fields.push([pointer, String(v)]);
    } else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      fields.push([pointer, String(value)]);
    }
  };
  for (const node of step.nodes) visit(node, node.pattern);
  return fields;
}

export function encodeForm(fields: ReadonlyArray<readonly [string, string]>): string {
  return fields.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
}

/** The CSRF token of a rendered page. */
export function csrfOf(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error('no CSRF token on the page');
  return match[1];
}
