import type { CompiledForm } from '../../src/forms/compiled-form';
import { compileForm } from '../../src/forms/form-registry';
import { buildPayloadV1 } from '../../src/payloads/xml/v1';
import { buildXsdV1 } from '../../src/payloads/xsd/v1';
import { validateAgainstXsd } from '../support/xsd';

/** A form that uses what the sample forms do not: nulls, open objects, numbers, recursion. */
const definition = {
  id: 'xsd-grenzfaelle',
  version: '1.0.0',
  serviceKey: '99000000000000',
  title: { de: 'Grenzfälle' },
  routing: { regionField: '/gemeinde' },
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['gemeinde'],
    $defs: {
      knoten: {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        properties: { name: { type: 'string' }, kinder: { type: 'array', items: { $ref: '#/$defs/knoten' } } },
      },
    },
    properties: {
      gemeinde: { type: 'string', format: 'ars' },
      bemerkung: { type: ['string', 'null'], maxLength: 5 },
      anzahl: { type: ['integer', 'null'], minimum: 1 },
      gross: { type: 'integer' },
      betrag: { type: 'number', exclusiveMinimum: 0 },
      freitext: { type: 'object' },
      zusatz: { type: ['object', 'null'], additionalProperties: false, properties: { a: { type: 'string' } } },
      liste: { type: ['array', 'null'], items: { type: ['integer', 'null'] } },
      matrix: { type: 'array', maxItems: 3, items: { type: 'array', items: { type: 'boolean' } } },
      beliebig: {},
      gemischt: { enum: [1, 'a', null, true] },
      nie: { const: false },
      datum: { type: 'string', format: 'date' },
      code: { type: 'string', allOf: [{ pattern: '^[A-Z]' }, { pattern: '[0-9]$' }] },
      // RE2 runs word boundaries; XSD has none (lookaheads, the earlier example, no longer load).
      vorsicht: { type: 'string', pattern: 'c\\b' },
      baum: { $ref: '#/$defs/knoten' },
      'a.b': { type: ['string', 'null'] },
      a: { type: 'object', additionalProperties: false, properties: { b: { type: ['string', 'null'] } } },
      bedingt: {
        type: 'object',
        unevaluatedProperties: false,
        properties: { art: { enum: ['x', 'y'] } },
        if: { properties: { art: { const: 'x' } }, required: ['art'] },
        then: { properties: { detail: { type: 'string' } }, required: ['detail'] },
      },
      spaet: true,
    },
    allOf: [{ properties: { spaet: { type: 'string' } } }],
  },
};

const full = {
  spaet: 's',
  gemeinde: '160510000000',
  bemerkung: 'abc',
  anzahl: 2,
  gross: 1e21,
  betrag: 1e21,
  freitext: { submission: { x: 1 }, z: [1, 2], y: null },
  zusatz: { a: 'x' },
  liste: [1, null, 3],
  matrix: [[true], [false, true], []],
  beliebig: { q: [1, { r: null }] },
  gemischt: 'a',
  nie: false,
  datum: '0000-02-29',
  code: 'A1',
  vorsicht: 'abc',
  baum: { name: 'r', kinder: [{ name: 'k', kinder: [{ name: 'kk', kinder: [] }] }] },
  'a.b': null,
  a: { b: null },
  bedingt: { detail: 'd', art: 'x' },
};

function load(): CompiledForm {
  return compileForm('xsd-grenzfaelle/form.json', structuredClone(definition));
}

function payload(form: CompiledForm, data: Record<string, unknown>): string {
  return buildPayloadV1({
    messageId: '6c1f1a52-3d6e-4f8e-9a7a-0c4f3b2e1d00',
    createdAt: new Date('2026-11-28T10:15:30.000Z'),
    reference: 'K7M3-Q9XD-P',
    form: { id: form.definition.id, version: form.definition.version, serviceKey: form.definition.serviceKey },
    regionArs: '160510000000',
    tenant: { id: 'thueringen', name: 'Freistaat Thüringen' },
    author: { id: 'thueringen', name: 'Freistaat Thüringen' },
    reader: { id: 'stadt-erfurt', name: 'Stadt Erfurt' },
    product: { name: 'efa-forms', version: '0.1.0' },
    data,
  }, form.fields);
}

