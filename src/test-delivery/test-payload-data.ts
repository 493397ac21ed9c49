import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CompiledForm } from '../forms/compiled-form';
import { fileQuestionsOf } from '../forms/file-questions';
import { parsePointer, withoutAtPointer } from '../support/json-pointer';

/** The most an example file may have: examples are small, and this is read on an operator's request. */
const MAX_EXAMPLE_BYTES = 256 * 1024;

type Data = Record<string, unknown>;

/** A copy of `data` with `value` at `pointer`, creating objects on the way (the region field may be nested). */
export function withValueAt(data: Data, pointer: string, value: unknown): Data {
  const tokens = parsePointer(pointer);
  const root: Data = structuredClone(data);
  let node: Data = root;
  tokens.forEach((token, i) => {
    if (i === tokens.length - 1) {
      node[token] = value;
      return;
    }
    const next = node[token];
    const child: Data = next !== null && typeof next === 'object' && !Array.isArray(next) ? (next as Data) : {};
    node[token] = child;
    node = child;
  });
  return root;
}

/**
 * The answers a test payload carries: the form's first example (FORMS_DIR/<id>/examples/*.json,
 * in name order) that is valid with the test region set, so an authority's system sees a
 * realistic payload; without such an example only the region. Examples are made-up data that
 * ships with the form, never a citizen's. The answers to file questions are left out: an example's
 * attachment ids name no stored file, and a test payload carries no documents.
 */
export async function testPayloadData(formsDir: string, form: CompiledForm, ars: string): Promise<{ readonly data: Data; readonly example?: string }> {
  const regionOnly = withValueAt({}, form.definition.routing.regionField, ars);
  const dir = path.join(formsDir, form.definition.id, 'examples');
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  } catch {
    return { data: regionOnly };
  }
  for (const name of names) {
    try {
      const text = await readFile(path.join(dir, name), 'utf8');
      if (Buffer.byteLength(text) > MAX_EXAMPLE_BYTES) continue;
      const parsed: unknown = JSON.parse(text);
      // Examples are stored either as the answers or as an API body {"data": {...}}.
      const answers = parsed !== null && typeof parsed === 'object' && 'data' in parsed ? (parsed).data : parsed;
      if (answers === null || typeof answers !== 'object' || Array.isArray(answers)) continue;
      const data = withValueAt(answers as Data, form.definition.routing.regionField, ars);
      if (form.validate(data, 'de').length === 0) {
        return { data: fileQuestionsOf(form).reduce((d, q) => withoutAtPointer(d, q.pointer), data), example: name };
      }
    } catch {
      // An unreadable or broken example is skipped: the test still goes out with the region only.
    }
  }
  return { data: regionOnly };
}
