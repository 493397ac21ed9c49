import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import type { Container } from '../../src/container';
import { buildContainer } from '../support/test-setup';
import { tempDir } from '../support/temp-dir';

/**
 * A form folder the code has never seen, using the JSON Schema idioms ajv's strict mode rejects
 * ($defs/$ref, if/then with bare `required`, dependentRequired, const and enum without `type`,
 * arrays with minItems, date and email formats), loaded through FORMS_DIR.
 */
const FORM = {
  id: 'pruefungsanmeldung',
  version: '2.1.0-beta.1',
  serviceKey: '99123456789000',
  title: { de: 'Anmeldung zur Prüfung' },
  routing: { regionField: '/gemeinde' },
  schema: {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    additionalProperties: false,
    $defs: {
      person: {
        type: 'object',
        additionalProperties: false,
        required: ['vorname', 'nachname'],
        properties: {
          vorname: { title: 'Vorname', type: 'string', minLength: 1 },
          nachname: { title: 'Nachname', type: 'string', minLength: 1 },
        },
      },
    },
    required: ['antragsteller', 'gemeinde', 'art', 'pruefung', 'teilnehmer', 'termin', 'kontakt'],
    properties: {
      antragsteller: { $ref: '#/$defs/person', title: 'Antragstellende Person' },
      gemeinde: { title: 'Gemeinde', type: 'string', format: 'ars' },
      art: { title: 'Art der Prüfung', enum: ['theorie', 'praxis'] },
      pruefung: { title: 'Bestätigung der Prüfungsordnung', const: true },
      begleitung: { title: 'Begleitperson erwünscht', type: 'boolean' },
      begleitname: { title: 'Name der Begleitperson', type: 'string' },
      teilnehmer: { title: 'Teilnehmende', type: 'array', minItems: 1, items: { $ref: '#/$defs/person' } },
      termin: { title: 'Wunschtermin', type: 'string', format: 'date' },
      kontakt: { title: 'E-Mail-Adresse', type: 'string', format: 'email' },
      telefon: { title: 'Telefonnummer', type: 'string' },
      rueckruf: { title: 'Rückruf gewünscht', type: 'boolean' },
    },
    dependentRequired: { rueckruf: ['telefon'] },
    if: { properties: { begleitung: { const: true } }, required: ['begleitung'] },
    then: { required: ['begleitname'] },
  },
};

const VALID = {
  antragsteller: { vorname: 'Ελένη', nachname: 'Παπαδοπούλου' },
  gemeinde: '160530000000',
  art: 'praxis',
  pruefung: true,
  begleitung: true,
  begleitname: 'Дмитрий Иванов',
  teilnehmer: [{ vorname: 'Ørsted', nachname: 'Nguyễn Thị Minh' }],
  termin: '2027-02-28',
  kontakt: 'eleni@example.org',
  rueckruf: true,
  telefon: '03641 123456',
};

const TENANT = {
  id: 'pruefland',
  name: { de: 'Prüfland' },
  regions: ['16'],
  links: { imprintUrl: 'https://example.org/impressum', privacyUrl: 'https://example.org/datenschutz', accessibilityUrl: 'https://example.org/barrierefreiheit' },
  municipalities: [{ ars: '160530000000', name: 'Jena', postalCodes: ['07743'] }],
  authorities: [{
    id: 'pruefungsamt',
    name: 'Prüfungsamt Jena',
    email: 'pruefung@example.org',
    delivery: { type: 'http', url: 'http://127.0.0.1:9/pruefungsamt', secretEnv: 'PRUEFUNGSAMT_SECRET' },
    serves: [{ forms: ['pruefungsanmeldung'], regions: ['16'] }],
  }],
};

