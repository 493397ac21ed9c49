import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import type { Container } from '../../src/container';
import { buildContainer, example, SAMPLE_FORMS, writeSampleTenant } from '../support/test-setup';
import { startClamd, type OwnClamd } from '../support/clamd';
import { tempDir } from '../support/temp-dir';
import { ERFURT, FILE_FORM, FILE_POINTER, fileFormContainer } from '../support/file-pages';

const FORM = 'anwohnerparkausweis';
const FIELD = '/fahrzeug/zulassungsbescheinigung';

/** A small real-looking PDF of `size` bytes (the media type is decided from its first bytes). */
function pdf(size: number, seed = 'a'): Buffer {
  const head = Buffer.from(`%PDF-1.7\n% efa-forms test ${seed}\n`, 'latin1');
  return Buffer.concat([head, Buffer.alloc(Math.max(0, size - head.length), seed)]);
}
/** A TIFF (its first bytes say so): not among the parking permit's accepted types (PDF, JPEG, PNG). */
const TIFF = Buffer.concat([Buffer.from([0x49, 0x49, 0x2a, 0x00]), Buffer.alloc(200, 1)]);
const MALWARE = pdf(3000, 'm');
const sha512 = (bytes: Buffer) => createHash('sha512').update(bytes).digest('hex');

