import { randomBytes } from 'node:crypto';
import type { RequestSpec } from './cases';
import type { FuzzServer } from './fuzz-server';
import { fileQuestionsOf } from '../../src/forms/file-questions';
import { getAtPointer } from '../../src/support/json-pointer';

/** The made-up attachment ids the sample forms' examples name (docs/form-definition.md). */
const EXAMPLE_ID = /^00000000-0000-4000-8000-[0-9a-f]{12}$/i;

/**
 * The request with each made-up attachment id of a submission body replaced by the id of a
 * file uploaded now (one small PDF per id, through the upload API), so a case built from an
 * example reaches the server's checks beyond "unknown attachment". Only plain JSON bodies whose
 * answers still hold the ids at a file question are changed; compressed, re-encoded or broken
 * bodies go as generated (and get the refusal they would get anyway).
 */
export async function withExampleUploads(server: FuzzServer, formId: string, spec: RequestSpec): Promise<RequestSpec> {
  const form = server.container.forms.get(formId);
  if (!form || !spec.body || spec.headers['content-encoding'] || !spec.path.endsWith('/submissions')) return spec;
  const questions = fileQuestionsOf(form);
  if (questions.length === 0) return spec;
  let data: unknown;
  try {
    data = (JSON.parse(spec.body.toString('utf8')) as { data?: unknown }).data;
  } catch {
    return spec;
  }
  const replacements = new Map<string, string>();
  for (const q of questions) {
    const ids = getAtPointer(data, q.pointer);
    if (!Array.isArray(ids)) continue;
    for (const id of ids) {
      if (typeof id !== 'string' || !EXAMPLE_ID.test(id) || replacements.has(id)) continue;
      const body = new FormData();
      body.append('file', new Blob([Buffer.concat([Buffer.from('%PDF-1.7\n', 'latin1'), randomBytes(1015)])], { type: 'application/pdf' }), 'nachweis.pdf');
      const res = await fetch(`http://127.0.0.1:${server.port}/api/forms/${formId}/attachments?field=${encodeURIComponent(q.pointer)}`, { method: 'POST', body });
      if (res.status !== 201) throw new Error(`fuzz upload for ${formId} answered ${res.status}`);
      replacements.set(id, ((await res.json()) as { id: string }).id);
    }
  }
  if (replacements.size === 0) return spec;
  // In the bytes, not the text: ids are ASCII of one length, and every other byte (a hostile
  // one too) stays as generated.
  const body = Buffer.from(spec.body);
  for (const [made, real] of replacements) {
    const from = Buffer.from(made, 'latin1');
    for (let at = body.indexOf(from); at !== -1; at = body.indexOf(from, at + from.length)) body.write(real, at, 'latin1');
  }
  return { ...spec, body };
}
