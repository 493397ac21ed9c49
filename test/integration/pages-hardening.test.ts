import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import type { Container } from '../../src/container';
import { example, sampleContainer } from '../support/test-setup';
import { csrfOf, encodeForm } from '../support/page-form';
import { tempDir } from '../support/temp-dir';
import { withUploads } from '../support/with-uploads';

/**
 * Issue 9, findings 4 and 5: what a page may store in a draft is bounded, and a control
 * character is refused at the step where it was typed, with the field named.
 */
describe('pages: bounded drafts and answers refused where they are typed', () => {
  const dir = tempDir();
  let container: Container;

  beforeAll(async () => {
    container = await sampleContainer(dir.path);
  });
  afterAll(async () => {
    await container.close(1000);
    dir.remove();
  });

  const databaseBytes = () => ['efa-forms.sqlite', 'efa-forms.sqlite-wal']
    .map((f) => path.join(dir.path, 'data', f))
    .reduce((sum, f) => sum + (existsSync(f) ? statSync(f).size : 0), 0);

  /** A new draft of the parking permit, past the region step: the agent and the person step's URL. */
  async function atPersonStep() {
    const agent = request.agent(container.app);
    const start = await agent.get('/forms/anwohnerparkausweis/start');
    const region = await agent.get(start.headers.location as string);
    const toPerson = await agent.post(start.headers.location as string).type('form')
      .send(encodeForm([['_csrf', csrfOf(region.text)], ['/anschrift/gemeinde', '160510000000'], ['_action', 'continue']]));
    expect(toPerson.status).toBe(303);
    const url = toPerson.headers.location as string;
    const page = await agent.get(url);
    return { agent, url, csrf: csrfOf(page.text) };
  }

  /** Database growth for 100 new drafts whose person step gets these three answers. */
  async function growthFor(value: string, oversize: boolean): Promise<number> {
    const before = databaseBytes();
    for (let i = 0; i < 100; i++) {
      const { agent, url, csrf } = await atPersonStep();
      const posted = await agent.post(url).type('form').send(encodeForm([
        ['_csrf', csrf], ['/antragsteller/vorname', value], ['/antragsteller/nachname', value], ['/antragsteller/email', value], ['_action', oversize && i % 2 === 0 ? 'save' : 'continue'],
      ]));
      // Ordinary answers stay on the page too (Anna is no e-mail address), but are kept.
      expect(posted.status).toBe(400);
      if (oversize) {
        expect(posted.text).toContain('class="efa-error-summary" role="alert"');
        expect(posted.text).toMatch(/Vorname: Bitte geben Sie höchstens [0-9]+ Zeichen ein\./);
        // The refused texts are shown again cut to their limits, not echoed in full.
        expect(posted.text.length).toBeLessThan(64 * 1024);
      }
    }
    return databaseBytes() - before;
  }

  test('100 drafts with three 300 KB answers each grow the database no more than 100 ordinary drafts (before: 90 MB)', async () => {
    const ordinary = await growthFor('Anna', false);
    const oversize = await growthFor('x'.repeat(300 * 1024), true);
    process.stdout.write(`drafts: database grew by ${oversize} bytes for 100 refused oversize drafts, ${ordinary} for 100 ordinary ones\n`);
    // The WAL grows by whole pages per transaction, the same for both; none of the 90 MB is kept.
    expect(ordinary).toBeGreaterThan(0);
    expect(oversize).toBeLessThan(ordinary + 1024 * 1024);
  }, 120_000);

  test('a control character is refused at its step, with the field named, and the draft keeps the earlier answer', async () => {
    const { agent, url, csrf } = await atPersonStep();
    const ok = await agent.post(url).type('form').send(encodeForm([['_csrf', csrf], ['/antragsteller/vorname', 'Anna'], ['_action', 'save']]));
    expect(ok.status).toBe(200);
    const posted = await agent.post(url).type('form').send(encodeForm([['_csrf', csrf], ['/antragsteller/vorname', 'Anna\u0007'], ['/antragsteller/nachname', 'Muster'], ['_action', 'continue']]));
    expect(posted.status).toBe(400);
    expect(posted.text).toMatch(/href="#f-antragsteller-vorname">Vorname: Ihre Angabe enthält unsichtbare Steuerzeichen/);
    // Nothing of the refused step was written.
    const page = await agent.get(url);
    expect(page.text).toContain('value="Anna"');
    expect(page.text).not.toContain('Muster');
  });

  test('the API normalises like the pages: trimmed, NFC, and a text of only spaces counts as missing', async () => {
    // The vehicle registration is uploaded first: the name is then the only problem, and once it is fixed the application goes in.
    const data = await withUploads(container.app, 'anwohnerparkausweis', example('anwohnerparkausweis', 'valid-1') as { antragsteller: Record<string, unknown> });
    data.antragsteller.nachname = '   \u00a0 ';
    const missing = await request(container.app).post('/api/forms/anwohnerparkausweis/submissions').send({ data });
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual([{ pointer: '/antragsteller/nachname', message: 'Familienname: Bitte füllen Sie dieses Feld aus.' }]);

    data.antragsteller.nachname = '  Rene\u0301e  ';
    const accepted = await request(container.app).post('/api/forms/anwohnerparkausweis/submissions').send({ data });
    expect(accepted.status).toBe(201);
    const stored = await container.store.submissions.find(accepted.body.id);
    expect(JSON.parse(stored!.dataJson).antragsteller.nachname).toBe('Ren\u00e9e');
    expect(stored!.payloadXml).toContain('<nachname>Renée</nachname>');
  });

  test('a control character in the API is named at its field too', async () => {
    const data = await withUploads(container.app, 'anwohnerparkausweis', example('anwohnerparkausweis', 'valid-1') as { antragsteller: Record<string, unknown> });
    data.antragsteller.vorname = 'Anna\u0001';
    const res = await request(container.app).post('/api/forms/anwohnerparkausweis/submissions').send({ data });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ pointer: '/antragsteller/vorname', message: expect.stringMatching(/^Vorname: Ihre Angabe enthält unsichtbare Steuerzeichen/) }]);
  });
});