describe('API: attachments (upload, reference in a submission, limits, scanning)', () => {
  const dir = tempDir();
  let clamd: OwnClamd;
  let container: Container;
  let filesDir: string;

  beforeAll(async () => {
    clamd = await startClamd({ malware: [{ name: 'Efa.Test.Malware', bytes: MALWARE }] });
    const tenants = path.join(dir.path, 'tenants');
    mkdirSync(tenants, { recursive: true });
    const env = writeSampleTenant(tenants, 'http://127.0.0.1:9');
    filesDir = path.join(dir.path, 'data', 'attachments');
    container = await buildContainer({
      ...env, FORMS_DIR: SAMPLE_FORMS, TENANTS_DIR: tenants, DATA_DIR: path.join(dir.path, 'data'),
      CLAMD_URL: clamd.url, ATTACHMENT_MAX_FILE_BYTES: '100000', ATTACHMENT_MAX_SUBMISSION_BYTES: '150000',
    });
  });
  afterAll(async () => {
    await container.close(1000);
    await clamd.stop();
    dir.remove();
  });

  const upload = (bytes: Buffer, options: { form?: string; field?: string; name?: string } = {}) =>
    request(container.app)
      .post(`/api/forms/${options.form ?? FORM}/attachments?field=${encodeURIComponent(options.field ?? FIELD)}`)
      .attach('file', bytes, options.name ?? 'zulassung.pdf');

  const withFiles = (ids: string[]) => {
    const data = example(FORM, 'valid-1') as { fahrzeug: Record<string, unknown> };
    data.fahrzeug.zulassungsbescheinigung = ids;
    return data;
  };
  const submit = (data: unknown) =>
    request(container.app).post(`/api/forms/${FORM}/submissions`).set('content-type', 'application/json').send(JSON.stringify({ data }));

  const storedFiles = () => (existsSync(filesDir) ? readdirSync(filesDir) : []);

  test('an upload answers 201 with id, size, media type (from the content) and SHA-512; a submission takes it and the payload lists it', async () => {
    const bytes = pdf(5000);
    const res = await upload(bytes, { name: 'C:\\Users\\anna\\Zulassung vorne.PDF' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/), fileName: 'Zulassung vorne.pdf', mediaType: 'application/pdf', size: 5000,
      hash: { type: 'sha512', content: sha512(bytes) }, scanned: true,
    });
    const id = res.body.id as string;
    expect(storedFiles()).toContain(id);

    const accepted = await submit(withFiles([id]));
    expect(accepted.status).toBe(201);
    const record = await container.store.submissions.find(accepted.body.id as string);
    expect(record?.payloadXml).toContain(id);
    expect(record?.payloadXml).toContain(sha512(bytes));
    const taken = await container.store.attachments.ofSubmission(accepted.body.id as string);
    expect(taken.map((a) => [a.id, a.size, a.sha512])).toEqual([[id, 5000, sha512(bytes)]]);

    // Already used: a second submission naming it is refused at the pointer.
    const again = await submit(withFiles([id]));
    expect(again.status).toBe(400);
    expect(again.type).toBe('application/problem+json');
    expect(again.body.errors).toEqual([{ pointer: `${FIELD}/0`, message: expect.stringContaining('schon mit einem Antrag gesendet') }]);
  });

  test('eight submissions racing for one file: exactly one 201, the others 400 at the pointer (taken meanwhile), one submission holds it', async () => {
    const res = await upload(pdf(1500, 'r'));
    expect(res.status).toBe(201);
    const id = res.body.id as string;
    const answers = await Promise.all(Array.from({ length: 8 }, () => submit(withFiles([id]))));
    expect(answers.map((a) => a.status).sort()).toEqual([201, 400, 400, 400, 400, 400, 400, 400]);
    for (const refused of answers.filter((a) => a.status === 400)) {
      expect(refused.type).toBe('application/problem+json');
      expect(refused.body.errors).toEqual([{ pointer: `${FIELD}/0`, message: expect.stringContaining('schon mit einem Antrag gesendet') }]);
    }
    const winner = answers.find((a) => a.status === 201)!;
    expect((await container.store.attachments.find(id))?.submissionId).toBe(winner.body.id);
    expect((await container.store.attachments.ofSubmission(winner.body.id as string)).map((a) => a.id)).toEqual([id]);
  });

  test('unknown, foreign (another form\'s) and repeated ids are 400 with each field\'s pointer; nothing is stored', async () => {
    const other = await upload(pdf(800), { form: 'gewerbeanmeldung', field: '/inhaber/ausweiskopie' });
    expect(other.status).toBe(201);
    const own = await upload(pdf(900));
    const res = await submit(withFiles(['0b6f3c1e-5d2a-4f7e-9c1b-2a3d4e5f6a7b', other.body.id as string]));
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.errors).toEqual([
      { pointer: `${FIELD}/0`, message: expect.stringContaining('nicht gefunden') },
      { pointer: `${FIELD}/1`, message: expect.stringContaining('gehört nicht zu diesem Antrag') },
    ]);
    const twice = await submit(withFiles([own.body.id as string, own.body.id as string]));
    expect(twice.status).toBe(400);
    expect(twice.body.errors).toEqual([{ pointer: `${FIELD}/1`, message: expect.any(String) }]);
    // Refused submissions took nothing: the file can still go with a valid one.
    expect((await submit(withFiles([own.body.id as string]))).status).toBe(201);
  });

  test('too large is 413, a wrong type (by content, whatever the name) 415, empty 400: problem+json at the field, nothing kept', async () => {
    const before = storedFiles().length;
    const big = await upload(pdf(100_001));
    expect(big.status).toBe(413);
    expect(big.type).toBe('application/problem+json');
    expect(big.body).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', errors: [{ pointer: FIELD, message: expect.stringContaining('zu groß') }] });
    const tiff = await upload(TIFF, { name: 'ausweis.pdf' });
    expect(tiff.status).toBe(415);
    expect(tiff.body).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', errors: [{ pointer: FIELD }] });
    const empty = await upload(Buffer.alloc(0));
    expect(empty.status).toBe(400);
    expect(empty.body.errors).toEqual([{ pointer: FIELD, message: expect.stringContaining('leer') }]);
    expect(storedFiles().length).toBe(before);
    expect(storedFiles().filter((f) => f.endsWith('.part'))).toEqual([]);
  });

  test('malware found by the real clamd is 422 and deleted; files over the submission\'s total are 413', async () => {
    const before = storedFiles().length;
    const infected = await upload(MALWARE);
    expect(infected.status).toBe(422);
    expect(infected.body).toMatchObject({ code: 'MALWARE_FOUND', errors: [{ pointer: FIELD }] });
    expect(JSON.stringify(infected.body)).not.toContain('Efa.Test.Malware');
    expect(storedFiles().length).toBe(before);

    const a = await upload(pdf(80_000, 'x'));
    const b = await upload(pdf(80_000, 'y'));
    const res = await submit(withFiles([a.body.id as string, b.body.id as string]));
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', errors: [{ pointer: FIELD, message: expect.stringContaining('zusammen zu groß') }] });
  });

  test('not multipart is 415, a field that is no file question 400, an unknown form 404, a broken body 400: never a 500', async () => {
    const json = await request(container.app).post(`/api/forms/${FORM}/attachments?field=${encodeURIComponent(FIELD)}`).set('content-type', 'application/json').send('{}');
    expect(json.status).toBe(415);
    const wrongField = await upload(pdf(100), { field: '/fahrzeug/kennzeichen' });
    expect(wrongField.status).toBe(400);
    expect(wrongField.body.code).toBe('INVALID_PARAMETER');
    expect((await upload(pdf(100), { form: 'gibt-es-nicht' })).status).toBe(404);
    const truncated = await request(container.app).post(`/api/forms/${FORM}/attachments?field=${encodeURIComponent(FIELD)}`)
      .set('content-type', 'multipart/form-data; boundary=xyz')
      .send('--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.7 cut off');
    expect(truncated.status).toBe(400);
    expect(truncated.body.code).toBe('MALFORMED_REQUEST');
    const two = await request(container.app).post(`/api/forms/${FORM}/attachments?field=${encodeURIComponent(FIELD)}`)
      .attach('file', pdf(300, 'p'), 'a.pdf').attach('file', pdf(300, 'q'), 'b.pdf');
    expect(two.status).toBe(400);
    expect(storedFiles().filter((f) => f.endsWith('.part'))).toEqual([]);
  });

  test('clamd down: 503 with Retry-After ("try again later"), and no file is kept unscanned', async () => {
    const tenants = path.join(dir.path, 'tenants-2');
    mkdirSync(tenants, { recursive: true });
    const env = writeSampleTenant(tenants, 'http://127.0.0.1:9');
    const down = await buildContainer({
      ...env, FORMS_DIR: SAMPLE_FORMS, TENANTS_DIR: tenants, DATA_DIR: path.join(dir.path, 'data-2'), CLAMD_URL: 'tcp://127.0.0.1:9', CLAMD_TIMEOUT_MS: '2000',
    });
    try {
      const res = await request(down.app).post(`/api/forms/${FORM}/attachments?field=${encodeURIComponent(FIELD)}`).attach('file', pdf(500), 'a.pdf');
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('60');
      expect(res.body).toMatchObject({ code: 'SCAN_UNAVAILABLE', errors: [{ pointer: FIELD, message: expect.stringContaining('einigen Minuten') }] });
      const folder = path.join(dir.path, 'data-2', 'attachments');
      expect(existsSync(folder) ? readdirSync(folder) : []).toEqual([]);
    } finally {
      await down.close(1000);
    }
  });

  test('a required file question answered with an empty list is 400 asking for the upload, even where its schema has no minItems', async () => {
    const own = await fileFormContainer(path.join(dir.path, 'fixture'));
    try {
      const res = await request(own.app).post(`/api/forms/${FILE_FORM}/submissions`).send({ data: { gemeinde: ERFURT, name: 'Anna Muster', [FILE_POINTER.slice(1)]: [] } });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ pointer: FILE_POINTER, message: expect.stringContaining('Bitte laden Sie die Datei hoch.') }] });
    } finally {
      await own.close(1000);
    }
  });
});
