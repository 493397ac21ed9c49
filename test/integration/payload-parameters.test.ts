import { loadFormRegistry, type FormRegistry } from '../../src/forms/form-registry';
import { buildPayloadV1, type PayloadV1Input } from '../../src/payloads/xml/v1';
import { decimalAmount } from '../../src/payloads/xml/parameters-v1';
import { buildXsdV1 } from '../../src/payloads/xsd/v1';
import type { LocalParameters } from '../../src/routing/tenant';
import { example, SAMPLE_FORMS } from '../support/test-setup';
import { child, parseXml, path, textOf } from '../support/xml';
import { validateAgainstXsd } from '../support/xsd';

/**
 * The local parameters and the test mark in the v1 header (issue 12): written only when given,
 * escaped, in a fixed order, and accepted by the form's XSD as xmllint reads it.
 */

const FORM = 'hundesteuer-anmeldung';
const NASTY = 'Müller & Söhne <GmbH> "§ 3" ]]> &amp; Łukasz € 🐕';

const PARAMETERS: LocalParameters = {
  fee: { amountCents: 12050, currency: 'EUR', purpose: { de: 'Hundesteuer je Hund & Jahr', en: 'Dog tax per dog & year' } },
  legalBasis: { de: 'Hundesteuersatzung der Stadt Weimar <§ 3>' },
  processingDuration: { min: 2, max: 4, unit: 'week' },
  requiredDocuments: [{ de: 'Nachweis der Haftpflichtversicherung', en: 'Proof of liability insurance' }, { de: NASTY }],
  furtherInformation: { de: 'Die Steuermarke kommt per Post.', en: 'The tax tag comes by post.' },
  contactPersons: [
    { name: 'Erika Muster', role: { de: 'Sachbearbeitung Hundesteuer' }, tel: '+49 3643 762-0', fax: '03643 762-999', email: 'steuern@weimar.example' },
    { name: 'Max Beispiel' },
  ],
  address: { street: 'Schwanseestraße', houseNumber: '17', additional: 'Zimmer 1.02', zip: '99423', city: 'Weimar' },
};

