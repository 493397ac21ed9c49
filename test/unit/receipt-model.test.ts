import { createHash } from 'node:crypto';
import path from 'node:path';
import { loadFormRegistry } from '../../src/forms/form-registry';
import type { CompiledForm } from '../../src/forms/compiled-form';
import { summaryRows, type SummaryEntry } from '../../src/forms/summary';
import { buildReceiptModel, type ReceiptModel } from '../../src/receipts/receipt-model';
import { formatReceivedAt } from '../../src/i18n/formatters';
import { createMunicipalitySearch } from '../../src/routing/municipality-search';
import type { Tenant } from '../../src/routing/tenant';
import type { SubmissionRecord } from '../../src/storage/ports';
import { example, readJson, REPO, SAMPLE_FORMS, SAMPLE_TENANT } from '../support/test-setup';
import type { Language } from '../../src/i18n/language';

const tenant = readJson<Tenant>(SAMPLE_TENANT);
const municipalities = createMunicipalitySearch([tenant]);
const strings = (language: Language) => readJson<Record<string, string>>(path.join(REPO, 'templates', 'locales', `${language}.json`));
const XML = '<?xml version="1.0" encoding="UTF-8"?>\n<submission>Ørsted &amp; Söhne</submission>\n';

let dogTax: CompiledForm;
let trade: CompiledForm;
beforeAll(async () => {
  const forms = await loadFormRegistry(SAMPLE_FORMS);
  dogTax = forms.get('hundesteuer-anmeldung')!;
  trade = forms.get('gewerbeanmeldung')!;
});

function submission(formId: string, data: unknown, overrides: Partial<SubmissionRecord> = {}): SubmissionRecord {
  return {
    id: 'K7M3-Q9XD-P', tokenHash: '0'.repeat(64), formId, formVersion: '1.0.0', tenantId: 'thueringen', authorityId: 'stadt-weimar',
    regionArs: '160550000000', language: 'de', dataJson: JSON.stringify(data), payloadXml: '', createdAt: new Date('2026-11-28T17:24:00Z'),
    status: 'accepted', events: [], ...overrides,
  };
}

function receipt(model: CompiledForm, data: unknown, overrides: Partial<SubmissionRecord> = {}): ReceiptModel {
  return buildReceiptModel({
    submission: submission(model.definition.id, data, overrides), xml: XML, form: model, tenant,
    authority: { name: 'Stadtverwaltung Weimar', email: 'buergerbehoerde@weimar.example' }, strings, municipalities,
  });
}

/** Sections as plain data: "label: value" lines, list items as {title: [...]}. */
function plain(entries: readonly SummaryEntry[]): unknown[] {
  return entries.map((e) => (e.kind === 'answer' ? `${e.label}: ${e.value}` : { [e.label]: e.items.map((i) => ({ [i.title]: plain(i.entries) })) }));
}

