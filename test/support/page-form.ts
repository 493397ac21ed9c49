import { randomBytes } from 'node:crypto';
import type request from 'supertest';
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
    // A file question is answered by choosing files (stepFiles), not by typing.
    if (node.file) return;
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

/** A file chosen on a step: the question's input (its pointer), the file's name and bytes. */
export interface ChosenFile { readonly pointer: string; readonly name: string; readonly bytes: Buffer }

/**
 * The files a citizen would choose on the page of one step to give these answers: one small PDF
 * for each attachment id the answers name at a file question of the step (the ids themselves,
 * e.g. an example's made-up ones, are what the upload answers on the page).
 */
export function stepFiles(step: FormStep, data: unknown): ChosenFile[] {
  const files: ChosenFile[] = [];
  const visit = (node: FormNode): void => {
    if (node.kind === 'group') node.children.forEach(visit);
    else if (node.kind === 'leaf' && node.file) {
      const ids = getAtPointer(data, node.pattern);
      (Array.isArray(ids) ? ids : []).forEach((_, i) => files.push({
        pointer: node.pattern, name: `nachweis-${i + 1}.pdf`,
        bytes: Buffer.concat([Buffer.from('%PDF-1.7\n', 'latin1'), randomBytes(2039)]),
      }));
    }
  };
  step.nodes.forEach(visit);
  return files;
}

/**
 * Posts a step's HTML form as a citizen does: each chosen file with the upload button (the file
 * input takes one file at a time; multipart/form-data, the fields before the file, as the
 * browser orders them), then the fields with the step's own action. An upload the page refuses
 * is answered at once (its page, not a redirect).
 */
export async function postStepForm(
  agent: ReturnType<typeof request.agent>, url: string, fields: ReadonlyArray<readonly [string, string]>, files: readonly ChosenFile[] = [],
) {
  const others = fields.filter(([name]) => name !== '_action');
  for (const file of files) {
    const post = agent.post(url);
    for (const [name, value] of others) void post.field(name, value);
    const uploaded = await post.attach(file.pointer, file.bytes, { filename: file.name, contentType: 'application/pdf' }).field('_action', 'upload');
    if (uploaded.status !== 303) return uploaded;
  }
  return agent.post(url).type('form').send(encodeForm(fields));
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