describe('payload v1 XSD for schema edge cases', () => {
  const form = load();
  const xsd = buildXsdV1(form);

  /** Valid for the form, and then valid for its XSD. */
  function expectAccepted(data: Record<string, unknown>): void {
    expect(form.validate(data, 'en')).toEqual([]);
    const { status, stderr } = validateAgainstXsd(xsd, payload(form, data));
    expect({ status, stderr }).toEqual({ status: 0, stderr: '- validates\n' });
  }

  test('is the same for the same definition, whichever object it was loaded into', () => {
    expect(buildXsdV1(load())).toBe(xsd);
    expect(buildXsdV1(form)).toBe(xsd);
  });

  test('names a clash of data paths apart (property "a.b" and a/b)', () => {
    expect(xsd).toContain('<xs:simpleType name="data.a.b">');
    expect(xsd).toContain('<xs:simpleType name="data.a.b-2">');
  });

  test.each<[string, Record<string, unknown>]>([
    ['the smallest answer', { gemeinde: '160510000000' }],
    ['every field filled, big numbers, year 0000, recursion, keys out of order', full],
    ['nulls wherever they are allowed', { gemeinde: '160510000000', bemerkung: null, anzahl: null, zusatz: null, liste: null, gemischt: null, beliebig: null, a: { b: 'x' } }],
    ['other members of unions and small numbers', { gemeinde: '160510000000', gemischt: 1, betrag: 1e-7, gross: -5, liste: [], freitext: {}, matrix: [], bedingt: { art: 'y' } }],
    ['true in a mixed enum, and an empty string where allowed', { gemeinde: '160510000000', gemischt: true, bemerkung: '', betrag: 0.5, 'a.b': 'x' }],
  ])('accepts %s', (_name, data) => {
    expectAccepted(data);
  });

  const valid = payload(form, full);
  test.each<[string, string, string]>([
    ['maxLength', '<bemerkung>abc</bemerkung>', '<bemerkung>abcdef</bemerkung>'],
    ['minimum', '<anzahl>2</anzahl>', '<anzahl>0</anzahl>'],
    ['an integer with a fraction', '<gross>1e+21</gross>', '<gross>1.5</gross>'],
    ['exclusiveMinimum', '<betrag>1e+21</betrag>', '<betrag>0</betrag>'],
    ['const false', '<nie>false</nie>', '<nie>true</nie>'],
    ['a value outside a mixed enum', '<gemischt>a</gemischt>', '<gemischt>b</gemischt>'],
    ['the first of two patterns', '<code>A1</code>', '<code>11</code>'],
    ['the second of two patterns', '<code>A1</code>', '<code>AB</code>'],
    ['nil where null is not allowed', '<datum>0000-02-29</datum>', '<datum nil="true"/>'],
    ['a day that does not exist', '<datum>0000-02-29</datum>', '<datum>2023-02-29</datum>'],
    ['an unknown key in a closed nullable object', '<a>x</a>\n    </zusatz>', '<a>x</a>\n      <b>y</b>\n    </zusatz>'],
    ['an unknown key under unevaluatedProperties: false', '<detail>d</detail>', '<detail>d</detail>\n      <mehr>m</mehr>'],
    ['too many items', '<matrix>', '<matrix>\n      <item/>\n      <item/>\n      <item/>'],
    ['a string where an item must be boolean', '<item>false</item>', '<item>nein</item>'],
  ])('refuses a broken %s', (_rule, from, to) => {
    expect(valid).toContain(from);
    expect(validateAgainstXsd(xsd, valid).status).toBe(0);
    const { status, stderr } = validateAgainstXsd(xsd, valid.replace(from, to));
    expect({ status, valid: stderr.includes('fails to validate') }).toEqual({ status: 3, valid: true });
  });

  test('documents a pattern it cannot check', () => {
    expect(xsd).toContain("Not checked here: the form's pattern c\\b (word boundaries (\\b, \\B) have no XSD equivalent).");
  });
});

describe('payload v1 XSD with text that needs escaping', () => {
  const NASTY = ['A & B <C> "D" \'E\'', 'zeile\neins', 'tab\tx', 'cr\rlf', 'nbsp\u00a0x', 'Ελένη 🐕', 'bad\u0001'];
  const form = compileForm('escape/form.json', {
    id: 'xsd-escape',
    version: '1.0.0-beta.1+build.7',
    serviceKey: '99000000000001',
    title: { de: 'Escape' },
    routing: { regionField: '/gemeinde' },
    schema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        gemeinde: { type: 'string', format: 'ars', title: 'Gemeinde <"&"> -- \u0002' },
        wahl: { enum: NASTY },
        muster: { type: 'string', pattern: '^[&<>"\']+ \\u00a0$' },
        stufe: { type: 'integer', exclusiveMinimum: 1.5, exclusiveMaximum: 4 },
      },
    },
  });
  const xsd = buildXsdV1(form);

  // Not sent: U+0001 (refused on submit) and CR, which v1 writes raw so that parsers read LF.
  test.each(NASTY.filter((v) => !v.includes('\u0001') && !v.includes('\r')))('an enum value %j survives the attribute', (value) => {
    const data = { gemeinde: '160510000000', wahl: value, muster: '&<>"\' \u00a0', stufe: 2 };
    expect(form.validate(data, 'en')).toEqual([]);
    const { status, stderr } = validateAgainstXsd(xsd, payload(form, data));
    expect({ status, stderr }).toEqual({ status: 0, stderr: '- validates\n' });
  });

  test('bounds of an integer become inclusive whole numbers', () => {
    expect(xsd).toContain('<xs:minInclusive value="2"/>');
    expect(xsd).toContain('<xs:maxInclusive value="3"/>');
    const body = payload(form, { gemeinde: '160510000000', stufe: 3 });
    expect(validateAgainstXsd(xsd, body).status).toBe(0);
    expect(validateAgainstXsd(xsd, body.replace('<stufe>3</stufe>', '<stufe>4</stufe>')).status).toBe(3);
    expect(validateAgainstXsd(xsd, body.replace('<stufe>3</stufe>', '<stufe>1</stufe>')).status).toBe(3);
  });

  test('a character XML cannot carry never reaches the schema', () => {
    expect(xsd).not.toContain('\u0001');
    expect(xsd).not.toContain('\u0002');
    expect(xsd).toContain('value="bad\uFFFD"');
    expect(xsd).toContain('value="zeile&#xA;eins"');
  });
});