describe('receipt model', () => {
  test('German: title, reference, Berlin time with "Uhr", tenant and authority', () => {
    const model = receipt(dogTax, example('hundesteuer-anmeldung', 'valid-1'));
    expect(model).toMatchObject({
      language: 'de', title: 'Eingangsbestätigung', tenantName: 'Freistaat Thüringen', reference: 'K7M3-Q9XD-P',
      formTitle: 'Hund zur Hundesteuer anmelden', receivedAtText: '28.11.2026, 18:24 Uhr',
      authority: { name: 'Stadtverwaltung Weimar', email: 'buergerbehoerde@weimar.example' }, xmlFileName: 'K7M3-Q9XD-P.xml',
    });
    expect(model.receivedAt.toISOString()).toBe('2026-11-28T17:24:00.000Z');
  });

  test('the language is the one stored with the submission', () => {
    const model = receipt(dogTax, example('hundesteuer-anmeldung', 'valid-1'), { language: 'en' });
    expect(model).toMatchObject({ language: 'en', title: 'Confirmation of receipt', tenantName: 'Free State of Thuringia', formTitle: 'Register a dog for dog tax', receivedAtText: '28 November 2026, 18:24' });
    expect(model.texts.pageOf).toBe('Page {n} of {total}');
    // Options and yes/no in English too.
    expect(JSON.stringify(model.sections)).toContain('"value":"No"');
  });

  test('date and time are Berlin time, summer time included', () => {
    expect(formatReceivedAt(new Date('2026-07-01T22:05:00Z'), 'de')).toBe('02.07.2026, 00:05 Uhr');
    expect(formatReceivedAt(new Date('2026-07-01T22:05:00Z'), 'en')).toBe('2 July 2026, 00:05');
    expect(formatReceivedAt(new Date('2027-01-09T08:00:00Z'), 'de')).toBe('09.01.2027, 09:00 Uhr');
  });

  test('answers in form order grouped by step, lists as numbered items, unanswered left out', () => {
    const model = receipt(dogTax, example('hundesteuer-anmeldung', 'valid-1'));
    expect(model.sections.map((s) => s.title)).toEqual(['Ihre Gemeinde', 'Angaben zur Halterin oder zum Halter', 'Angaben zu den Hunden', 'Zahlung']);
    expect(plain(model.sections[0]!.entries)).toEqual(['Gemeinde: Weimar']);
    expect(plain(model.sections[1]!.entries)).toEqual([
      'Anrede: Keine Angabe', 'Vorname: Çağrı', 'Familienname: Şahin', 'Geburtsdatum: 23. Juli 1991', 'E-Mail-Adresse: cagri.sahin@example.org',
      'Telefonnummer für Rückfragen: 03643 987654', 'Straße: Schillerstraße', 'Hausnummer: 18', 'Postleitzahl: 99423', 'Ort: Weimar',
    ]);
    expect(plain(model.sections[2]!.entries)).toEqual([{
      Hunde: [
        { 'Hund 1': ['Name des Hundes: Bello', 'Rasse: Labrador-Mischling', 'Geburtsdatum (Wurftag): 10. April 2021', 'Gehalten seit: 15. Oktober 2026', 'Gefährlicher Hund (Kampfhund): Nein', 'Transpondernummer (Chip): 276098106543210'] },
        // The second dog has no chip number: no empty line for it.
        { 'Hund 2': ['Name des Hundes: Frau Müller', 'Rasse: Dackel', 'Geburtsdatum (Wurftag): 30. Januar 2019', 'Gehalten seit: 15. Oktober 2026', 'Gefährlicher Hund (Kampfhund): Nein'] },
      ],
    }]);
    expect(plain(model.sections[3]!.entries)).toEqual(['Ich möchte die Hundesteuer per SEPA-Lastschrift bezahlen.: Ja', 'Kontoinhaberin oder Kontoinhaber: Çağrı Şahin', 'IBAN: DE89370400440532013000']);
  });

  test('answers that did not apply are left out, even when they were stored', () => {
    const data = { ...example('hundesteuer-anmeldung', 'valid-1'), sepaLastschrift: false };
    const payment = receipt(dogTax, data).sections.find((s) => s.title === 'Zahlung')!;
    expect(plain(payment.entries)).toEqual(['Ich möchte die Hundesteuer per SEPA-Lastschrift bezahlen.: Nein']);
    expect(JSON.stringify(receipt(dogTax, data))).not.toContain('DE89370400440532013000');

    const company = example('gewerbeanmeldung', 'valid-2');
    expect(JSON.stringify(receipt(trade, { ...company, registergericht: 'Jena', registernummer: 'HRB 1' }))).not.toContain('HRB 1');
  });

  test('the declarations confirmed, by their label', () => {
    expect(receipt(dogTax, example('hundesteuer-anmeldung', 'valid-1')).declarations).toEqual(['Ich versichere, dass meine Angaben vollständig und richtig sind.']);
    const unconfirmed = example('hundesteuer-anmeldung', 'valid-1');
    delete unconfirmed.erklaerung;
    expect(receipt(dogTax, unconfirmed).declarations).toEqual([]);
  });

  test('the fingerprint is the SHA-256 of the XML as stored', () => {
    const model = receipt(dogTax, example('hundesteuer-anmeldung', 'valid-1'));
    expect(model.xmlSha256).toBe(createHash('sha256').update(Buffer.from(XML, 'utf8')).digest('hex'));
    expect(model.xmlSha256).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('check page rows (moved to src/forms/summary.ts)', () => {
  test('lists are numbered into the label, unanswered questions stay with an empty value', () => {
    const data = example('hundesteuer-anmeldung', 'valid-1');
    const step = dogTax.steps.find((s) => s.nodes.some((n) => n.pattern === '/hunde'))!;
    const rows = summaryRows(dogTax, step, data, 'de', strings('de'), municipalities, (p) => `#${p}`);
    expect(rows[0]).toEqual({ label: 'Hund 1 – Name des Hundes', value: 'Bello', changeUrl: '#/hunde/0/name' });
    expect(rows.find((r) => r.changeUrl === '#/hunde/1/chipnummer')).toEqual({ label: 'Hund 2 – Transpondernummer (Chip)', value: '', changeUrl: '#/hunde/1/chipnummer' });
    expect(rows).toHaveLength(12);
    // The region field is shown on the region step only, although it sits in the address.
    const owner = dogTax.steps.find((s) => s.nodes.some((n) => n.pattern === '/halter'))!;
    expect(summaryRows(dogTax, owner, data, 'de', strings('de'), municipalities, (p) => p).map((r) => r.changeUrl)).not.toContain('/halter/anschrift/gemeinde');
  });
});
