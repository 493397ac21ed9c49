import { addressLines, parameterRows } from '../../src/routing/parameter-view';
import type { LocalParameters } from '../../src/routing/tenant';

/** The rows citizens read for a responsibility's local parameters (pages, and the receipt may use them). */
const FULL: LocalParameters = {
  address: { street: 'Marktplatz', houseNumber: '1', additional: 'Zimmer 12', zip: '06108', city: 'Halle (Saale)' },
  contactPersons: [
    { name: 'Frau Beispiel', role: { de: 'Sachbearbeitung Hundesteuer', en: 'Dog tax' }, tel: '0345 221-0', fax: '0345 221-1', email: 'hundesteuer@example.org' },
    { name: 'Herr Muster' },
  ],
  furtherInformation: { de: 'Der Bescheid kommt per Post.' },
  requiredDocuments: [{ de: 'Versicherungsnachweis', en: 'Proof of insurance' }, { de: 'Chipnummer' }],
  processingDuration: { min: 1, max: 1500, unit: 'day' },
  legalBasis: { de: 'Hundesteuersatzung', en: 'Dog Tax Statute' },
  fee: { amountCents: 123456, currency: 'EUR', purpose: { de: 'je Hund und Jahr', en: 'per dog and year' } },
};

describe('parameterRows', () => {
  test('German: in a fixed order, euro and numbers the German way, lists for several items', () => {
    expect(parameterRows(FULL, 'de')).toEqual([
      { key: 'fee', label: 'Gebühr', items: ['1.234,56\u00a0€ (je Hund und Jahr)'], list: false },
      { key: 'legalBasis', label: 'Rechtsgrundlage', items: ['Hundesteuersatzung'], list: false },
      { key: 'processingDuration', label: 'Bearbeitungsdauer', items: ['1 bis 1.500 Tage'], list: false },
      { key: 'requiredDocuments', label: 'Erforderliche Unterlagen', items: ['Versicherungsnachweis', 'Chipnummer'], list: true },
      { key: 'furtherInformation', label: 'Weitere Informationen', items: ['Der Bescheid kommt per Post.'], list: false },
      {
        key: 'contactPersons', label: 'Ansprechpersonen', list: true,
        items: ['Frau Beispiel, Sachbearbeitung Hundesteuer, Tel. 0345 221-0, Fax 0345 221-1, E-Mail: hundesteuer@example.org', 'Herr Muster'],
      },
      { key: 'address', label: 'Anschrift', items: ['Marktplatz 1', 'Zimmer 12', '06108 Halle (Saale)'], list: false },
    ]);
  });

  test('English where the file has it, German where it has not', () => {
    const rows = parameterRows(FULL, 'en');
    expect(rows.map((r) => r.label)).toEqual(['Fee', 'Legal basis', 'Processing time', 'Required documents', 'Further information', 'Contact', 'Address']);
    expect(rows[0]!.items).toEqual(['€1,234.56 (per dog and year)']);
    expect(rows[2]!.items).toEqual(['1 to 1,500 days']);
    expect(rows[3]!.items).toEqual(['Proof of insurance', 'Chipnummer']);
    expect(rows[4]!.items).toEqual(['Der Bescheid kommt per Post.']);
  });

  test.each([
    [{ min: 3, max: 3, unit: 'workday' }, 'de', '3 Arbeitstage'],
    [{ min: 1, max: 1, unit: 'week' }, 'de', '1 Woche'],
    [{ min: 0, max: 1, unit: 'month' }, 'en', '0 to 1 month'],
    [{ min: 2, max: 4, unit: 'hour' }, 'en', '2 to 4 hours'],
  ] as const)('processing time %j in %s: %s', (processingDuration, language, text) => {
    expect(parameterRows({ processingDuration }, language)).toEqual([{ key: 'processingDuration', label: expect.any(String), items: [text], list: false }]);
  });

  test('only what is set; a single document or person is no list; nothing set gives no rows', () => {
    expect(parameterRows({}, 'de')).toEqual([]);
    expect(parameterRows({ requiredDocuments: [{ de: 'Ausweis' }], contactPersons: [{ name: 'Bürgerbüro' }] }, 'de'))
      .toEqual([
        { key: 'requiredDocuments', label: 'Erforderliche Unterlagen', items: ['Ausweis'], list: false },
        { key: 'contactPersons', label: 'Ansprechpersonen', items: ['Bürgerbüro'], list: false },
      ]);
    expect(addressLines({ street: 'Anger', zip: '99084', city: 'Erfurt' })).toEqual(['Anger', '99084 Erfurt']);
  });
});
