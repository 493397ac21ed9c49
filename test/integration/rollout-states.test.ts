import { mkdirSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import type { Container } from '../../src/container';
import { buildContainer, example, SAMPLE_FORMS, writeSampleTenant } from '../support/test-setup';
import { csrfOf, encodeForm, stepFormFields } from '../support/page-form';
import { tempDir } from '../support/temp-dir';

/**
 * Rollout states and local parameters (issue 12) through the real API and the real pages: the
 * Thüringen sample with Weimar planned from 1 March 2027, Gera planned without a date, Gotha
 * testing and Jena paused; Erfurt stays live with the sample's parameters for the dog tax.
 */
const FORMS = ['anwohnerparkausweis', 'hundesteuer-anmeldung', 'gewerbeanmeldung'];
const REGION = '/halter/anschrift/gemeinde';

const ERFURT_PARAMETERS = {
  contactPersons: [{ name: 'Bürgeramt Erfurt', role: { de: 'Steuern und Abgaben', en: 'Taxes and charges' }, tel: '0361 655-0', email: 'buergeramt.erfurt@example.org' }],
  address: { street: 'Bürgermeister-Wagner-Straße', houseNumber: '1', zip: '99084', city: 'Erfurt' },
  fee: { amountCents: 10800, currency: 'EUR', purpose: { de: 'Hundesteuer je Hund und Jahr (erster Hund)', en: 'Dog tax per dog and year (first dog)' } },
  legalBasis: { de: 'Hundesteuersatzung der Landeshauptstadt Erfurt', en: 'Dog Tax Statute of the City of Erfurt' },
  processingDuration: { min: 5, max: 10, unit: 'workday' },
  furtherInformation: { de: 'Der Steuerbescheid kommt per Post; die Hundesteuermarke liegt ihm bei.', en: 'The tax assessment is sent by post, with the dog tax tag.' },
};

describe('rollout states and local parameters', () => {
  const dir = tempDir('efa-rollout-');
  let container: Container;

  beforeAll(async () => {
    const tenants = path.join(dir.path, 'tenants');
    mkdirSync(tenants);
    const env = writeSampleTenant(tenants, 'http://127.0.0.1:9', [], {
      'stadt-weimar': { serves: [{ forms: FORMS, regions: ['160550000000'], rollout: 'planned', plannedFrom: '2027-03-01' }] },
      'stadt-gera': { serves: [{ forms: FORMS, regions: ['160520000000'], rollout: 'planned' }] },
      'stadt-gotha': { serves: [{ forms: FORMS, regions: ['160670029029'], rollout: 'testing' }] },
      'stadt-jena-buergeramt': { serves: [{ forms: FORMS, regions: ['160530000000'], rollout: 'paused' }] },
    });
    container = await buildContainer({ ...env, FORMS_DIR: SAMPLE_FORMS, TENANTS_DIR: tenants, DATA_DIR: path.join(dir.path, 'data'), DELIVERY_WORKER: 'off' });
  });
  afterAll(async () => {
    await container.close(1000);
    dir.remove();
  });

  /** The dog-tax example, living in another municipality. */
  function dogTaxIn(ars: string, postalCode: string, place: string): Record<string, unknown> {
    const data = example('hundesteuer-anmeldung', 'valid-1');
    const halter = data.halter as Record<string, unknown>;
    return { ...data, halter: { ...halter, anschrift: { ...(halter.anschrift as object), gemeinde: ars, postleitzahl: postalCode, ort: place } } };
  }

  const submit = (data: unknown, language = 'de') =>
    request(container.app).post('/api/forms/hundesteuer-anmeldung/submissions').set('accept-language', language).send({ data });

  describe('the API', () => {
    test.each([
      ['planned with a date', '160550000000', '99423', 'Weimar', 'SERVICE_NOT_YET_ONLINE',
        'Für Weimar ist dieser Antrag noch nicht online verfügbar; geplant ist er ab 1. März 2027. Bitte wenden Sie sich bis dahin direkt an Ihre Gemeindeverwaltung.',
        'This application is not yet available online for Weimar; it is planned from 1 March 2027. Until then, please contact your municipal administration directly.'],
      ['planned without a date', '160520000000', '07545', 'Gera', 'SERVICE_NOT_YET_ONLINE',
        'Für Gera ist dieser Antrag noch nicht online verfügbar. Bitte wenden Sie sich bis dahin direkt an Ihre Gemeindeverwaltung.',
        'This application is not yet available online for Gera. Until then, please contact your municipal administration directly.'],
      ['testing', '160670029029', '99867', 'Gotha', 'SERVICE_NOT_YET_ONLINE',
        'Für Gotha ist dieser Antrag noch nicht online verfügbar. Bitte wenden Sie sich bis dahin direkt an Ihre Gemeindeverwaltung.',
        'This application is not yet available online for Gotha. Until then, please contact your municipal administration directly.'],
      ['paused', '160530000000', '07743', 'Jena', 'SERVICE_PAUSED',
        'Für Jena ist dieser Antrag vorübergehend nicht online verfügbar. Bitte wenden Sie sich an Stadtverwaltung Jena, Bürgerservice (buergerservice.jena@example.org).',
        'This application is temporarily not available online for Jena. Please contact Stadtverwaltung Jena, Bürgerservice (buergerservice.jena@example.org).'],
    ])('%s: 422 %s with the answer at the region field, in German and English', async (_name, ars, postalCode, place, code, german, english) => {
      const de = await submit(dogTaxIn(ars, postalCode, place));
      expect(de.status).toBe(422);
      expect(de.type).toBe('application/problem+json');
      expect(de.body).toMatchObject({ code, status: 422, type: `urn:efa-forms:problem:${code.toLowerCase().replace(/_/g, '-')}` });
      expect(de.body.errors).toEqual([{ pointer: REGION, message: german }]);
      const en = await submit(dogTaxIn(ars, postalCode, place), 'en');
      expect(en.status).toBe(422);
      expect(en.body.code).toBe(code);
      expect(en.body.title).toMatch(/^This application is (not yet|temporarily not) available online/);
      expect(en.body.errors).toEqual([{ pointer: REGION, message: english }]);
    });

    test('a live route stores the effective parameters (the authority\'s with the entry\'s) with the submission', async () => {
      const res = await submit(dogTaxIn('160510000000', '99084', 'Erfurt'));
      expect(res.status).toBe(201);
      const stored = await container.store.submissions.find(res.body.id as string);
      expect(JSON.parse(stored!.parametersJson!)).toEqual(ERFURT_PARAMETERS);
      // A route without parameters stores none.
      const ilmenau = await submit(dogTaxIn('160700029029', '98693', 'Ilmenau'));
      expect(ilmenau.status).toBe(201);
      expect((await container.store.submissions.find(ilmenau.body.id as string))!.parametersJson).toBeUndefined();
    });
  });

  describe('the pages', () => {
    const REGION_STEP = '/forms/hundesteuer-anmeldung/steps/gemeinde';

    async function chooseMunicipality(ars: string, language?: 'en') {
      const agent = request.agent(container.app);
      await agent.get('/forms/hundesteuer-anmeldung/start');
      if (language) await agent.get(`${REGION_STEP}?lang=${language}`);
      const page = await agent.get(REGION_STEP);
      const posted = await agent.post(REGION_STEP).type('form').send(encodeForm([['_csrf', csrfOf(page.text)], [REGION, ars], ['_action', 'continue']]));
      return { agent, posted };
    }

    test.each([
      ['planned with a date', '160550000000', 'Für Weimar ist dieser Antrag noch nicht online verfügbar; geplant ist er ab 1. März 2027.'],
      ['planned without a date', '160520000000', 'Für Gera ist dieser Antrag noch nicht online verfügbar. Bitte wenden Sie sich bis dahin direkt an Ihre Gemeindeverwaltung.'],
      ['testing', '160670029029', 'Für Gotha ist dieser Antrag noch nicht online verfügbar.'],
      ['paused', '160530000000', 'Für Jena ist dieser Antrag vorübergehend nicht online verfügbar. Bitte wenden Sie sich an Stadtverwaltung Jena, Bürgerservice (buergerservice.jena@example.org).'],
    ])('%s: the region step answers before anything else is asked', async (_name, ars, text) => {
      const { posted } = await chooseMunicipality(ars);
      expect(posted.status).toBe(400);
      expect(posted.type).toBe('text/html');
      // In the error summary (a link to the field) and at the field itself.
      expect(posted.text).toContain(`<li><a href="#`);
      expect(posted.text.split(text).length).toBeGreaterThanOrEqual(3);
      expect(posted.text).not.toContain('efa-parameters');
    });

    test('in English, the planned date is written the English way', async () => {
      const { posted } = await chooseMunicipality('160550000000', 'en');
      expect(posted.status).toBe(400);
      expect(posted.text).toContain('This application is not yet available online for Weimar; it is planned from 1 March 2027.');
    });

    test('Erfurt\'s parameters show on the question steps, the check page and the confirmation', async () => {
      const data = dogTaxIn('160510000000', '99084', 'Erfurt');
      const model = container.forms.get('hundesteuer-anmeldung')!;
      const { agent, posted } = await chooseMunicipality('160510000000');
      expect(posted.status).toBe(303);
      let location = posted.headers.location as string;
      let questionSteps = 0;
      while (location.includes('/steps/')) {
        const page = await agent.get(location);
        expect(page.status).toBe(200);
        expect(page.text).toContain('<aside class="efa-parameters" aria-labelledby="efa-parameters-title">');
        expect(page.text).toContain('<h2 class="efa-parameters__title" id="efa-parameters-title">Was in Erfurt gilt</h2>');
        questionSteps += 1;
        const step = model.steps.find((s) => s.id === location.split('/steps/')[1]!.split('?')[0])!;
        const next = await agent.post(location).type('form').send(encodeForm([['_csrf', csrfOf(page.text)], ...stepFormFields(model, step, data), ['_action', 'continue']]));
        expect(next.status).toBe(303);
        location = next.headers.location as string;
      }
      expect(questionSteps).toBe(model.steps.length - 1);

      const check = await agent.get('/forms/hundesteuer-anmeldung/check');
      expect(check.status).toBe(200);
      const box = /<aside class="efa-parameters"[\s\S]*?<\/aside>/.exec(check.text)?.[0] ?? '';
      expect(box).toContain('Zuständig: Stadtverwaltung Erfurt, Bürgeramt');
      expect(box).toContain('<dt class="efa-parameters__key">Gebühr</dt>');
      expect(box).toContain('108,00\u00a0€ (Hundesteuer je Hund und Jahr (erster Hund))');
      expect(box).toContain('<dt class="efa-parameters__key">Rechtsgrundlage</dt>');
      expect(box).toContain('Hundesteuersatzung der Landeshauptstadt Erfurt');
      expect(box).toContain('5 bis 10 Arbeitstage');
      expect(box).toContain('Der Steuerbescheid kommt per Post; die Hundesteuermarke liegt ihm bei.');
      expect(box).toContain('Bürgeramt Erfurt, Steuern und Abgaben, Tel. 0361 655-0, E-Mail: buergeramt.erfurt@example.org');
      expect(box).toContain('Bürgermeister-Wagner-Straße 1<br>99084 Erfurt');
      // In the fixed order, only what is set (Erfurt gives no documents).
      expect([...box.matchAll(/data-parameter="(\w+)"/g)].map((m) => m[1])).toEqual(['fee', 'legalBasis', 'processingDuration', 'furtherInformation', 'contactPersons', 'address']);

      const english = await agent.get('/forms/hundesteuer-anmeldung/check?lang=en').redirects(1);
      expect(english.text).toContain('What applies in Erfurt');
      expect(english.text).toContain('€108.00 (Dog tax per dog and year (first dog))');
      expect(english.text).toContain('5 to 10 working days');
      expect(english.text).toContain('Dog Tax Statute of the City of Erfurt');
      await agent.get('/forms/hundesteuer-anmeldung/check?lang=de').redirects(1);

      const again = await agent.get('/forms/hundesteuer-anmeldung/check');
      const declarations = model.declarations.map((d) => [d.pattern, 'true'] as [string, string]);
      const done = await agent.post('/forms/hundesteuer-anmeldung/check').type('form').send(encodeForm([['_csrf', csrfOf(again.text)], ...declarations, ['_action', 'submit']]));
      expect(done.status).toBe(303);
      const confirmation = await agent.get(done.headers.location as string);
      expect(confirmation.status).toBe(200);
      expect(confirmation.text).toContain('Was in Erfurt gilt');
      expect(confirmation.text).toContain('108,00\u00a0€');
      expect(confirmation.text).toContain('Hundesteuersatzung der Landeshauptstadt Erfurt');
    });

    test('a route without parameters shows no box', async () => {
      const { agent, posted } = await chooseMunicipality('160700029029');
      expect(posted.status).toBe(303);
      const next = await agent.get(posted.headers.location as string);
      expect(next.status).toBe(200);
      expect(next.text).not.toContain('efa-parameters');
    });
  });
});
