import { createHash, randomUUID } from 'node:crypto';
import { loadFormRegistry, type FormRegistry } from '../../src/forms/form-registry';
import { buildPayloadV1, type PayloadAttachment, type PayloadV1Input } from '../../src/payloads/xml/v1';
import { buildXsdV1 } from '../../src/payloads/xsd/v1';
import { example, SAMPLE_FORMS } from '../support/test-setup';
import { child, parseXml, textOf } from '../support/xml';
import { validateAgainstXsd } from '../support/xsd';

/**
 * The attachments in the v1 header (issue 15): written only when there are some, after the
 * other optional elements, each with id, file name, media type, size and SHA-512, escaped, and
 * accepted by the form's XSD as xmllint reads it (broken copies refused).
 */

const FORM = 'anwohnerparkausweis';

const sha512 = (text: string): string => createHash('sha512').update(text).digest('hex');
const ATTACHMENTS: PayloadAttachment[] = [
  { id: 'b7e0f7a4-5d0c-4d43-9a51-0a8c1f1f2e01', fileName: 'Fahrzeugschein Müller & Söhne <1>.pdf', mediaType: 'application/pdf', size: 48213, sha512: sha512('one'), virusScanned: true },
  { id: randomUUID(), fileName: 'scan\u0001.png', mediaType: 'image/png', size: 1, sha512: sha512('two'), virusScanned: false },
];

describe('payload v1 with attachments', () => {
  let forms: FormRegistry;
  beforeAll(async () => {
    forms = await loadFormRegistry(SAMPLE_FORMS);
  });

  function build(extra: Partial<Pick<PayloadV1Input, 'attachments' | 'test'>>): string {
    const form = forms.get(FORM)!.definition;
    return buildPayloadV1({
      messageId: 'ca53e7ca-cd23-4289-8660-e8f2524ac129',
      createdAt: new Date('2026-11-28T10:15:30.123Z'),
      reference: 'K22Y-EMVT-K',
      form: { id: form.id, version: form.version, serviceKey: form.serviceKey },
      regionArs: '160510000000',
      tenant: { id: 'thueringen', name: 'Freistaat Thüringen' },
      author: { id: 'thueringen', name: 'Freistaat Thüringen' },
      reader: { id: 'stadt-erfurt-buergeramt', name: 'Bürgeramt Erfurt' },
      product: { name: 'efa-forms', version: '0.1.0' },
      data: example(FORM, 'valid-1'),
      ...extra,
    }, forms.get(FORM)!.fields);
  }
  const headerOf = (xml: string) => child(parseXml(xml).elements![0]!, 'header');

  test('without attachments (or with an empty list) the bytes are those of before', () => {
    const plain = build({});
    expect(plain).not.toContain('<attachments');
    expect(build({ attachments: [] })).toBe(plain);
    expect(headerOf(plain).elements!.at(-1)!.name).toBe('product');
  });

  test('each attachment with id, file name, media type, size and SHA-512, in order, after the test mark, escaped', () => {
    const xml = build({ attachments: ATTACHMENTS, test: true });
    const header = headerOf(xml);
    expect(header.elements!.slice(-2).map((e) => e.name)).toEqual(['test', 'attachments']);
    const listed = child(header, 'attachments').elements!;
    expect(listed.map((e) => e.name)).toEqual(['attachment', 'attachment']);
    expect(listed[0]!.elements!.map((e) => e.name)).toEqual(['id', 'fileName', 'mediaType', 'size', 'sha512', 'virusScanned']);
    expect(listed.map((a) => textOf(child(a, 'virusScanned')))).toEqual(['true', 'false']);
    expect(listed.map((a) => textOf(child(a, 'id')))).toEqual(ATTACHMENTS.map((a) => a.id));
    expect(textOf(child(listed[0]!, 'fileName'))).toBe('Fahrzeugschein Müller & Söhne <1>.pdf');
    // A character XML cannot carry becomes U+FFFD rather than breaking the document.
    expect(textOf(child(listed[1]!, 'fileName'))).toBe('scan\uFFFD.png');
    expect(textOf(child(listed[0]!, 'mediaType'))).toBe('application/pdf');
    expect(textOf(child(listed[0]!, 'size'))).toBe('48213');
    expect(textOf(child(listed[0]!, 'sha512'))).toBe(sha512('one'));
    expect(build({ attachments: ATTACHMENTS, test: true })).toBe(xml);
  });

  test("the form's XSD accepts the listing and refuses broken ones", () => {
    const xsd = buildXsdV1(forms.get(FORM)!);
    const full = build({ attachments: ATTACHMENTS, test: true });
    const valid = (xml: string) => validateAgainstXsd(xsd, xml);
    expect(valid(build({}))).toEqual({ status: 0, stderr: '- validates\n' });
    expect(valid(full)).toEqual({ status: 0, stderr: '- validates\n' });
    expect(valid(build({ attachments: ATTACHMENTS.slice(0, 1) })).status).toBe(0);
    for (const [from, to] of [
      [`<sha512>${sha512('one')}</sha512>`, `<sha512>${sha512('one').slice(1)}</sha512>`],
      [`<sha512>${sha512('one')}</sha512>`, `<sha512>${sha512('one').toUpperCase()}</sha512>`],
      ['<size>48213</size>', '<size>0</size>'],
      ['<size>48213</size>', '<size>-4</size>'],
      ['<id>b7e0f7a4-5d0c-4d43-9a51-0a8c1f1f2e01</id>', '<id>../../etc/passwd</id>'],
      ['<mediaType>application/pdf</mediaType>', '<mediaType>pdf</mediaType>'],
      [/<fileName>[^<]*<\/fileName>/, '<fileName></fileName>'],
      [/<attachments>[\s\S]*<\/attachments>/, '<attachments/>'],
      [/(<test>true<\/test>)(\s*)(<attachments>[\s\S]*<\/attachments>)/, '$3$2$1'],
    ] as const) {
      const broken = full.replace(from, to);
      expect(broken).not.toBe(full);
      expect({ to, status: valid(broken).status }).toEqual({ to, status: 3 });
    }
  });
});
