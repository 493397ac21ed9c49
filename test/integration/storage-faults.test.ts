import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import express from 'express';
import request from 'supertest';
import { ERROR_CATALOGUE } from '../../src/errors';
import { healthRouter, type Readiness } from '../../src/http/health-router';
import { csrfOf, encodeForm, postStepForm, stepFiles, stepFormFields } from '../support/page-form';
import { mountSmallFileSystem, type SmallFileSystem } from '../support/small-filesystem';
import { tempDir } from '../support/temp-dir';
import { example, sampleContainer } from '../support/test-setup';

/**
 * A full disk, for real: DATA_DIR is a small tmpfs of its own, filled up by a filler file until
 * the kernel answers ENOSPC, so SQLite itself fails with SQLITE_FULL. Every write must then be
 * refused with 503 and Retry-After, leave nothing behind, and work again, without a restart, as
 * soon as the filler is gone.
 */
describe('a full disk under the store', () => {
  let dir: ReturnType<typeof tempDir>;
  let disk: SmallFileSystem;
  let container: Awaited<ReturnType<typeof sampleContainer>>;

  beforeEach(async () => {
    dir = tempDir('efa-faults-');
    // sampleContainer puts DATA_DIR at <dir>/data: mount the small disk there first.
    disk = mountSmallFileSystem(path.join(dir.path, 'data'), 4 * 1024 * 1024);
    container = await sampleContainer(dir.path);
  });
  afterEach(async () => {
    await container.close(1000);
    disk.remove();
    dir.remove();
  });

  /** Rows as they are on disk, read by a connection of the test's own. */
  function countRows(): { submissions: number; jobs: number; drafts: number; attachments: number; attached: number } {
    const db = new Database(path.join(disk.path, 'efa-forms.sqlite'), { readonly: true, fileMustExist: true });
    try {
      const count = (table: string, where = '1') => (db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`).get() as { n: number }).n;
      return {
        submissions: count('submissions'), jobs: count('delivery_jobs'), drafts: count('drafts'),
        // Uploaded files, and those of them a submission has taken.
        attachments: count('attachments'), attached: count('attachments', 'submission_id IS NOT NULL'),
      };
    } finally {
      db.close();
    }
  }

  const logged = (event: string) => container.logger.lines.filter((l) => l.event === event);

  test('a submission gets 503 problem+json with Retry-After, nothing of it is stored, and the same request succeeds once space is back', async () => {
    const data = example('hundesteuer-anmeldung', 'valid-1');
    const submit = () => request(container.app).post('/api/forms/hundesteuer-anmeldung/submissions').set('accept-language', 'de').send({ data });

    disk.fill();
    const refused = await submit();
    expect(refused.status).toBe(503);
    expect(refused.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(refused.headers['retry-after']).toBe('30');
    expect(refused.body).toEqual({
      type: 'urn:efa-forms:problem:storage-unavailable',
      title: ERROR_CATALOGUE.STORAGE_UNAVAILABLE.title.de,
      status: 503,
      code: 'STORAGE_UNAVAILABLE',
    });
    // All or nothing: no submission row, no event, no job.
    expect(countRows()).toMatchObject({ submissions: 0, jobs: 0 });
    // A warning with the reason, not an internal error with a stack.
    expect(logged('storage.unavailable')).toEqual([
      { level: 'warn', event: 'storage.unavailable', fields: { route: '/api/forms/:id/submissions', reason: 'disk full', code: 'SQLITE_FULL' } },
    ]);
    expect(logged('http.internal_error')).toEqual([]);

    disk.free();
    const accepted = await submit();
    expect(accepted.status).toBe(201);
    const id = (accepted.body as { id: string }).id;
    expect((await container.store.submissions.find(id))?.status).toBe('accepted');
    expect(countRows().submissions).toBe(1);
    expect((await container.store.deliveries.jobsOf(id)).length).toBeGreaterThan(0);
  });

  test('the citizen who sends the check page gets a readable 503 page with Retry-After, and can send it again once space is back', async () => {
    const formId = 'anwohnerparkausweis';
    const data = example(formId, 'valid-1');
    const model = container.forms.get(formId)!;
    const agent = request.agent(container.app);
    // Through every step while there is space (each step is saved in the draft, the vehicle
    // registration uploaded on its step as the citizen chooses it).
    let location = (await agent.get(`/forms/${formId}/start`)).headers.location as string;
    while (location.includes('/steps/')) {
      const page = await agent.get(location);
      const step = model.steps.find((s) => s.id === location.split('/steps/')[1]!.split('?')[0])!;
      const posted = await postStepForm(agent, location, [['_csrf', csrfOf(page.text)], ...stepFormFields(model, step, data), ['_action', 'continue']], stepFiles(step, data));
      expect(posted.status).toBe(303);
      location = posted.headers.location as string;
    }
    const check = await agent.get(`/forms/${formId}/check`);
    const send = encodeForm([['_csrf', csrfOf(check.text)], ...model.declarations.map((d) => [d.pattern, 'true'] as [string, string]), ['_action', 'submit']]);

    disk.fill();
    const refused = await agent.post(`/forms/${formId}/check`).set('accept-language', 'de').type('form').send(send);
    expect(refused.status).toBe(503);
    expect(refused.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(refused.headers['retry-after']).toBe('30');
    expect(refused.text).toContain('Ihre Angaben können gerade nicht gespeichert werden');
    expect(refused.text).toContain('Es ist nichts verloren gegangen');
    expect(refused.text).not.toContain('technischer Fehler');
    // The draft keeps its uploaded file, taken by no submission.
    expect(countRows()).toMatchObject({ submissions: 0, jobs: 0, drafts: 1, attachments: 1, attached: 0 });
    expect(logged('storage.unavailable').map((l) => l.fields)).toEqual([{ route: '/forms/:id/check', reason: 'disk full', code: 'SQLITE_FULL' }]);
    expect(logged('pages.internal_error')).toEqual([]);

    disk.free();
    const sent = await agent.post(`/forms/${formId}/check`).type('form').send(send);
    expect(sent.status).toBe(303);
    expect(sent.headers.location).toMatch(new RegExp(`^/forms/${formId}/confirmation\\?ref=`));
    expect(countRows()).toMatchObject({ submissions: 1, drafts: 0, attachments: 1, attached: 1 });
  });

  test('a file that does not fit on the disk: the API upload and the page upload get 503 with Retry-After, no part of the file stays, and both work once space is back', async () => {
    const field = '/fahrzeug/zulassungsbescheinigung';
    const bytes = Buffer.concat([Buffer.from('%PDF-1.7\n', 'latin1'), Buffer.alloc(1024 * 1024, 7)]);
    const upload = () => request(container.app).post(`/api/forms/anwohnerparkausweis/attachments?field=${encodeURIComponent(field)}`)
      .set('accept-language', 'de').attach('file', bytes, 'gross.pdf');
    const folder = path.join(disk.path, 'attachments');
    const leftovers = () => (existsSync(folder) ? readdirSync(folder) : []);

    // A quarter of a megabyte left: the file is cut off part-way, as on a real disk.
    disk.fill(256 * 1024);
    const refused = await upload();
    expect(refused.status).toBe(503);
    expect(refused.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(refused.headers['retry-after']).toBe('30');
    expect(refused.body.code).toBe('STORAGE_UNAVAILABLE');
    expect(leftovers()).toEqual([]);
    expect(countRows().attachments).toBe(0);
    expect(logged('storage.unavailable').map((l) => l.fields)).toEqual([{ route: '/api/forms/:id/attachments', reason: 'disk full', code: 'ENOSPC' }]);
    expect(logged('http.internal_error')).toEqual([]);

    // On the pages: the vehicle step's upload button, reached while there is space.
    disk.free();
    const agent = request.agent(container.app);
    let location = (await agent.get('/forms/anwohnerparkausweis/start')).headers.location as string;
    const model = container.forms.get('anwohnerparkausweis')!;
    const data = example('anwohnerparkausweis', 'valid-1');
    while (!location.endsWith('/steps/fahrzeug')) {
      const page = await agent.get(location);
      const step = model.steps.find((st) => st.id === location.split('/steps/')[1]!.split('?')[0])!;
      const posted = await postStepForm(agent, location, [['_csrf', csrfOf(page.text)], ...stepFormFields(model, step, data), ['_action', 'continue']]);
      expect(posted.status).toBe(303);
      location = posted.headers.location as string;
    }
    const step = await agent.get(location);
    disk.fill(256 * 1024);
    const pageRefused = await agent.post(location).set('accept-language', 'de').field('_csrf', csrfOf(step.text))
      .attach(field, bytes, 'gross.pdf').field('_action', 'upload');
    expect(pageRefused.status).toBe(503);
    expect(pageRefused.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(pageRefused.headers['retry-after']).toBe('30');
    expect(pageRefused.text).toContain('Ihre Angaben können gerade nicht gespeichert werden');
    expect(leftovers()).toEqual([]);
    expect(logged('pages.internal_error')).toEqual([]);

    disk.free();
    expect((await upload()).status).toBe(201);
    const again = await agent.post(location).field('_csrf', csrfOf(step.text)).attach(field, bytes, 'gross.pdf').field('_action', 'upload');
    expect(again.status).toBe(303);
    expect(leftovers()).toHaveLength(2);
  });

  test('/readyz says not ready with the reason while the disk is full and ready after; /healthz stays 200', async () => {
    // Every call probes (no reuse), so the test sees each change at once.
    const readiness: Readiness = { store: container.store, worker: container.worker, workerStaleAfterMs: 2000, probeReuseMs: 0, logger: container.logger };
    const app = express().use(healthRouter({ readiness }));
    container.worker.start();
    for (const deadline = Date.now() + 5000; !container.worker.lastPollAt();) {
      if (Date.now() > deadline) throw new Error('the worker did not poll');
      await new Promise((r) => setTimeout(r, 10));
    }

    const ready = await request(app).get('/readyz');
    expect({ status: ready.status, body: ready.body, cache: ready.headers['cache-control'] })
      .toEqual({ status: 200, body: { status: 'ready', checks: { store: 'writable', worker: 'alive' } }, cache: 'no-store' });

    disk.fill();
    const full = await request(app).get('/readyz');
    expect({ status: full.status, body: full.body, cache: full.headers['cache-control'] })
      .toEqual({ status: 503, body: { status: 'not-ready', checks: { store: 'unwritable: disk full', worker: 'alive' } }, cache: 'no-store' });
    const live = await request(app).get('/healthz');
    expect({ status: live.status, body: live.body }).toEqual({ status: 200, body: { status: 'ok' } });
    expect(logged('readiness.changed').map((l) => [l.level, l.fields.store])).toEqual([['info', 'writable'], ['warn', 'unwritable: disk full']]);

    disk.free();
    const back = await request(app).get('/readyz');
    expect({ status: back.status, body: back.body }).toEqual({ status: 200, body: { status: 'ready', checks: { store: 'writable', worker: 'alive' } } });

    await container.worker.stop(1000);
    const stopped = await request(app).get('/readyz');
    expect({ status: stopped.status, body: stopped.body }).toEqual({ status: 503, body: { status: 'not-ready', checks: { store: 'writable', worker: 'stopped' } } });
    // A web server with DELIVERY_WORKER=off runs no worker: not checked, not failing readiness.
    const webOnly = express().use(healthRouter({ readiness: { ...readiness, worker: undefined } }));
    const served = await request(webOnly).get('/readyz');
    expect({ status: served.status, body: served.body }).toEqual({ status: 200, body: { status: 'ready', checks: { store: 'writable', worker: 'not-run-here' } } });
  });
});
