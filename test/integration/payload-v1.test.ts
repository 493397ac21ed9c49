import { buildFieldIndex } from '../../src/forms/field-index';
import { buildPayloadV1, PAYLOAD_V1_NAMESPACE, type PayloadV1Input } from '../../src/payloads/xml/v1';
import { child, parseXml, path, textOf } from '../support/xml';

const schema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    anschrift: { type: 'object', properties: { strasse: { type: 'string' }, ort: { type: 'string' } } },
    hunde: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, alter: { type: 'integer' } } } },
    zustimmung: { const: true },
    bemerkung: { type: ['string', 'null'] },
  },
};
const fields = buildFieldIndex(schema);

const NASTY = 'Müller & Söhne <GmbH> "Zweigstelle" \'Ost\' ]]> Łukasz Żółć Nguyễn Thị Minh Ørsted Çağrı Şahin Ελένη Дмитрий € 🐕\ttab\nzeile';

function input(data: Record<string, unknown>): PayloadV1Input {
  return {
    messageId: '6c1f1a52-3d6e-4f8e-9a7a-0c4f3b2e1d00',
    createdAt: new Date('2026-11-28T10:15:30.000Z'),
    reference: 'K7M3-Q9XD-P',
    form: { id: 'hundesteuer-anmeldung', version: '1.2.0', serviceKey: '99036011012000' },
    regionArs: '160510000000',
    tenant: { id: 'thueringen', name: 'Freistaat "Thüringen" & <Co>' },
    author: { id: 'efa-forms', name: 'Freistaat Thüringen' },
    reader: { id: 'stadt-erfurt', name: 'Stadt Erfurt & Umland' },
    product: { name: 'efa-forms', version: '0.1.0' },
    data,
  };
}

describe('XML payload v1', () => {
  test('is well-formed for xmllint and carries the full header', () => {
    const xml = buildPayloadV1(input({ name: 'x' }), fields);
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    const root = parseXml(xml).elements![0]!;
    expect(root.name).toBe('submission');
    expect(root.attributes).toEqual({ xmlns: PAYLOAD_V1_NAMESPACE, version: '1' });
    const header = child(root, 'header');
    expect(textOf(child(header, 'messageId'))).toBe('6c1f1a52-3d6e-4f8e-9a7a-0c4f3b2e1d00');
    expect(textOf(child(header, 'messageType'))).toBe('efa-forms.submission.v1');
    expect(textOf(child(header, 'createdAt'))).toBe('2026-11-28T10:15:30.000Z');
    expect(textOf(child(header, 'reference'))).toBe('K7M3-Q9XD-P');
    expect(textOf(path(header, 'form', 'id'))).toBe('hundesteuer-anmeldung');
    expect(textOf(path(header, 'form', 'version'))).toBe('1.2.0');
    expect(textOf(path(header, 'form', 'serviceKey'))).toBe('99036011012000');
    expect(textOf(child(header, 'regionArs'))).toBe('160510000000');
    expect(textOf(path(header, 'tenant', 'name'))).toBe('Freistaat "Thüringen" & <Co>');
    expect(textOf(path(header, 'author', 'directory'))).toBe('efa-forms:tenant');
    expect(textOf(path(header, 'reader', 'id'))).toBe('stadt-erfurt');
    expect(textOf(path(header, 'reader', 'name'))).toBe('Stadt Erfurt & Umland');
    expect(textOf(path(header, 'product', 'version'))).toBe('0.1.0');
  });

  test('escapes every string so that it parses back to exactly what was submitted', () => {
    const data = { name: NASTY, anschrift: { strasse: NASTY, ort: '<![CDATA[x]]>' }, hunde: [{ name: '&amp; &lt; &#38; & &amp;amp;', alter: 3 }] };
    const xml = buildPayloadV1(input(data), fields);
    const answers = child(parseXml(xml).elements![0]!, 'data');
    expect(textOf(child(answers, 'name'))).toBe(NASTY);
    expect(textOf(path(answers, 'anschrift', 'strasse'))).toBe(NASTY);
    expect(textOf(path(answers, 'anschrift', 'ort'))).toBe('<![CDATA[x]]>');
    expect(textOf(path(answers, 'hunde', 'item', 'name'))).toBe('&amp; &lt; &#38; & &amp;amp;');
  });

  test('writes answers in schema order whatever the JSON order, arrays as items, null as nil', () => {
    const data = {
      bemerkung: null,
      zustimmung: true,
      hunde: [{ alter: 4, name: 'Bello' }, { name: 'Luna', alter: 2 }],
      anschrift: { ort: 'Erfurt', strasse: 'Anger 1' },
      name: 'Anna',
    };
    const xml = buildPayloadV1(input(data), fields);
    const answers = child(parseXml(xml).elements![0]!, 'data');
    expect(answers.elements!.map((e) => e.name)).toEqual(['name', 'anschrift', 'hunde', 'zustimmung', 'bemerkung']);
    expect(child(answers, 'anschrift').elements!.map((e) => e.name)).toEqual(['strasse', 'ort']);
    const items = child(answers, 'hunde').elements!;
    expect(items.map((e) => e.name)).toEqual(['item', 'item']);
    expect(items.map((i) => textOf(child(i, 'name')))).toEqual(['Bello', 'Luna']);
    expect(textOf(child(items[0]!, 'alter'))).toBe('4');
    expect(textOf(child(answers, 'zustimmung'))).toBe('true');
    expect(child(answers, 'bemerkung').attributes).toEqual({ nil: 'true' });
    // Same answers in another key order give the same bytes.
    const reordered = { name: 'Anna', anschrift: { strasse: 'Anger 1', ort: 'Erfurt' }, hunde: data.hunde, zustimmung: true, bemerkung: null };
    expect(buildPayloadV1(input(reordered), fields)).toBe(xml);
  });

  test('keys the schema does not know come after the known ones, in code-point order', () => {
    const xml = buildPayloadV1(input({ zeta: '1', name: 'A', alpha: '2' }), fields);
    const answers = child(parseXml(xml).elements![0]!, 'data');
    expect(answers.elements!.map((e) => e.name)).toEqual(['name', 'alpha', 'zeta']);
  });
});

test('a null inside an array is marked nil like any other null', () => {
  const xml = buildPayloadV1(input({ hunde: [null, {}] }), fields);
  const items = child(child(parseXml(xml).elements![0]!, 'data'), 'hunde').elements!;
  expect(items.map((i) => i.attributes)).toEqual([{ nil: 'true' }, undefined]);
});

test('a carriage return arrives as a carriage return, not as a line feed', () => {
  const xml = buildPayloadV1(input({ name: 'Zeile 1\r\nZeile 2\rEnde' }), fields);
  expect(xml).toContain('Zeile 1&#xD;\nZeile 2&#xD;Ende');
  expect(textOf(child(child(parseXml(xml).elements![0]!, 'data'), 'name'))).toBe('Zeile 1\r\nZeile 2\rEnde');
});