describe('payload v1 with local parameters and a test mark', () => {
  let forms: FormRegistry;
  beforeAll(async () => {
    forms = await loadFormRegistry(SAMPLE_FORMS);
  });

  function input(extra: Partial<Pick<PayloadV1Input, 'parameters' | 'test'>>): PayloadV1Input {
    const form = forms.get(FORM)!.definition;
    return {
      messageId: 'ca53e7ca-cd23-4289-8660-e8f2524ac129',
      createdAt: new Date('2026-11-28T10:15:30.123Z'),
      reference: 'K22Y-EMVT-K',
      form: { id: form.id, version: form.version, serviceKey: form.serviceKey },
      regionArs: '160550000000',
      tenant: { id: 'thueringen', name: 'Freistaat Thüringen' },
      author: { id: 'thueringen', name: 'Freistaat Thüringen' },
      reader: { id: 'stadt-weimar', name: 'Stadtverwaltung Weimar' },
      product: { name: 'efa-forms', version: '0.1.0' },
      data: example(FORM, 'valid-1'),
      ...extra,
    };
  }
  const build = (extra: Partial<Pick<PayloadV1Input, 'parameters' | 'test'>>): string => buildPayloadV1(input(extra), forms.get(FORM)!.fields);
  const headerOf = (xml: string) => child(parseXml(xml).elements![0]!, 'header');

  test('without parameters (or with none set) and without a test mark the bytes are those of before', () => {
    const plain = build({});
    expect(plain).not.toContain('<parameters>');
    expect(plain).not.toContain('<test>');
    expect(build({ parameters: {}, test: false })).toBe(plain);
    expect(build({ parameters: { requiredDocuments: [], contactPersons: [] } })).toBe(plain);
    expect(headerOf(plain).elements!.at(-1)!.name).toBe('product');
  });

  test('the header carries every parameter, in a fixed order, texts in de and en, escaped', () => {
    const xml = build({ parameters: PARAMETERS, test: true });
    const header = headerOf(xml);
    expect(header.elements!.slice(-2).map((e) => e.name)).toEqual(['parameters', 'test']);
    const parameters = child(header, 'parameters');
    expect(parameters.elements!.map((e) => e.name)).toEqual(['fee', 'legalBasis', 'processingDuration', 'requiredDocuments', 'furtherInformation', 'contactPersons', 'address']);
    expect(textOf(path(parameters, 'fee', 'amountCents'))).toBe('12050');
    expect(textOf(path(parameters, 'fee', 'amount'))).toBe('120.50');
    expect(textOf(path(parameters, 'fee', 'currency'))).toBe('EUR');
    expect(textOf(path(parameters, 'fee', 'purpose', 'de'))).toBe('Hundesteuer je Hund & Jahr');
    expect(textOf(path(parameters, 'fee', 'purpose', 'en'))).toBe('Dog tax per dog & year');
    expect(path(parameters, 'legalBasis').elements!.map((e) => e.name)).toEqual(['de']);
    expect(textOf(path(parameters, 'legalBasis', 'de'))).toBe('Hundesteuersatzung der Stadt Weimar <§ 3>');
    expect(['min', 'max', 'unit'].map((n) => textOf(path(parameters, 'processingDuration', n)))).toEqual(['2', '4', 'week']);
    const documents = child(parameters, 'requiredDocuments').elements!;
    expect(documents.map((d) => textOf(child(d, 'de')))).toEqual(['Nachweis der Haftpflichtversicherung', NASTY]);
    const people = child(parameters, 'contactPersons').elements!;
    expect(people[0]!.elements!.map((e) => e.name)).toEqual(['name', 'role', 'tel', 'fax', 'email']);
    expect(people[1]!.elements!.map((e) => e.name)).toEqual(['name']);
    expect(child(parameters, 'address').elements!.map((e) => `${String(e.name)}=${textOf(e)}`))
      .toEqual(['street=Schwanseestraße', 'houseNumber=17', 'additional=Zimmer 1.02', 'zip=99423', 'city=Weimar']);
    expect(textOf(child(header, 'test'))).toBe('true');
    // The same input gives the same bytes.
    expect(build({ parameters: PARAMETERS, test: true })).toBe(xml);
  });

  test('only the test mark, or only some parameters: each alone', () => {
    const test = headerOf(build({ test: true }));
    expect(test.elements!.slice(-2).map((e) => e.name)).toEqual(['product', 'test']);
    const fee = child(headerOf(build({ parameters: { fee: PARAMETERS.fee! } })), 'parameters');
    expect(fee.elements!.map((e) => e.name)).toEqual(['fee']);
  });

  test('characters XML cannot carry in an operator text become U+FFFD; a carriage return stays one', () => {
    const xml = build({ parameters: { legalBasis: { de: 'a\u0001b\uFFFEc\uD800d', en: 'x\r\ny' } } });
    const legal = path(headerOf(xml), 'parameters', 'legalBasis');
    expect(textOf(child(legal, 'de'))).toBe('a\uFFFDb\uFFFDc\uFFFDd');
    expect(textOf(child(legal, 'en'))).toBe('x\r\ny');
  });

  test('amounts as decimals', () => {
    expect([0, 5, 99, 100, 12050, 100000000].map(decimalAmount)).toEqual(['0.00', '0.05', '0.99', '1.00', '120.50', '1000000.00']);
  });

  test("the form's XSD accepts the header with every parameter and the test mark, and refuses broken ones", () => {
    const xsd = buildXsdV1(forms.get(FORM)!);
    const full = build({ parameters: PARAMETERS, test: true });
    const valid = (xml: string) => validateAgainstXsd(xsd, xml);
    expect(valid(build({}))).toEqual({ status: 0, stderr: '- validates\n' });
    expect(valid(full)).toEqual({ status: 0, stderr: '- validates\n' });
    expect(valid(build({ test: true })).status).toBe(0);
    expect(valid(build({ parameters: { address: { street: 'Markt', zip: '99423', city: 'Weimar' } } })).status).toBe(0);
    for (const [from, to] of [
      ['<test>true</test>', '<test>false</test>'],
      ['<unit>week</unit>', '<unit>fortnight</unit>'],
      ['<currency>EUR</currency>', '<currency>USD</currency>'],
      ['<amount>120.50</amount>', '<amount>120.5</amount>'],
      ['<amountCents>12050</amountCents>', '<amountCents>-1</amountCents>'],
      [/<legalBasis>\s*<de>([^<]*)<\/de>/, '<legalBasis><en>$1</en>'],
      [/(<parameters>[\s\S]*<\/parameters>)(\s*)(<test>true<\/test>)/, '$3$2$1'],
    ] as const) {
      const broken = full.replace(from, to);
      expect(broken).not.toBe(full);
      expect({ to, status: valid(broken).status }).toEqual({ to, status: 3 });
    }
  });
});