describe('a form the code has never seen', () => {
  const dir = tempDir();
  let container: Container;

  beforeAll(async () => {
    const forms = path.join(dir.path, 'forms');
    const tenants = path.join(dir.path, 'tenants');
    mkdirSync(path.join(forms, FORM.id), { recursive: true });
    mkdirSync(tenants);
    writeFileSync(path.join(forms, FORM.id, 'form.json'), JSON.stringify(FORM));
    writeFileSync(path.join(tenants, 'pruefland.json'), JSON.stringify(TENANT));
    container = await buildContainer({ FORMS_DIR: forms, TENANTS_DIR: tenants, DATA_DIR: path.join(dir.path, 'data'), PRUEFUNGSAMT_SECRET: 's' });
  });
  afterAll(async () => {
    await container.close(1000);
    dir.remove();
  });

  const submit = (data: unknown, language = 'de') =>
    request(container.app).post(`/api/forms/${FORM.id}/submissions`).set('accept-language', language).send({ data });

  const without = (key: string): Record<string, unknown> => {
    const copy: Record<string, unknown> = { ...VALID };
    delete copy[key];
    return copy;
  };

  test('loads without ui and accepts valid answers', async () => {
    const res = await submit(VALID);
    expect(res.status).toBe(201);
    expect(res.body.authority).toEqual({ id: 'pruefungsamt', name: 'Prüfungsamt Jena' });
  });

  test.each([
    ['missing declaration (const without type)', without('pruefung'), '/pruefung', 'Bestätigung der Prüfungsordnung: Bitte bestätigen Sie diese Erklärung.'],
    ['declaration not confirmed', { ...VALID, pruefung: false }, '/pruefung', 'Bestätigung der Prüfungsordnung: Bitte bestätigen Sie diese Erklärung.'],
    ['dependentRequired', without('telefon'), '/telefon', 'Telefonnummer: Bitte füllen Sie dieses Feld aus.'],
    ['if/then required', without('begleitname'), '/begleitname', 'Name der Begleitperson: Bitte füllen Sie dieses Feld aus.'],
    ['enum without type', { ...VALID, art: 'muendlich' }, '/art', 'Art der Prüfung: Bitte wählen Sie eine der angebotenen Antworten aus.'],
    ['missing enum', without('art'), '/art', 'Art der Prüfung: Bitte wählen Sie eine Antwort aus.'],
    ['minItems', { ...VALID, teilnehmer: [] }, '/teilnehmer', 'Teilnehmende: Bitte geben Sie mindestens einen Eintrag an.'],
    ['field in an array item via $ref', { ...VALID, teilnehmer: [VALID.teilnehmer[0], { vorname: 'Anna' }] }, '/teilnehmer/1/nachname', 'Teilnehmende, Eintrag 2 – Nachname: Bitte füllen Sie dieses Feld aus.'],
    ['field inside $ref object', { ...VALID, antragsteller: { vorname: '', nachname: 'X' } }, '/antragsteller/vorname', 'Vorname: Bitte füllen Sie dieses Feld aus.'],
    ['impossible date', { ...VALID, termin: '2027-02-30' }, '/termin', 'Wunschtermin: Bitte geben Sie ein gültiges Datum an (Tag, Monat, Jahr).'],
    ['e-mail', { ...VALID, kontakt: 'eleni at example.org' }, '/kontakt', 'E-Mail-Adresse: Bitte geben Sie eine gültige E-Mail-Adresse an, zum Beispiel name@beispiel.de.'],
    ['unknown property', { ...VALID, geheim: 'x' }, '/geheim', 'Diese Angabe gehört nicht zu diesem Formular. Bitte entfernen Sie sie.'],
    ['whole object missing', without('antragsteller'), '/antragsteller', 'Antragstellende Person: Bitte machen Sie hier Ihre Angaben.'],
  ])('%s: the error points at the field to fix', async (_name, data, pointer, message) => {
    const res = await submit(data);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ pointer, message }]);
  });

  test('several mistakes are reported together, one message per field, in English on request', async () => {
    const data = { ...without('pruefung'), termin: 'morgen', kontakt: 5 };
    const res = await submit(data, 'en');
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual(expect.arrayContaining([
      { pointer: '/pruefung', message: 'Bestätigung der Prüfungsordnung: Please confirm this declaration.' },
      { pointer: '/termin', message: 'Wunschtermin: Please enter a real date (day, month, year).' },
      { pointer: '/kontakt', message: 'E-Mail-Adresse: Please enter a valid e-mail address, for example name@example.com.' },
    ]));
    expect(res.body.errors).toHaveLength(3);
  });
});
