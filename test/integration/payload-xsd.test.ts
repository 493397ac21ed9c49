import { cpSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import type { Container } from '../../src/container';
import { buildXsdV1 } from '../../src/payloads/xsd/v1';
import type { LocalParameters } from '../../src/routing/tenant';
import { buildContainer, FIXTURE_FORMS, readJson, SAMPLE_FORMS, writeSampleTenant } from '../support/test-setup';
import { tempDir } from '../support/temp-dir';
import { withUploads } from '../support/with-uploads';
import { validateAgainstXsd } from '../support/xsd';

/**
 * The XSD served for each form, checked by xmllint against the exact bodies delivered for every
 * valid example (sample forms and the fixture form without ui), and against broken copies of them.
 */
const FORM_FOLDERS: ReadonlyArray<readonly [string, string]> = [
  ...readdirSync(SAMPLE_FORMS).map((id) => [id, SAMPLE_FORMS] as const),
  ...readdirSync(FIXTURE_FORMS).map((id) => [id, FIXTURE_FORMS] as const),
];
const EXAMPLES = FORM_FOLDERS.flatMap(([id, folder]) =>
  readdirSync(path.join(folder, id, 'examples'))
    .filter((f) => f.startsWith('valid-'))
    .map((f) => [id, f.replace('.json', ''), path.join(folder, id, 'examples', f)] as const),
);

const WEIMAR_PARAMETERS: LocalParameters = {
  fee: { amountCents: 12000, currency: 'EUR', purpose: { de: 'Hundesteuer je Hund & Jahr', en: 'Dog tax per dog & year' } },
  legalBasis: { de: 'Hundesteuersatzung <Weimar> § 3' },
  processingDuration: { min: 2, max: 4, unit: 'week' },
  requiredDocuments: [{ de: 'Nachweis der Haftpflichtversicherung' }],
  furtherInformation: { de: 'Die Steuermarke kommt per Post.', en: 'The tax tag comes by post.' },
  contactPersons: [{ name: 'Erika Muster', role: { de: 'Hundesteuer' }, tel: '03643 762-0', email: 'steuern@weimar.example' }],
  address: { street: 'Schwanseestraße', houseNumber: '17', zip: '99423', city: 'Weimar' },
};

describe('payload v1 XSD per form', () => {
  const dir = tempDir();
  let container: Container;
  const xsds = new Map<string, string>();
  const bodies = new Map<string, string>();

  beforeAll(async () => {
    const forms = path.join(dir.path, 'forms');
    const tenants = path.join(dir.path, 'tenants');
    cpSync(SAMPLE_FORMS, forms, { recursive: true });
    cpSync(FIXTURE_FORMS, forms, { recursive: true });
    mkdirSync(tenants);
    // Weimar (where the dog tax example lives) with every local parameter, so that delivered
    // payloads carry them in the header (issue 12); texts with characters that need escaping.
    const env = writeSampleTenant(tenants, 'http://127.0.0.1:9', readdirSync(FIXTURE_FORMS), { 'stadt-weimar': { parameters: WEIMAR_PARAMETERS } });
    container = await buildContainer({ ...env, FORMS_DIR: forms, TENANTS_DIR: tenants, DATA_DIR: path.join(dir.path, 'data') });
  });
  afterAll(async () => {
    await container.close(1000);
    dir.remove();
  });

  async function xsdOf(formId: string): Promise<string> {
    let xsd = xsds.get(formId);
    if (xsd === undefined) {
      const res = await request(container.app).get(`/api/forms/${formId}/schema.xsd`);
      expect(res.status).toBe(200);
      xsd = res.text;
      xsds.set(formId, xsd);
    }
    return xsd;
  }

  /** Submits through the JSON API (the files the example names uploaded first) and returns the body stored with the delivery job. */
  async function deliveredBody(formId: string, file: string): Promise<string> {
    const res = await request(container.app).post(`/api/forms/${formId}/submissions`).send({ data: await withUploads(container.app, formId, readJson(file)) });
    expect(res.status).toBe(201);
    // The authority's job carries the payload (other jobs, e.g. a mail to the citizen, may follow).
    const jobs = (await container.store.deliveries.jobsOf(res.body.id)).filter((job) => job.channel === 'http');
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.contentType).toBe('application/xml; charset=utf-8');
    return jobs[0]!.body;
  }

  test.each(FORM_FOLDERS.map(([id]) => id))('GET /api/forms/%s/schema.xsd serves a schema that compiles, built once and the same each time', async (formId) => {
    const res = await request(container.app).get(`/api/forms/${formId}/schema.xsd`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/xml; charset=utf-8');
    const form = container.forms.get(formId)!;
    expect(res.text).toBe(buildXsdV1(form));
    expect(buildXsdV1(form)).toBe(buildXsdV1(form));
    expect((await request(container.app).get(`/api/forms/${formId}/schema.xsd`)).text).toBe(res.text);
    expect(res.text).toContain(`<xs:element name="version" type="xs:string" fixed="${form.definition.version}"/>`);
    // Exit code 3 is "does not validate"; 5 would be "the schema does not compile".
    const { status, stderr } = validateAgainstXsd(res.text, '<other xmlns="urn:efa-forms:payload:v1"/>');
    expect({ status, parserError: /parser error|failed to compile/.test(stderr) }).toEqual({ status: 3, parserError: false });
  });

  test('an unknown form is a 404 problem, as for GET /api/forms/:id', async () => {
    const res = await request(container.app).get('/api/forms/gibt-es-nicht/schema.xsd');
    expect(res.status).toBe(404);
    expect(res.type).toBe('application/problem+json');
    expect(res.body).toMatchObject({ status: 404, code: 'FORM_NOT_FOUND' });
  });

  test.each(EXAMPLES)('the delivered payload of %s %s is valid against its XSD', async (formId, name, file) => {
    const body = await deliveredBody(formId, file);
    bodies.set(`${formId}/${name}`, body);
    // The files the example names are listed in the header, so the XSD is checked against that part too.
    const files = JSON.stringify(readJson(file)).match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g) ?? [];
    expect(body.match(/<attachment>/g)?.length ?? 0).toBe(files.length);
    const { status, stderr } = validateAgainstXsd(await xsdOf(formId), body);
    expect({ status, stderr }).toEqual({ status: 0, stderr: '- validates\n' });
  });

  test("the delivered payload carries the responsibility's local parameters in its header, valid against the XSD", async () => {
    const body = await deliveredBody('hundesteuer-anmeldung', EXAMPLES.find(([id, name]) => id === 'hundesteuer-anmeldung' && name === 'valid-1')![2]);
    expect(body).toContain('<reader>\n      <directory>efa-forms:authority</directory>\n      <id>stadt-weimar</id>');
    expect(body).toContain('<amountCents>12000</amountCents>');
    expect(body).toContain('<de>Hundesteuersatzung &lt;Weimar&gt; § 3</de>');
    expect(body).not.toContain('<test>');
    const { status, stderr } = validateAgainstXsd(await xsdOf('hundesteuer-anmeldung'), body);
    expect({ status, stderr }).toEqual({ status: 0, stderr: '- validates\n' });
  });

  test.each<[string, string, string | RegExp, string]>([
    ['hundesteuer-anmeldung', 'an enum value changed', '<anrede>keine-angabe</anrede>', '<anrede>divers</anrede>'],
    ['hundesteuer-anmeldung', 'a required element missing', /<vorname>[^<]*<\/vorname>/, ''],
    ['hundesteuer-anmeldung', 'a date that does not exist', '<geburtsdatum>1991-07-23</geburtsdatum>', '<geburtsdatum>1991-02-30</geburtsdatum>'],
    ['hundesteuer-anmeldung', 'an unknown element in a closed object', '<ort>Weimar</ort>', '<ort>Weimar</ort><ortsteil>Nord</ortsteil>'],
    ['hundesteuer-anmeldung', 'elements out of schema order', /(<vorname>[^<]*<\/vorname>)(\s*)(<nachname>[^<]*<\/nachname>)/, '$3$2$1'],
    ['hundesteuer-anmeldung', 'a pattern broken (chip number)', '<chipnummer>276098106543210</chipnummer>', '<chipnummer>27609810654321</chipnummer>'],
    ['hundesteuer-anmeldung', 'a German format broken (postal code)', '<postleitzahl>99423</postleitzahl>', '<postleitzahl>9942</postleitzahl>'],
    ['hundesteuer-anmeldung', 'const true answered false', '<erklaerung>true</erklaerung>', '<erklaerung>false</erklaerung>'],
    ['hundesteuer-anmeldung', 'nil where null is not allowed', /<telefon>[^<]*<\/telefon>/, '<telefon nil="true"/>'],
    ['hundesteuer-anmeldung', 'another form version', '<version>1.0.0</version>', '<version>1.0.1</version>'],
    ['hundesteuer-anmeldung', 'another message type', '<messageType>efa-forms.submission.v1</messageType>', '<messageType>efa-forms.submission.v2</messageType>'],
    ['hundesteuer-anmeldung', 'another root version', '<submission xmlns="urn:efa-forms:payload:v1" version="1">', '<submission xmlns="urn:efa-forms:payload:v1" version="2">'],
    ['anwohnerparkausweis', 'an enum value changed (zone)', '<zone>B</zone>', '<zone>F</zone>'],
    ['anwohnerparkausweis', 'a pattern broken (licence plate)', '<kennzeichen>EF-LZ 482</kennzeichen>', '<kennzeichen>ef-lz 482</kennzeichen>'],
    ['gewerbeanmeldung', 'an integer below its minimum', '<anzahlBeschaeftigte>4</anzahlBeschaeftigte>', '<anzahlBeschaeftigte>-1</anzahlBeschaeftigte>'],
    ['gewerbeanmeldung', 'a fraction where an integer belongs', '<anzahlBeschaeftigte>4</anzahlBeschaeftigte>', '<anzahlBeschaeftigte>4.5</anzahlBeschaeftigte>'],
    ['gewerbeanmeldung', 'an unknown element in a $ref object', '<ort>Erfurt</ort>', '<ort>Erfurt</ort><land>DE</land>'],
    ['pruefungsanmeldung', 'an enum without type changed', '<art>praxis</art>', '<art>beides</art>'],
    ['pruefungsanmeldung', 'more items than maxItems', /<teilnehmer>([\s\S]*?)<\/teilnehmer>/, '<teilnehmer>$1$1$1$1$1$1</teilnehmer>'],
  ])('%s: the XSD refuses %s', async (formId, _what, from, to) => {
    const body = bodies.get(`${formId}/valid-1`) ?? await deliveredBody(formId, EXAMPLES.find(([id, name]) => id === formId && name === 'valid-1')![2]);
    const xsd = await xsdOf(formId);
    expect(body).toMatch(from);
    const broken = body.replace(from, to);
    expect(broken).not.toBe(body);
    expect(validateAgainstXsd(xsd, body).status).toBe(0);
    const { status, stderr } = validateAgainstXsd(xsd, broken);
    expect({ status, failed: stderr.includes('fails to validate') }).toEqual({ status: 3, failed: true });
  });
});
