import { readdirSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import type { Container } from '../../src/container';
import { applies, stepApplies } from '../../src/forms/applicability';
import { sampleContainer, example, SAMPLE_FORMS } from '../support/test-setup';
import { csrfOf, encodeForm, postStepForm, stepFiles, stepFormFields } from '../support/page-form';
import { tempDir } from '../support/temp-dir';
import { withUploads } from '../support/with-uploads';
import { child, parseXml } from '../support/xml';

/**
 * The citizen pages driven over HTTP without a browser (supertest keeps the cookies): every
 * sample form end to end, validation per step, lists, save and resume, CSRF and expiry.
 * The browser tests (test/e2e) add JavaScript-off/keyboard/axe checks on top.
 */
describe('citizen pages over HTTP', () => {
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

  const modelOf = (id: string) => container.forms.get(id)!;

  /** Goes through every applicable step with these answers; returns the agent on the check page. */
  async function fillIn(formId: string, data: Record<string, unknown>) {
    const agent = request.agent(container.app);
    const model = modelOf(formId);
    const started = await agent.get(`/forms/${formId}/start`);
    expect(started.status).toBe(303);
    let location = started.headers.location as string;
    const visited: string[] = [];
    while (location.includes('/steps/')) {
      const stepId = location.split('/steps/')[1]!.split('?')[0]!;
      visited.push(stepId);
      const page = await agent.get(location);
      expect(page.status).toBe(200);
      const step = model.steps.find((s) => s.id === stepId)!;
      const fields = stepFormFields(model, step, data);
      const posted = await postStepForm(agent, location, [['_csrf', csrfOf(page.text)], ...fields, ['_action', 'continue']], stepFiles(step, data));
      expect({ step: stepId, status: posted.status, errors: posted.status === 303 ? [] : [...posted.text.matchAll(/<li><a href="#[^"]+">([^<]+)<\/a><\/li>/g)].map((m) => m[1]) })
        .toEqual({ step: stepId, status: 303, errors: [] });
      location = posted.headers.location as string;
    }
    expect(location).toBe(`/forms/${formId}/check`);
    return { agent, model, visited };
  }

  async function submitCheck(agent: ReturnType<typeof request.agent>, formId: string, declarations: Array<[string, string]>) {
    const check = await agent.get(`/forms/${formId}/check`);
    expect(check.status).toBe(200);
    return agent.post(`/forms/${formId}/check`).type('form').send(encodeForm([['_csrf', csrfOf(check.text)], ...declarations, ['_action', 'submit']]));
  }

  /** JSON with every attachment id (a UUID) replaced by one placeholder. */
  const withoutIds = (json: string) => json.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<id>');

  const validExamples = readdirSync(SAMPLE_FORMS).flatMap((form) =>
    readdirSync(path.join(SAMPLE_FORMS, form, 'examples')).filter((f) => f.startsWith('valid-')).map((f) => [form, f.replace('.json', '')] as const));

  test.each(validExamples)('%s %s through the pages is stored and sent exactly like the same data through the API', async (formId, name) => {
    const data = example(formId, name);
    const { agent, model } = await fillIn(formId, data);
    const declarations = model.declarations.map((d) => [d.pattern, 'true'] as [string, string]);
    const done = await submitCheck(agent, formId, declarations);
    expect(done.status).toBe(303);
    const confirmation = await agent.get(done.headers.location as string);
    expect(confirmation.status).toBe(200);
    const reference = /<strong class="efa-reference">([^<]+)<\/strong>/.exec(confirmation.text)?.[1];
    expect(reference).toMatch(/^[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]$/);

    const api = await request(container.app).post(`/api/forms/${formId}/submissions`).send({ data: await withUploads(container.app, formId, data) });
    expect(api.status).toBe(201);
    const viaPages = await container.store.submissions.find(reference!);
    const viaApi = await container.store.submissions.find(api.body.id);
    // The same answers; each upload has its own id.
    expect(withoutIds(viaPages!.dataJson)).toBe(withoutIds(viaApi!.dataJson));
    expect(viaPages!.authorityId).toBe(viaApi!.authorityId);
    expect(confirmation.text).toContain(api.body.authority.name);
    const dataElement = async (id: string) => {
      const [job] = (await container.store.deliveries.jobsOf(id)).filter((j) => j.channel === 'http');
      return JSON.stringify(child(parseXml(job!.body).elements![0]!, 'data'));
    };
    expect(withoutIds(await dataElement(reference!))).toBe(withoutIds(await dataElement(api.body.id)));
    expect((await container.store.attachments.ofSubmission(reference!)).map((a) => [a.fieldPointer, a.fileName, a.size]))
      .toEqual((await container.store.attachments.ofSubmission(api.body.id)).map((a) => [a.fieldPointer, a.fileName, a.size]));
    // The draft is gone after submitting.
    expect((await agent.get(`/forms/${formId}/check`)).status).toBe(410);
  });

  test('the confirmation page shows where the application stands, refreshed by its own link', async () => {
    const data = example('anwohnerparkausweis', 'valid-1');
    const { agent, model } = await fillIn('anwohnerparkausweis', data);
    const done = await submitCheck(agent, 'anwohnerparkausweis', model.declarations.map((d) => [d.pattern, 'true'] as [string, string]));
    const url = done.headers.location as string;
    const first = await agent.get(url);
    expect(first.headers['cache-control']).toBe('no-store');
    expect(first.text).toMatch(/<p class="efa-body" id="status" data-status="accepted">Eingegangen\. Ihr Antrag wird an die Behörde übermittelt\.<br>Stand: <time datetime="[^"]+">\d{1,2}\. \p{L}+ \d{4} um \d{2}:\d{2}<\/time><\/p>/u);
    expect(first.text).toContain(`href="${url.replace(/&/g, '&amp;').replace(/=/g, '&#x3D;')}">Bearbeitungsstand aktualisieren</a>`);
    const reference = /<strong class="efa-reference">([^<]+)<\/strong>/.exec(first.text)![1]!;

    // The authority received it (as the worker would record it).
    const claimed = await container.store.deliveries.claimDue({ now: new Date(Date.now() + 1000), limit: 100, leaseMs: 60_000, owner: 'pages-test' });
    const job = claimed.find((j) => j.submissionId === reference && j.channel === 'http')!;
    await container.store.deliveries.markDelivered(job.id, new Date());
    const later = await agent.get(url);
    expect(later.text).toContain('data-status="delivered">Bei der Behörde eingegangen.<br>');
    const english = await agent.get(`${url}&lang=en`).redirects(1);
    expect(english.text).toContain('data-status="delivered">Received by the authority.<br>As of: ');
  });

  test('answers to questions that no longer apply are not submitted', async () => {
    // A GmbH needs its register entry; after switching to a sole trader it must not be sent.
    const data = example('gewerbeanmeldung', 'valid-1');
    expect(data.rechtsform).toBe('gmbh');
    const { agent, model } = await fillIn('gewerbeanmeldung', data);
    const url = '/forms/gewerbeanmeldung/steps/rechtsform?return=check';
    const page = await agent.get(url);
    expect(page.text).toContain('value="Jena"');
    const step = model.steps.find((s) => s.id === 'rechtsform')!;
    const fields = stepFormFields(model, step, { ...data, rechtsform: 'einzelunternehmen' });
    const changed = await agent.post(url).type('form').send(encodeForm([['_csrf', csrfOf(page.text)], ...fields, ['_action', 'continue']]));
    expect(changed.headers.location).toBe('/forms/gewerbeanmeldung/check');
    const check = await agent.get('/forms/gewerbeanmeldung/check');
    expect(check.text).not.toContain('Registergericht');
    const done = await agent.post('/forms/gewerbeanmeldung/check').type('form')
      .send(encodeForm([['_csrf', csrfOf(check.text)], ['/erklaerung', 'true'], ['_action', 'submit']]));
    const reference = new URL(done.headers.location as string, 'http://x').searchParams.get('ref')!;
    const stored = JSON.parse((await container.store.submissions.find(reference))!.dataJson) as Record<string, unknown>;
    expect(stored.rechtsform).toBe('einzelunternehmen');
    expect(stored).not.toHaveProperty('registergericht');
    expect(stored).not.toHaveProperty('registernummer');
  });

  test('a step whose questions all do not apply is skipped', () => {
    const model = modelOf('gewerbeanmeldung');
    // A form whose whole step depends on an answer: the step is left out of the flow and the count.
    const conditional = model.root.children.filter((n) => n.condition);
    expect(conditional.map((n) => n.name).sort()).toEqual(['registergericht', 'registernummer', 'vorherigerInhaber']);
    const soleTrader = { anmeldegrund: 'neugruendung', rechtsform: 'einzelunternehmen' };
    expect(conditional.filter((n) => applies(n, n.pattern, soleTrader))).toEqual([]);
    const onlyConditional = { id: 'register', kind: 'questions' as const, title: { de: 'Register' }, nodes: conditional.filter((n) => n.name.startsWith('register')) };
    expect(stepApplies(onlyConditional, soleTrader)).toBe(false);
    expect(stepApplies(onlyConditional, { ...soleTrader, rechtsform: 'ug' })).toBe(true);
  });

  test('a step with mistakes shows an error summary, the messages at the fields and keeps the values', async () => {
    const agent = request.agent(container.app);
    const start = await agent.get('/forms/anwohnerparkausweis/start');
    const region = await agent.get(start.headers.location as string);
    const toPerson = await agent.post(start.headers.location as string).type('form')
      .send(encodeForm([['_csrf', csrfOf(region.text)], ['/anschrift/gemeinde', '160510000000'], ['_action', 'continue']]));
    expect(toPerson.status).toBe(303);
    const page = await agent.get(toPerson.headers.location as string);
    const posted = await agent.post(toPerson.headers.location as string).type('form').send(encodeForm([
      ['_csrf', csrfOf(page.text)], ['/antragsteller/vorname', 'Łukasz'], ['/antragsteller/email', 'kein-at-zeichen'],
      ['/antragsteller/geburtsdatum|day', '31'], ['/antragsteller/geburtsdatum|month', '2'], ['/antragsteller/geburtsdatum|year', '1990'], ['_action', 'continue'],
    ]));
    expect(posted.status).toBe(400);
    expect(posted.text).toMatch(/<title>Fehler: /);
    expect(posted.text).toContain('class="efa-error-summary" role="alert"');
    expect(posted.text).toContain('value="Łukasz"');
    expect(posted.text).toContain('value="kein-at-zeichen"');
    expect(posted.text).toContain('name="/antragsteller/geburtsdatum|day" type="text" inputmode="numeric" value="31"');
    expect(posted.text).toMatch(/href="#f-antragsteller-nachname">Familienname: Bitte füllen Sie dieses Feld aus\.<\/a>/);
    expect(posted.text).toMatch(/id="f-antragsteller-email-error"/);
    expect(posted.text).toContain('gültiges Datum');
  });

  test('the region step finds municipalities by postal code and name and says at once when nobody serves them', async () => {
    const agent = request.agent(container.app);
    const start = await agent.get('/forms/anwohnerparkausweis/start');
    const url = start.headers.location as string;
    const page = await agent.get(url);
    const csrf = csrfOf(page.text);
    const byCode = await agent.post(url).type('form').send(encodeForm([['_csrf', csrf], ['_q', '98693'], ['_action', 'search']]));
    expect(byCode.status).toBe(200);
    expect(byCode.text).toMatch(/value="160700029029" checked>/);
    const byName = await agent.post(url).type('form').send(encodeForm([['_csrf', csrf], ['_q', 'weim'], ['_action', 'search']]));
    expect(byName.text).toContain('value="160550000000"');
    const none = await agent.post(url).type('form').send(encodeForm([['_csrf', csrf], ['_q', 'Atlantis'], ['_action', 'search']]));
    expect(none.text).toContain('keine Gemeinde gefunden');
    // Meiningen is in the tenant table, but no authority takes this form there.
    const meiningen = await agent.post(url).type('form').send(encodeForm([['_csrf', csrf], ['/anschrift/gemeinde', '160665050042'], ['_action', 'continue']]));
    expect(meiningen.status).toBe(400);
    expect(meiningen.text).toContain('Für Meiningen nimmt noch keine Behörde diesen Antrag online entgegen');
  });

  test('lists get entries added and removed without JavaScript', async () => {
    const { agent } = await fillIn('hundesteuer-anmeldung', example('hundesteuer-anmeldung', 'valid-2'));
    const url = '/forms/hundesteuer-anmeldung/steps/hunde';
    let page = await agent.get(url);
    expect(page.text.match(/<legend class="efa-fieldset__legend efa-fieldset__legend--m">Hund \d<\/legend>/g)).toHaveLength(1);
    const fields = [...page.text.matchAll(/name="(\/hunde\/0\/[^"]+)"[^>]*value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!] as [string, string]);
    const added = await agent.post(url).type('form').send(encodeForm([['_csrf', csrfOf(page.text)], ['/hunde|count', '1'], ...fields, ['_action', 'add:/hunde']]));
    expect(added.status).toBe(303);
    page = await agent.get(url);
    expect(page.text.match(/<legend class="efa-fieldset__legend efa-fieldset__legend--m">Hund \d<\/legend>/g)).toHaveLength(2);
    expect(page.text).toContain('value="remove:/hunde/1"');
    const removed = await agent.post(url).type('form').send(encodeForm([['_csrf', csrfOf(page.text)], ['/hunde|count', '2'], ...fields, ['_action', 'remove:/hunde/1']]));
    expect(removed.status).toBe(303);
    page = await agent.get(url);
    expect(page.text.match(/<legend class="efa-fieldset__legend efa-fieldset__legend--m">Hund \d<\/legend>/g)).toHaveLength(1);
    // The first dog's answers survived both changes.
    expect(page.text).toContain(`value="${fields[0]![1]}"`);
  });

  test('save and continue later gives a link that restores the answers in a new browser', async () => {
    const { agent } = await fillIn('gewerbeanmeldung', example('gewerbeanmeldung', 'valid-1'));
    const check = await agent.get('/forms/gewerbeanmeldung/check');
    const saved = await agent.post('/forms/gewerbeanmeldung/check').type('form').send(encodeForm([['_csrf', csrfOf(check.text)], ['_action', 'save']]));
    expect(saved.status).toBe(200);
    const link = /<a href="(http:\/\/[^"]+\/forms\/gewerbeanmeldung\/resume\/[A-Za-z0-9_-]{43})">/.exec(saved.text)?.[1];
    expect(link).toBeDefined();
    expect(saved.text).toMatch(/gültig\. Danach werden Ihre Angaben gelöscht/);

    const other = request.agent(container.app);
    const resumed = await other.get(new URL(link!).pathname);
    expect(resumed.status).toBe(303);
    expect(resumed.headers['set-cookie']![0]).toMatch(/^efa_draft=[A-Za-z0-9_-]{43}; Path=\/forms\/gewerbeanmeldung; HttpOnly; SameSite=Lax$/);
    const summary = await other.get(resumed.headers.location as string);
    expect(summary.status).toBe(200);
    expect(summary.text).toContain('Müller &amp; Söhne');
    // The old browser's cookie no longer opens the draft (the session was re-keyed).
    expect((await agent.get('/forms/gewerbeanmeldung/check')).status).toBe(410);
    expect((await request(container.app).get('/forms/gewerbeanmeldung/resume/wrong-token')).status).toBe(410);
  });

  test('list buttons accept only the lists of the step: no pointer reaches Object.prototype', async () => {
    const agent = request.agent(container.app);
    const start = await agent.get('/forms/anwohnerparkausweis/start');
    const url = start.headers.location as string;
    const csrf = csrfOf((await agent.get(url)).text);
    for (const action of ['add:/__proto__/polluted', 'add:/x/__proto__/y', 'add:/constructor/prototype/z', 'remove:/__proto__/0', 'add:/anschrift']) {
      const res = await agent.post(url).type('form').send(encodeForm([['_csrf', csrf], ['_action', action]]));
      expect(res.status).toBeLessThan(500);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).y).toBeUndefined();
    expect(({} as Record<string, unknown>).z).toBeUndefined();
    const ok = await request(container.app).post('/api/forms/anwohnerparkausweis/submissions')
      .send({ data: await withUploads(container.app, 'anwohnerparkausweis', example('anwohnerparkausweis', 'valid-1')) });
    expect(ok.status).toBe(201);
    // A list of another step, or more entries than allowed, are not added either.
    const { agent: dogs } = await fillIn('hundesteuer-anmeldung', example('hundesteuer-anmeldung', 'valid-2'));
    const halter = await dogs.get('/forms/hundesteuer-anmeldung/steps/halter');
    await dogs.post('/forms/hundesteuer-anmeldung/steps/halter').type('form').send(encodeForm([['_csrf', csrfOf(halter.text)], ['_action', 'add:/hunde']]));
    const hunde = await dogs.get('/forms/hundesteuer-anmeldung/steps/hunde');
    expect(hunde.text.match(/<legend class="efa-fieldset__legend efa-fieldset__legend--m">Hund \d<\/legend>/g)).toHaveLength(1);
  });

  test('a page POST that is not form-encoded gets a clear answer, not a 500', async () => {
    const agent = request.agent(container.app);
    const start = await agent.get('/forms/anwohnerparkausweis/start');
    const url = start.headers.location as string;
    const text = await agent.post(url).set('content-type', 'text/plain').send('x');
    expect(text.status).toBe(403);
    expect((await agent.post('/forms/anwohnerparkausweis/check')).status).toBe(403);
    const badUrl = await request(container.app).get('/api/submissions/%E0%A4%A?token=x');
    expect(badUrl.status).toBe(400);
    expect(badUrl.type).toBe('application/problem+json');
  });

  test('a date has one id per element, on the day input, so its label and error link work', async () => {
    const agent = request.agent(container.app);
    const start = await agent.get('/forms/anwohnerparkausweis/start');
    const region = await agent.post(start.headers.location as string).type('form')
      .send(encodeForm([['_csrf', csrfOf((await agent.get(start.headers.location as string)).text)], ['/anschrift/gemeinde', '160510000000'], ['_action', 'continue']]));
    const page = await agent.post(region.headers.location as string).type('form')
      .send(encodeForm([['_csrf', csrfOf((await agent.get(region.headers.location as string)).text)], ['_action', 'continue']]));
    const ids = [...page.text.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]);
    expect(ids.length).toBe(new Set(ids).size);
    expect(page.text).toMatch(/<label class="efa-label efa-date-input__label" for="f-antragsteller-geburtsdatum">Tag<\/label>\s*<input[^>]* id="f-antragsteller-geburtsdatum"/);
  });

  test('an empty list still shows on the check page, as not answered, with its change link', async () => {
    const agent = request.agent(container.app);
    const start = await agent.get('/forms/hundesteuer-anmeldung/start');
    const url = start.headers.location as string;
    await agent.post(url).type('form').send(encodeForm([['_csrf', csrfOf((await agent.get(url)).text)], ['/halter/anschrift/gemeinde', '160550000000'], ['_action', 'continue']]));
    const check = await agent.get('/forms/hundesteuer-anmeldung/check');
    expect(check.text).toMatch(/<dt class="efa-summary-list__key">Hunde<\/dt>\s*<dd class="efa-summary-list__value"><span class="efa-hint">Keine Angabe<\/span><\/dd>\s*<dd class="efa-summary-list__actions"><a class="efa-link" href="\/forms\/hundesteuer-anmeldung\/steps\/hunde\?return&#x3D;check#f-hunde">/);
  });

  test('a POST without the right CSRF token changes nothing', async () => {
    const agent = request.agent(container.app);
    const start = await agent.get('/forms/anwohnerparkausweis/start');
    const url = start.headers.location as string;
    const forged = await agent.post(url).type('form').send(encodeForm([['_csrf', 'x'.repeat(43)], ['/anschrift/gemeinde', '160510000000'], ['_action', 'continue']]));
    expect(forged.status).toBe(403);
    const page = await agent.get(url);
    expect(page.text).not.toContain('value="160510000000"');
  });

  test('pages are German by default, English after the switch, and the draft stays', async () => {
    const agent = request.agent(container.app);
    const start = await agent.get('/forms/hundesteuer-anmeldung/start');
    const de = await agent.get(start.headers.location as string);
    expect(de.text).toContain('<html lang="de">');
    const switched = await agent.get(`${start.headers.location as string}?lang=en`);
    expect(switched.status).toBe(303);
    const en = await agent.get(switched.headers.location as string);
    expect(en.text).toContain('<html lang="en">');
    expect(en.text).toContain('Step 1 of');
    expect(csrfOf(en.text)).toBe(csrfOf(de.text));
  });

  test('every page frames the tenant with its legal links and a strict CSP', async () => {
    const res = await request(container.app).get('/forms/gewerbeanmeldung');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(res.text).not.toMatch(/<script>|style="|<style/);
    for (const link of ['https://www.thueringen.de/impressum', 'https://www.thueringen.de/datenschutz', 'https://www.thueringen.de/barrierefreiheit']) {
      expect(res.text).toContain(`href="${link}"`);
    }
    expect((await request(container.app).get('/forms/gibt-es-nicht')).status).toBe(404);
    expect((await request(container.app).get('/assets/app.css')).status).toBe(200);
  });
});
