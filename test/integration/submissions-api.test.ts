import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import type { Container } from '../../src/container';
import { sampleContainer, example, SAMPLE_FORMS } from '../support/test-setup';
import { tempDir } from '../support/temp-dir';
import { withUploads } from '../support/with-uploads';

const REFERENCE = /^[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]$/;
// Words and signs that betray schema internals; citizens must never see them.
const JARGON = /\b(must|should|pattern|schema|required|additionalProperties|minLength|format|enum|const|NOT|instancePath)\b|[\^$\\[\]{}]/;

describe('JSON API: forms and submissions', () => {
  const dir = tempDir();
  let container: Container;

  beforeAll(async () => {
    // Deliveries are not under test here: the worker is never started.
    container = await sampleContainer(dir.path);
  });
  afterAll(async () => {
    await container.close(1000);
    dir.remove();
  });

  const submit = (formId: string, body: unknown, language?: string) => {
    const req = request(container.app).post(`/api/forms/${formId}/submissions`).set('content-type', 'application/json');
    if (language) req.set('accept-language', language);
    return req.send(JSON.stringify(body));
  };

  test('GET /healthz answers 200', async () => {
    const res = await request(container.app).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  test('GET /api/forms lists every sample form with id, version and title', async () => {
    const res = await request(container.app).get('/api/forms');
    expect(res.status).toBe(200);
    expect(res.body).toEqual(
      expect.arrayContaining(
        ['anwohnerparkausweis', 'gewerbeanmeldung', 'hundesteuer-anmeldung'].map((id) =>
          expect.objectContaining({ id, version: '1.0.0', title: expect.objectContaining({ de: expect.any(String), en: expect.any(String) }) }),
        ),
      ),
    );
    expect(res.body).toHaveLength(3);
  });

  test('GET /api/forms/:id returns the definition; an unknown id is a 404 problem', async () => {
    const ok = await request(container.app).get('/api/forms/hundesteuer-anmeldung');
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ id: 'hundesteuer-anmeldung', routing: { regionField: '/halter/anschrift/gemeinde' } });
    const missing = await request(container.app).get('/api/forms/gibt-es-nicht');
    expect(missing.status).toBe(404);
    expect(missing.type).toBe('application/problem+json');
    expect(missing.body).toMatchObject({ status: 404, code: 'FORM_NOT_FOUND', title: 'Dieses Formular gibt es nicht.' });
  });

  const forms = readdirSync(SAMPLE_FORMS);
  test.each(forms.flatMap((form) =>
    readdirSync(path.join(SAMPLE_FORMS, form, 'examples')).filter((f) => f.startsWith('valid-')).map((f) => [form, f.replace('.json', '')] as const),
  ))('%s %s is accepted with a reference number, status URL and authority', async (form, name) => {
    // Its files uploaded first, as a portal does: the answers then name their real ids.
    const data = await withUploads(container.app, form, example(form, name));
    const res = await submit(form, { data });
    expect(res.status).toBe(201);
    expect(res.body.id).toMatch(REFERENCE);
    expect(res.body.statusUrl).toMatch(new RegExp(`^/api/submissions/${res.body.id}\\?token=[A-Za-z0-9_-]{43}$`));
    expect(res.body.authority).toEqual({ id: expect.any(String), name: expect.any(String) });
    expect(res.headers.location).toBe(res.body.statusUrl);
    // Committed together: the submission and its pending delivery job.
    const stored = await container.store.submissions.find(res.body.id);
    expect(stored).toMatchObject({ formId: form, status: 'accepted', authorityId: res.body.authority.id });
    expect(JSON.parse(stored!.dataJson)).toEqual(data);
    const jobs = await container.store.deliveries.jobsOf(res.body.id);
    // The delivery to the authority, and the confirmation e-mail when the form has emailField.
    const http = jobs.filter((j) => j.channel === 'http');
    expect(http).toHaveLength(1);
    expect(http[0]).toMatchObject({ state: 'pending', authorityId: res.body.authority.id, attempts: 0 });
    expect(jobs.filter((j) => j.channel === 'email-citizen')).toHaveLength(container.forms.get(form)!.definition.emailField ? 1 : 0);
  });

  test.each(forms.flatMap((form) =>
    readdirSync(path.join(SAMPLE_FORMS, form, 'examples')).filter((f) => f.startsWith('invalid-')).map((f) => [form, f.replace('.json', '')] as const),
  ))('%s %s is refused with field errors citizens can act on', async (form, name) => {
    for (const language of ['de', 'en']) {
      // With real uploads, so that what is refused is the example's own flaw, not a made-up file id.
      const res = await submit(form, { data: await withUploads(container.app, form, example(form, name)) }, language);
      expect(res.status).toBe(400);
      expect(res.type).toBe('application/problem+json');
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.errors.length).toBeGreaterThan(0);
      for (const error of res.body.errors) {
        expect(error.pointer).toMatch(/^\//);
        expect(error.message).not.toMatch(JARGON);
      }
    }
  });

  test('the SQLite database is a real file under DATA_DIR', () => {
    expect(existsSync(path.join(dir.path, 'data', 'efa-forms.sqlite'))).toBe(true);
  });

  test('messages name the field by its label, in German by default and in English on request', async () => {
    const data = { ...example('hundesteuer-anmeldung', 'valid-1') } as Record<string, unknown>;
    const halter = data.halter as Record<string, unknown>;
    data.halter = { ...halter, anschrift: { ...(halter.anschrift as object), postleitzahl: '9942' } };
    const de = await submit('hundesteuer-anmeldung', { data });
    expect(de.body.errors).toEqual([
      { pointer: '/halter/anschrift/postleitzahl', message: 'Postleitzahl: Bitte geben Sie die Postleitzahl mit 5 Ziffern an, zum Beispiel 99084.' },
    ]);
    const en = await submit('hundesteuer-anmeldung', { data }, 'en-GB,en;q=0.9,de;q=0.5');
    expect(en.body.title).toBe('Please check your answers.');
    expect(en.body.errors).toEqual([
      { pointer: '/halter/anschrift/postleitzahl', message: 'Postcode: Please enter the postcode as 5 digits, for example 99084.' },
    ]);
  });

  test('if/then requirements point at the missing fields themselves', async () => {
    const res = await submit('gewerbeanmeldung', { data: example('gewerbeanmeldung', 'invalid-gmbh-without-register') });
    expect(res.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/registergericht', '/registernummer']);
  });

  test('items of an array are named by position', async () => {
    const data = example('hundesteuer-anmeldung', 'valid-1');
    const hunde = data.hunde as Array<Record<string, unknown>>;
    expect(hunde.length).toBeGreaterThan(1);
    delete hunde[1]!.name;
    const res = await submit('hundesteuer-anmeldung', { data });
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors[0].pointer).toBe('/hunde/1/name');
    expect(res.body.errors[0].message).toMatch(/^Hund 2 – Name des Hundes: /);
  });

  test('a region no authority serves gets 422 with the region field as pointer', async () => {
    const data = example('anwohnerparkausweis', 'valid-1');
    const anschrift = data.anschrift as Record<string, unknown>;
    data.anschrift = { ...anschrift, gemeinde: '160665050042', postleitzahl: '98617', ort: 'Meiningen' };
    const res = await submit('anwohnerparkausweis', { data: await withUploads(container.app, 'anwohnerparkausweis', data) });
    expect(res.status).toBe(422);
    expect(res.type).toBe('application/problem+json');
    expect(res.body.code).toBe('NO_RESPONSIBLE_AUTHORITY');
    expect(res.body.errors).toEqual([{ pointer: '/anschrift/gemeinde', message: expect.stringMatching(/Gemeinde/) }]);
    // The route is decided before the files: with ids nobody uploaded, the answer is the same 422.
    const unknownFiles = await submit('anwohnerparkausweis', { data });
    expect([unknownFiles.status, unknownFiles.body.code, unknownFiles.body.errors]).toEqual([422, 'NO_RESPONSIBLE_AUTHORITY', res.body.errors]);
  });

  test('the district authority serves by prefix, the city by the longer key', async () => {
    const base = example('hundesteuer-anmeldung', 'valid-1');
    const withRegion = (ars: string, plz: string) => {
      const halter = base.halter as Record<string, unknown>;
      return { ...base, halter: { ...halter, anschrift: { ...(halter.anschrift as object), gemeinde: ars, postleitzahl: plz } } };
    };
    const ilmenau = await submit('hundesteuer-anmeldung', { data: withRegion('160700029029', '98693') });
    expect(ilmenau.body.authority.id).toBe('stadt-ilmenau');
    const arnstadt = await submit('hundesteuer-anmeldung', { data: withRegion('160700004004', '99310') });
    expect(arnstadt.body.authority.id).toBe('landratsamt-ilm-kreis');
  });

  test('unknown form: 404; not JSON: 415; broken JSON: 400; too large: 413', async () => {
    const unknown = await submit('gibt-es-nicht', { data: {} });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('FORM_NOT_FOUND');

    const text = await request(container.app).post('/api/forms/anwohnerparkausweis/submissions').set('content-type', 'text/plain').send('hallo');
    expect(text.status).toBe(415);
    expect(text.type).toBe('application/problem+json');
    const none = await request(container.app).post('/api/forms/anwohnerparkausweis/submissions');
    expect(none.status).toBe(415);

    const broken = await request(container.app).post('/api/forms/anwohnerparkausweis/submissions').set('content-type', 'application/json').send('{"data": {');
    expect(broken.status).toBe(400);
    expect(broken.body.code).toBe('MALFORMED_REQUEST');

    const large = await submit('anwohnerparkausweis', { data: { x: 'a'.repeat(1024 * 1024 + 10) } });
    expect(large.status).toBe(413);
    expect(large.body.code).toBe('PAYLOAD_TOO_LARGE');
  });

  test.each([
    ['__proto__ key', '{"data": {"__proto__": {"polluted": true}}}'],
    ['nested __proto__ key', '{"data": {"anschrift": {"__proto__": {"x": 1}}}}'],
    ['constructor key', '{"data": {"constructor": {"prototype": {"x": 1}}}}'],
    ['data as array', '{"data": []}'],
    ['data as string', '{"data": "x"}'],
    ['data missing', '{}'],
    ['extra top-level key', '{"data": {}, "other": 1}'],
    ['top-level array', '[]'],
    ['top-level null', 'null'],
    ['wrong types', '{"data": {"vorname": 5, "anschrift": "Erfurt", "erklaerung": "ja", "zone": ["A"]}}'],
    ['control character', '{"data": {"antragsteller": {"vorname": "Max\\u0000"}}}'],
    ['lone surrogate', '{"data": {"antragsteller": {"vorname": "\\ud800"}}}'],
  ])('%s gets 400, never 500', async (_name, body) => {
    const res = await request(container.app).post('/api/forms/anwohnerparkausweis/submissions').set('content-type', 'application/json').send(body);
    expect(res.status).toBe(400);
    expect(res.type).toBe('application/problem+json');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('the status URL shows accepted with its event; a wrong or missing token is a 404', async () => {
    const created = await submit('anwohnerparkausweis', { data: await withUploads(container.app, 'anwohnerparkausweis', example('anwohnerparkausweis', 'valid-1')) });
    expect(created.status).toBe(201);
    const status = await request(container.app).get(created.body.statusUrl);
    expect(status.status).toBe(200);
    expect(status.headers['cache-control']).toBe('no-store');
    expect(status.body).toEqual({ id: created.body.id, status: 'accepted', events: [{ type: 'accepted', at: expect.any(String) }] });
    expect(Number.isNaN(Date.parse(status.body.events[0].at))).toBe(false);

    const wrong = await request(container.app).get(`/api/submissions/${created.body.id}?token=${'A'.repeat(43)}`);
    expect(wrong.status).toBe(404);
    expect(wrong.body.code).toBe('SUBMISSION_NOT_FOUND');
    expect((await request(container.app).get(`/api/submissions/${created.body.id}`)).status).toBe(404);
    const token = new URL(created.body.statusUrl, 'http://x').searchParams.get('token');
    expect((await request(container.app).get(`/api/submissions/ABCD-EFGH-J?token=${token}`)).status).toBe(404);
    // Typed by a person: lower case without dashes still finds it.
    const typed = await request(container.app).get(`/api/submissions/${created.body.id.replace(/-/g, '').toLowerCase()}?token=${token}`);
    expect(typed.status).toBe(200);
  });

  test('unknown routes are 404 problems', async () => {
    const res = await request(container.app).get('/api/nichts');
    expect(res.status).toBe(404);
    expect(res.type).toBe('application/problem+json');
  });
});
