import { randomBytes } from 'node:crypto';
import request from 'supertest';
import type { Container } from '../../src/container';

/** A small file the media-type check takes for a PDF (its signature, then random bytes). */
const pdf = (): Buffer => Buffer.concat([Buffer.from('%PDF-1.7\n', 'latin1'), randomBytes(2039)]);

/** The made-up attachment ids the sample forms' examples name (docs/form-definition.md). */
const EXAMPLE_ID = /^00000000-0000-4000-8000-[0-9a-f]{12}$/i;

type Json = unknown;

/** Pointers of the lists of made-up ids in `data` (answers to file questions look like that), depth first. */
function idLists(value: Json, pointer = ''): string[] {
  if (Array.isArray(value)) {
    return value.length > 0 && value.every((v) => typeof v === 'string' && EXAMPLE_ID.test(v)) ? [pointer] : [];
  }
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value as Record<string, Json>)
    .flatMap(([key, v]) => idLists(v, `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`));
}

function setAt(root: Json, pointer: string, value: Json): void {
  const tokens = pointer.split('/').slice(1).map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
  let node = root as Record<string, Json>;
  for (const token of tokens.slice(0, -1)) node = node[token] as Record<string, Json>;
  node[tokens[tokens.length - 1]!] = value;
}

function getAt(root: Json, pointer: string): Json {
  return pointer.split('/').slice(1).map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<Json>((node, token) => (node as Record<string, Json>)[token], root);
}

/**
 * The answers with every list of made-up attachment ids (a form's examples name them, e.g. the
 * parking permit's vehicle registration; real ids are left alone) replaced by ids of files uploaded now, one small PDF per
 * id, through the upload API (`POST /api/forms/{id}/attachments?field=`): what a portal does
 * before it submits. Throws when an upload is refused, so a test never submits a made-up id.
 */
export async function withUploads<T>(app: Container['app'], formId: string, data: T): Promise<T> {
  const copy = structuredClone(data);
  for (const pointer of idLists(copy)) {
    const count = (getAt(copy, pointer) as string[]).length;
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const res = await request(app).post(`/api/forms/${formId}/attachments?field=${encodeURIComponent(pointer)}`)
        .attach('file', pdf(), `nachweis-${i + 1}.pdf`);
      if (res.status !== 201) throw new Error(`upload for ${formId} ${pointer} answered ${res.status}: ${JSON.stringify(res.body)}`);
      ids.push((res.body as { id: string }).id);
    }
    setAt(copy, pointer, ids);
  }
  return copy;
}
