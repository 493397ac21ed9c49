import { randomBytes } from 'node:crypto';
import request from 'supertest';
import type { Container } from '../../src/container';
import { ATTACHMENT_REFUSAL_TEXTS } from '../../src/i18n/attachment-texts';
import { fieldId } from '../../src/forms/field-view';
import { atFileStep, fieldError, FILE_FORM, FILE_POINTER, FILE_STEP_URL, fileFormContainer, listedFiles, storedFiles, summaryErrors } from '../support/file-pages';
import { csrfOf, encodeForm } from '../support/page-form';
import { tempDir } from '../support/temp-dir';

/** A PDF as media-type.ts sees one: its signature, then bytes. */
const pdf = (size: number) => Buffer.concat([Buffer.from('%PDF-1.7\n', 'latin1'), randomBytes(size - 9)]);
const png = (size: number) => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(size - 8)]);
const FIELD = fieldId(FILE_POINTER);

/**
 * Issue 15, point 2: the file question's step without JavaScript. Each file is uploaded in a
 * multipart post of the step, listed with its size and a remove button, and refused with the
 * reason at the field and in the error summary when it cannot be taken.
 */
describe('pages: uploading files at a file question', () => {
  const dir = tempDir();
  let container: Container;

  beforeAll(async () => {
    container = await fileFormContainer(dir.path);
  });
  afterAll(async () => {
    await container.close(1000);
    dir.remove();
  });

  type Agent = Awaited<ReturnType<typeof atFileStep>>['agent'];
  /** Posts the file step as the browser does: the token first, the answers, the file, then the button pressed. */
  function postStep(agent: Agent, csrf: string, options: { file?: { bytes: Buffer; name: string; type?: string }; action?: string; name?: string }) {
    const post = agent.post(FILE_STEP_URL).field('_csrf', csrf).field('/name', options.name ?? 'Anna Muster');
    if (options.file) post.attach(FILE_POINTER, options.file.bytes, { filename: options.file.name, contentType: options.file.type ?? 'application/pdf' });
    else post.attach(FILE_POINTER, Buffer.alloc(0), { filename: '', contentType: 'application/octet-stream' });
    return post.field('_action', options.action ?? 'upload');
  }

  test('the step is a multipart form: token before the file input, accept and a hint of formats and size', async () => {
    const { agent } = await atFileStep(container.app);
    const page = await agent.get(FILE_STEP_URL);
    expect(page.status).toBe(200);
    expect(page.text).toContain('enctype="multipart/form-data"');
    expect(page.text.indexOf('name="_csrf"')).toBeLessThan(page.text.indexOf('type="file"'));
    expect(page.text).toMatch(new RegExp(`<input class="efa-file-upload" id="${FIELD}" name="${FILE_POINTER}" type="file" accept="application/pdf,.pdf" aria-describedby="${FIELD}-hint ${FIELD}-formats">`));
    expect(page.text).toContain(`<div id="${FIELD}-formats" class="efa-hint">Erlaubte Formate: PDF. Höchstens 100\u00a0KB je Datei, bis zu 2 Dateien.</div>`);
    expect(page.text).toContain('<button type="submit" class="efa-button efa-button--secondary efa-file__upload" name="_action" value="upload">Datei hochladen');
    // A step without a file question stays as it was.
    const region = await agent.get(`/forms/${FILE_FORM}/steps/gemeinde`);
    expect(region.text).not.toContain('multipart/form-data');
  });

  test('upload, list, remove, upload again, continue: the answers hold the ids of the files listed', async () => {
    const { agent, csrf } = await atFileStep(container.app);
    const first = await postStep(agent, csrf, { file: { bytes: pdf(50_000), name: 'Fahrzeugschein Vorderseite.pdf' } });
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe(FILE_STEP_URL);
    let page = await agent.get(FILE_STEP_URL);
    const [listed] = listedFiles(page.text);
    expect(listed).toMatchObject({ name: 'Fahrzeugschein Vorderseite.pdf', size: '48,8\u00a0KB' });
    // The remove button's accessible name includes the file's name.
    expect(page.text).toContain(`value="remove-file:${listed!.id}">Entfernen<span class="efa-visually-hidden"> Fahrzeugschein Vorderseite.pdf</span></button>`);
    // The answer typed beside the file was kept.
    expect(page.text).toContain('value="Anna Muster"');
    expect(storedFiles(dir.path)).toContain(listed!.id);

    const removed = await postStep(agent, csrf, { action: `remove-file:${listed!.id}` });
    expect(removed.status).toBe(303);
    page = await agent.get(FILE_STEP_URL);
    expect(listedFiles(page.text)).toEqual([]);
    expect(storedFiles(dir.path)).not.toContain(listed!.id);

    // "Weiter" takes the chosen file too, and goes on.
    const onward = await postStep(agent, csrf, { file: { bytes: pdf(2000), name: 'scan.pdf' }, action: 'continue' });
    expect(onward.status).toBe(303);
    expect(onward.headers.location).toBe(`/forms/${FILE_FORM}/check`);
    const check = await agent.get(`/forms/${FILE_FORM}/check`);
    expect(check.text).toContain('<ul class="efa-summary-list__files"><li>scan.pdf (2\u00a0KB)</li></ul>');
    const submitted = await agent.post(`/forms/${FILE_FORM}/check`).type('form').send(encodeForm([['_csrf', csrfOf(check.text)], ['_action', 'submit']]));
    expect(submitted.status).toBe(303);
    const confirmation = await agent.get(submitted.headers.location as string);
    expect(confirmation.text).toContain('Mitgesendete Dateien');
    expect(confirmation.text).toContain('<span class="efa-file__name">scan.pdf</span> (2\u00a0KB)');
    const reference = new URL(submitted.headers.location as string, 'http://x').searchParams.get('ref')!;
    const sent = await container.store.attachments.ofSubmission(reference);
    expect(sent.map((a) => a.fileName)).toEqual(['scan.pdf']);
    const stored = await container.store.submissions.find(reference);
    expect(JSON.parse(stored!.dataJson)).toMatchObject({ nachweis: [sent[0]!.id], name: 'Anna Muster' });
  });

  test('a required file question without a file is a "required" error at the field', async () => {
    const { agent, csrf } = await atFileStep(container.app);
    const res = await postStep(agent, csrf, { action: 'continue' });
    expect(res.status).toBe(400);
    expect(summaryErrors(res.text)).toEqual(['Nachweis: Bitte laden Sie die Datei hoch.']);
    expect(fieldError(res.text, FIELD)).toBe('Nachweis: Bitte laden Sie die Datei hoch.');
    expect(res.text).toContain(`href="#${FIELD}"`);
  });

  const refusals: ReadonlyArray<readonly [string, () => { bytes: Buffer; name: string; type?: string }, keyof typeof ATTACHMENT_REFUSAL_TEXTS]> = [
    ['too large (past the question\u2019s 100 KiB)', () => ({ bytes: pdf(100 * 1024 + 1), name: 'gross.pdf' }), 'too large'],
    ['of a type the question does not take, whatever its name says (a PNG named .pdf)', () => ({ bytes: png(5000), name: 'scan.pdf', type: 'application/pdf' }), 'type not accepted'],
    ['empty', () => ({ bytes: Buffer.alloc(0), name: 'leer.pdf' }), 'empty'],
  ];
  test.each(refusals)('a file %s is refused at the field and in the summary, nothing kept', async (_what, file, code) => {
    const { agent, csrf } = await atFileStep(container.app);
    const before = storedFiles(dir.path);
    for (const action of ['upload', 'continue']) {
      const res = await postStep(agent, csrf, { file: file(), action });
      expect(res.status).toBe(400);
      const message = `Nachweis: ${ATTACHMENT_REFUSAL_TEXTS[code].de}`;
      expect(summaryErrors(res.text)[0]).toBe(message);
      expect(fieldError(res.text, FIELD)).toBe(message);
      expect(listedFiles(res.text)).toEqual([]);
      // The other answers of the step are kept.
      expect(res.text).toContain('value="Anna Muster"');
    }
    expect(storedFiles(dir.path)).toEqual(before);
  });

  test('a file far past the limit: the rest is read and dropped, and the step with the error arrives', async () => {
    const { agent, csrf } = await atFileStep(container.app);
    const res = await postStep(agent, csrf, { file: { bytes: pdf(8 * 1024 * 1024), name: 'riesig.pdf' } });
    expect(res.status).toBe(400);
    expect(fieldError(res.text, FIELD)).toBe(`Nachweis: ${ATTACHMENT_REFUSAL_TEXTS['too large'].de}`);
    // The connection stays usable: the next request of the same agent is answered.
    expect((await agent.get(FILE_STEP_URL)).status).toBe(200);
  });

  test('a file past what the step could ever take (64 MiB): parsing stops, the step with the error arrives, the connection stays usable', async () => {
    const { agent, csrf } = await atFileStep(container.app);
    const before = storedFiles(dir.path);
    const res = await postStep(agent, csrf, { file: { bytes: pdf(70 * 1024 * 1024), name: 'film.pdf' } });
    expect(res.status).toBe(400);
    expect(fieldError(res.text, FIELD)).toBe(`Nachweis: ${ATTACHMENT_REFUSAL_TEXTS['too large'].de}`);
    expect(storedFiles(dir.path)).toEqual(before);
    expect((await agent.get(FILE_STEP_URL)).status).toBe(200);
  });

  test('a third file to a question of two is refused as too many (the input is gone once two are there)', async () => {
    const { agent, csrf } = await atFileStep(container.app);
    for (const name of ['a.pdf', 'b.pdf']) expect((await postStep(agent, csrf, { file: { bytes: pdf(1000), name } })).status).toBe(303);
    const full = await agent.get(FILE_STEP_URL);
    expect(listedFiles(full.text).map((f) => f.name)).toEqual(['a.pdf', 'b.pdf']);
    expect(full.text).not.toContain('type="file"');
    expect(full.text).toContain('Sie haben so viele Dateien hochgeladen, wie hier möglich sind.');
    // A post with a file anyway (an older page, another tab).
    const res = await postStep(agent, csrf, { file: { bytes: pdf(1000), name: 'c.pdf' } });
    expect(res.status).toBe(400);
    expect(summaryErrors(res.text)).toEqual([`Nachweis: ${ATTACHMENT_REFUSAL_TEXTS['too many'].de}`]);
    // The summary's link finds the list (no input to focus any more).
    // It is named by the question and its heading, and described by the error.
    expect(res.text).toMatch(new RegExp(`<ul class="efa-file__list" aria-labelledby="${FIELD}-label ${FIELD}-files" id="${FIELD}" tabindex="-1" aria-describedby="[^"]*${FIELD}-error[^"]*">`));
    expect(listedFiles(res.text).map((f) => f.name)).toEqual(['a.pdf', 'b.pdf']);
  });

  test('in English', async () => {
    const { agent, csrf } = await atFileStep(container.app);
    const res = await postStep(agent, csrf, { file: { bytes: png(5000), name: 'scan.pdf' } }).set('cookie', 'efa_lang=en');
    expect(res.status).toBe(400);
    expect(summaryErrors(res.text)).toEqual([`Document: ${ATTACHMENT_REFUSAL_TEXTS['type not accepted'].en}`]);
    expect(res.text).toContain('Accepted formats: PDF. At most 100\u00a0KB per file, up to 2 files.');
  });

  test('a missing or wrong CSRF token is refused before any file is stored', async () => {
    const { agent, csrf } = await atFileStep(container.app);
    const before = storedFiles(dir.path);
    const wrong = await postStep(agent, `${csrf.slice(0, -2)}xx`, { file: { bytes: pdf(1000), name: 'a.pdf' } });
    expect(wrong.status).toBe(403);
    expect(wrong.text).toContain('Die Seite war veraltet');
    // The token after the file: too late, the file is not taken.
    const late = await agent.post(FILE_STEP_URL).attach(FILE_POINTER, pdf(1000), 'a.pdf').field('_csrf', csrf).field('_action', 'upload');
    expect(late.status).toBe(403);
    const none = await agent.post(FILE_STEP_URL).attach(FILE_POINTER, pdf(1000), 'a.pdf').field('_action', 'upload');
    expect(none.status).toBe(403);
    expect(storedFiles(dir.path)).toEqual(before);
    expect(listedFiles((await agent.get(FILE_STEP_URL)).text)).toEqual([]);
  });

  describe('hostile multipart bodies get a readable page, never a 500', () => {
    const raw = (agent: Agent, contentType: string, body: Buffer | string) => agent.post(FILE_STEP_URL).set('content-type', contentType).send(Buffer.from(body));
    const part = (boundary: string, name: string, value: string, fileName?: string) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${name}"${fileName !== undefined ? `; filename="${fileName}"\r\nContent-Type: application/pdf` : ''}\r\n\r\n${value}\r\n`;

    test('no boundary', async () => {
      const { agent } = await atFileStep(container.app);
      const res = await raw(agent, 'multipart/form-data', 'whatever');
      expect(res.status).toBe(400);
      expect(res.text).toContain('Das Formular konnte nicht gelesen werden');
    });

    test('truncated: no closing boundary, or cut inside a file part', async () => {
      const { agent, csrf } = await atFileStep(container.app);
      const before = storedFiles(dir.path);
      const open = part('b0', '_csrf', csrf) + part('b0', '/name', 'Anna');
      expect((await raw(agent, 'multipart/form-data; boundary=b0', open)).status).toBe(400);
      const cut = `${part('b0', '_csrf', csrf)}--b0\r\nContent-Disposition: form-data; name="${FILE_POINTER}"; filename="a.pdf"\r\n\r\n%PDF-1.7\n${'x'.repeat(5000)}`;
      const res = await raw(agent, 'multipart/form-data; boundary=b0', cut);
      expect(res.status).toBe(400);
      expect(res.text).toContain('Das Formular konnte nicht gelesen werden');
      expect(storedFiles(dir.path)).toEqual(before);
    });

    test('malformed part headers', async () => {
      const { agent } = await atFileStep(container.app);
      const res = await raw(agent, 'multipart/form-data; boundary=b1', `--b1\r\n${'X'.repeat(100_000)}\r\n\r\nvalue\r\n--b1--\r\n`);
      expect(res.status).toBe(400);
    });

    test('too many parts', async () => {
      const { agent, csrf } = await atFileStep(container.app);
      const body = part('b2', '_csrf', csrf) + Array.from({ length: 2100 }, (_, i) => part('b2', `f${i}`, 'x')).join('') + '--b2--\r\n';
      const res = await raw(agent, 'multipart/form-data; boundary=b2', body);
      expect(res.status).toBe(413);
      expect(res.text).toContain('Das Formular war zu umfangreich');
    });

    test('a file under a name that is no file question, or two files for one input', async () => {
      const { agent, csrf } = await atFileStep(container.app);
      const before = storedFiles(dir.path);
      const elsewhere = part('b3', '_csrf', csrf) + part('b3', '/name', '%PDF-1.7\nabc', 'a.pdf') + '--b3--\r\n';
      expect((await raw(agent, 'multipart/form-data; boundary=b3', elsewhere)).status).toBe(400);
      const twice = part('b4', '_csrf', csrf) + part('b4', FILE_POINTER, '%PDF-1.7\nabc', 'a.pdf') + part('b4', FILE_POINTER, '%PDF-1.7\nabc', 'b.pdf') + '--b4--\r\n';
      const res = await raw(agent, 'multipart/form-data; boundary=b4', twice);
      expect(res.status).toBe(400);
      expect(res.text).toContain('Das Formular konnte nicht gelesen werden');
      // The file stored before the second one arrived goes again: the draft holds none of this post.
      expect(storedFiles(dir.path)).toEqual(before);
      expect(listedFiles((await agent.get(FILE_STEP_URL)).text)).toEqual([]);
    });

    test('a multipart post to a step without file questions', async () => {
      const { agent } = await atFileStep(container.app);
      const region = await agent.get(`/forms/${FILE_FORM}/steps/gemeinde`);
      const res = await agent.post(`/forms/${FILE_FORM}/steps/gemeinde`).field('_csrf', csrfOf(region.text)).attach('/gemeinde', pdf(100), 'a.pdf');
      expect(res.status).toBe(400);
    });

    test('an oversized field', async () => {
      const { agent, csrf } = await atFileStep(container.app);
      const res = await agent.post(FILE_STEP_URL).field('_csrf', csrf).field('/name', 'x'.repeat(2 * 1024 * 1024)).field('_action', 'continue');
      expect(res.status).toBe(413);
    });
  });

  test('without a draft: the expired page', async () => {
    const res = await request(container.app).post(FILE_STEP_URL).field('_csrf', 'x').attach(FILE_POINTER, pdf(1000), 'a.pdf');
    expect(res.status).toBe(410);
  });

  describe('status messages after an upload or a removal (WCAG 4.1.3)', () => {
    const note = (html: string) => /<p class="[^"]*efa-file__note"[^>]*>([^<]*)<\/p>/.exec(html);
    const noteCookie = (res: { headers: Record<string, unknown> }) =>
      ((res.headers['set-cookie'] as string[] | undefined) ?? []).find((c) => c.startsWith('efa_file_note='));

    test('the page after the redirect says once what was uploaded or removed, in a status region; no name in the URL or the cookie', async () => {
      const { agent, csrf } = await atFileStep(container.app);
      const uploaded = await postStep(agent, csrf, { file: { bytes: pdf(2000), name: 'scan.pdf' } });
      expect(uploaded.status).toBe(303);
      expect(uploaded.headers.location).toBe(FILE_STEP_URL);
      const kept = noteCookie(uploaded)!;
      expect(kept).toMatch(new RegExp(`^efa_file_note=[A-Za-z0-9_-]+; Path=/forms/${FILE_FORM}; HttpOnly; SameSite=Lax; Max-Age=60$`));
      // An upload is noted by its id: the name stays in the store.
      expect(Buffer.from(kept.slice('efa_file_note='.length).split(';')[0]!, 'base64url').toString('utf8')).not.toContain('scan');

      let page = await agent.get(FILE_STEP_URL);
      expect(page.text).toContain(`<p class="efa-body efa-body--bold efa-file__note" id="${FIELD}-note" role="status" tabindex="-1" data-file-note>Datei „scan.pdf“ wurde hochgeladen.</p>`);
      // Near the question: inside its group, before the list of its files.
      expect(page.text.indexOf('data-file-note')).toBeGreaterThan(page.text.indexOf(`id="${FIELD}-formats"`));
      expect(page.text.indexOf('data-file-note')).toBeLessThan(page.text.indexOf('class="efa-file__list"'));
      expect(noteCookie(page)).toBe(`efa_file_note=; Path=/forms/${FILE_FORM}; HttpOnly; SameSite=Lax; Max-Age=0`);
      // Said once: the next view of the step has no message.
      page = await agent.get(FILE_STEP_URL);
      expect(note(page.text)).toBeNull();

      const [file] = listedFiles(page.text);
      const removed = await postStep(agent, csrf, { action: `remove-file:${file!.id}` });
      expect(removed.status).toBe(303);
      expect(removed.headers.location).toBe(FILE_STEP_URL);
      // A removal is noted by its question only: no name leaves the server.
      expect(Buffer.from(noteCookie(removed)!.slice('efa_file_note='.length).split(';')[0]!, 'base64url').toString('utf8')).not.toContain('scan');
      page = await agent.get(FILE_STEP_URL);
      expect(note(page.text)?.[1]).toBe('Die Datei wurde entfernt.');
      expect(listedFiles(page.text)).toEqual([]);
      expect(note((await agent.get(FILE_STEP_URL)).text)).toBeNull();
    });

    test('at the maximum the message is there too; a file refused says nothing of an upload', async () => {
      const { agent, csrf } = await atFileStep(container.app);
      for (const name of ['a.pdf', 'b.pdf']) expect((await postStep(agent, csrf, { file: { bytes: pdf(1000), name } })).status).toBe(303);
      const full = await agent.get(FILE_STEP_URL);
      expect(full.text).not.toContain('type="file"');
      expect(note(full.text)?.[1]).toBe('Datei „b.pdf“ wurde hochgeladen.');
      const refused = await postStep(agent, csrf, { file: { bytes: pdf(1000), name: 'c.pdf' } });
      expect(refused.status).toBe(400);
      expect(note(refused.text)).toBeNull();
      expect(noteCookie(refused)).toBeUndefined();
    });

    test('a cookie of another step, or one not made by the pages, shows nothing', async () => {
      const { agent } = await atFileStep(container.app);
      const other = Buffer.from(JSON.stringify({ s: 'gemeinde', r: ['/nachweis', 'fremd.pdf'] })).toString('base64url');
      const page = await agent.get(FILE_STEP_URL).set('cookie', `efa_file_note=${other}`);
      expect(note(page.text)).toBeNull();
      expect(noteCookie(page)).toMatch(/Max-Age=0$/);
      const garbage = await agent.get(FILE_STEP_URL).set('cookie', 'efa_file_note=%%%');
      expect(garbage.status).toBe(200);
      expect(note(garbage.text)).toBeNull();
    });

    test('in English, with the script\u2019s text for an upload cut off in the page\u2019s language', async () => {
      const { agent, csrf } = await atFileStep(container.app);
      const german = await agent.get(FILE_STEP_URL);
      expect(german.text).toContain(`<div class="efa-file__progress" id="${FIELD}-status" data-upload-status aria-live="polite" tabindex="-1" data-upload-interrupted="Die Datei konnte nicht hochgeladen werden: Die Verbindung ist abgebrochen oder das Hochladen hat zu lange gedauert.`);
      await agent.get(`${FILE_STEP_URL}?lang=en`);
      await postStep(agent, csrf, { file: { bytes: pdf(2000), name: 'scan.pdf' } });
      const page = await agent.get(FILE_STEP_URL);
      expect(note(page.text)?.[1]).toBe('File “scan.pdf” has been uploaded.');
      expect(page.text).toContain('data-upload-interrupted="The file could not be uploaded: the connection was lost or the upload took too long.');
    });
  });
});
