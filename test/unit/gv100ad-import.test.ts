import { readFileSync } from 'node:fs';
import path from 'node:path';
import { countWithPrefix } from '../../src/directory/change-report';
import { formatChangeReport } from '../../src/directory/change-report-text';
import { readGv100ad } from '../../src/directory/gv100ad';
import { searchName, selectForRegions } from '../../src/directory/import-directory';
import { planMunicipalityImport } from '../../src/directory/plan-import';
import { parsePostalCodes, readPostalCodes } from '../../src/directory/postal-codes';
import { formatTenantFile } from '../../src/directory/tenant-file';
import type { Tenant } from '../../src/routing/tenant';
import { problemsOf } from '../support/input-problems';

/** From the parsed directory to the tenant's new content, its file text and the change report (all pure). */
const FIXTURES = path.join(__dirname, '..', 'fixtures', 'gv100ad');
const directoryBytes = readFileSync(path.join(FIXTURES, 'small-directory.txt'));
const postalBytes = readFileSync(path.join(FIXTURES, 'postal-codes.csv'));
const directory = readGv100ad(directoryBytes, 'small-directory.txt');
const postalCodes = readPostalCodes(postalBytes, 'postal-codes.csv');

/** A hand-written tenant of Thüringen as the samples are before their first import. */
function tenant(overrides: Partial<Tenant> = {}): Tenant {
  return {
    id: 'thueringen',
    name: { de: 'Freistaat Thüringen' },
    regions: ['16'],
    links: { imprintUrl: 'https://x.example/i', privacyUrl: 'https://x.example/p', accessibilityUrl: 'https://x.example/a' },
    municipalities: [
      { ars: '160510000000', name: 'Erfurt', postalCodes: ['99084', '99099'] },
      { ars: '160635006777', name: 'Verschwunden', postalCodes: ['99826'] },
      { ars: '160635058902', name: 'Musterstadt alt', postalCodes: ['99817'] },
    ],
    authorities: [
      {
        id: 'gemeinde-verschwunden', name: 'Gemeinde Verschwunden', email: 'v@example.org', delivery: { type: 'email' },
        serves: [{ forms: ['hund'], regions: ['160635006777', '160635006'] }],
      },
      { id: 'nirgends', name: 'Amt Nirgends', email: 'n@example.org', delivery: { type: 'email' }, serves: [{ forms: ['hund', 'gewerbe'], regions: ['1607'] }] },
    ],
    ...overrides,
  };
}

describe('postal-code list', () => {
  test('finds ags and plz among other columns in any order; codes per AGS unique and sorted', () => {
    expect(postalCodes.rows).toBe(7);
    expect(postalCodes.byAgs.get('16051000')).toEqual(['99084', '99085']);
    expect(postalCodes.byAgs.get('16063902')).toEqual(['99817', '99818']);
  });

  test('reads semicolons, CRLF, ISO-8859-1 and a repeated row', () => {
    const text = 'Ort;AGS;PLZ\r\nGößnitz;16077012;04639\r\nGößnitz;16077012;04639\r\n';
    const list = readPostalCodes(Buffer.from(text, 'latin1'), 'plz.csv');
    expect([...list.byAgs]).toEqual([['16077012', ['04639']]]);
  });

  test.each([
    ['ags,ort\n16051000,Erfurt\n', 'plz.csv:1: the header row has no column plz (it names: "ags", "ort")'],
    ['', 'plz.csv: is empty; expected a header row with the columns ags and plz'],
    ['ags,plz\n16051000,9908\n', 'plz.csv:2: plz is "9908", expected 5 digits; a spreadsheet may have dropped a leading zero'],
    ['ags,plz\n1605100,99084\n', 'plz.csv:2: ags is "1605100", expected 8 digits (an AGS); a spreadsheet may have dropped a leading zero'],
    ['plz,ort,ags\n99084,Erfurt\n', 'plz.csv:2: has 2 fields; the columns ags and plz are fields 3 and 1'],
  ])('a row that does not fit stops the import: %j', (text, problem) => {
    expect(problemsOf(() => parsePostalCodes(text, 'plz.csv'))).toEqual([problem]);
  });

  test('shows the file\'s values quoted, control characters escaped, long ones cut', () => {
    // A wrong file's header row: long, with terminal escapes, many "columns".
    const header = `\u001b[2J${'x'.repeat(60)},${Array.from({ length: 12 }, (_, i) => `c${i}`).join(',')}`;
    const [problem] = problemsOf(() => parsePostalCodes(`${header}\n`, 'plz.csv'));
    expect(problem).toBe(`plz.csv:1: the header row has no column ags and no column plz (it names: "\\u001b[2j${'x'.repeat(36)}…", "c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8" and 3 more)`);
    expect(problemsOf(() => parsePostalCodes(`ags,plz\n\u009b31m${'1'.repeat(50)},99084\n`, 'plz.csv'))).toEqual([`plz.csv:2: ags is "\\u009b31m${'1'.repeat(36)}…", expected 8 digits (an AGS)`]);
  });
});

describe('selecting a tenant\'s units', () => {
  const units = selectForRegions(directory, ['16'], postalCodes);

  test('takes only what lies in the tenant\'s regions, sorted by ARS', () => {
    expect(units.municipalities.map((m) => m.ars)).toEqual(['160510000000', '160635006006', '160635006901', '160635058902', '160635058903']);
    expect(units.districts).toEqual([{ ars: '16051', name: 'Erfurt, Stadt', kind: 41 }, { ars: '16063', name: 'Wartburgkreis', kind: 44 }]);
    expect(units.associations.map((a) => a.ars)).toEqual(['160510000', '160635006', '160635058']);
    expect(selectForRegions(directory, ['160635058']).municipalities.map((m) => m.name)).toEqual(['Musterstadt', 'Beispielsee']);
  });

  test('names citizens search for, official names, population, the seat\'s and the list\'s postal codes', () => {
    expect(units.municipalities[0]).toEqual({ ars: '160510000000', name: 'Erfurt', officialName: 'Erfurt, Stadt', population: 210000, postalCodes: ['99084', '99085'] });
    // The same name: no officialName.
    expect(units.municipalities[1]).toEqual({ ars: '160635006006', name: 'Berka v. d. Hainich', population: 700, postalCodes: ['99826'] });
    expect(units.municipalities[3]).toMatchObject({ name: 'Musterstadt', officialName: 'Musterstadt, Kurort, Stadt', postalCodes: ['99817', '99818'] });
    // No seat postal code in the directory: the list's only.
    expect(units.municipalities[4]).toMatchObject({ name: 'Beispielsee', postalCodes: ['99819'] });
  });

  test('reports the list\'s AGS the directory does not know', () => {
    expect(units.unknownPostalCodeAgs).toEqual(['16063999']);
  });

  test('imports inhabited gemeindefreie Gebiete (Textkennzeichen 65), skips uninhabited ones (66), and counts both', () => {
    expect(units.unincorporated).toEqual({ inhabited: 0, uninhabited: 0 });
    const withAreas = readGv100ad(Buffer.from(unincorporatedDirectory()), 'd.txt');
    const selected = selectForRegions(withAreas, ['16']);
    expect(selected.unincorporated).toEqual({ inhabited: 1, uninhabited: 1 });
    expect(selected.municipalities.map((m) => m.name)).toContain('Hainich');
    expect(selected.municipalities.map((m) => m.name)).not.toContain('Nationalpark');
    expect(selected.municipalities).toHaveLength(units.municipalities.length + 1);
  });

  test.each([
    ['Erfurt, Stadt', 'Erfurt'],
    ['Bad Sulza, Kurort, Stadt', 'Bad Sulza'],
    ['Halle (Saale), Stadt', 'Halle (Saale)'],
    ['Eisleben, Lutherstadt', 'Eisleben'],
    ['Neundorf (bei Schleiz)', 'Neundorf (bei Schleiz)'],
  ])('the name to search for of %s is %s', (official, name) => {
    expect(searchName(official)).toBe(name);
  });
});

/**
 * The fixture with two gemeindefreie Gebiete of the Wartburgkreis beside Beispielsee: Hainich
 * (65, inhabited, 40 people) and Nationalpark (66, uninhabited).
 */
function unincorporatedDirectory(): string {
  const lines = directoryBytes.toString('utf8').split('\n');
  const beispielsee = lines.findIndex((line) => line.includes('Beispielsee'));
  const area = (gemeinde: string, name: string, kind: string, population: string): string => {
    const line = lines[beispielsee]!;
    return `${line.slice(0, 15)}${gemeinde}${line.slice(18, 22)}${name.padEnd(50)}${line.slice(72, 122)}${kind}${line.slice(124, 139)}${population}${line.slice(150)}`;
  };
  lines.splice(beispielsee + 1, 0, area('904', 'Hainich, gemfr. Gebiet', '65', '00000000040'), area('905', 'Nationalpark, gemfr. Gebiet', '66', '00000000000'));
  return lines.join('\n');
}

describe('planning an import (no I/O)', () => {
  const plan = planMunicipalityImport({
    tenant: tenant(),
    directory: { file: 'small-directory.txt', bytes: directoryBytes },
    postalCodes: { file: 'postal-codes.csv', bytes: postalBytes },
  });

  test('reports added, removed and renamed municipalities, new districts and associations, other postal codes', () => {
    const { municipalities, districts, associations } = plan.report;
    expect(municipalities.added.map((m) => m.ars)).toEqual(['160635006006', '160635006901', '160635058903']);
    expect(municipalities.removed).toEqual([{ ars: '160635006777', name: 'Verschwunden' }]);
    expect(municipalities.renamed).toEqual([{ ars: '160635058902', from: 'Musterstadt alt', to: 'Musterstadt' }]);
    expect(municipalities.postalCodesChanged).toEqual([
      { ars: '160510000000', name: 'Erfurt', added: ['99085'], removed: ['99099'] },
      { ars: '160635058902', name: 'Musterstadt', added: ['99818'], removed: [] },
    ]);
    expect([municipalities.before, municipalities.after]).toEqual([3, 5]);
    expect(districts.added.map((d) => d.ars)).toEqual(['16051', '16063']);
    expect(associations.added).toHaveLength(3);
  });

  test('reports every serves region that matches no municipality, and whether it did before', () => {
    expect(plan.report.unmatchedRegions).toEqual([
      { authority: 'gemeinde-verschwunden', pointer: '/authorities/0/serves/0/regions/0', region: '160635006777', forms: ['hund'], matchedBefore: 1 },
      { authority: 'nirgends', pointer: '/authorities/1/serves/0/regions/0', region: '1607', forms: ['hund', 'gewerbe'], matchedBefore: 0 },
    ]);
  });

  test('keeps every other member and the authorities as they were, in their order', () => {
    const without = (value: object, ...keys: string[]) => Object.fromEntries(Object.entries(value).filter(([key]) => !keys.includes(key)));
    expect(without(plan.tenant, 'municipalities', 'districts', 'associations')).toEqual(without(tenant(), 'municipalities'));
    expect(Object.keys(plan.tenant)).toEqual(['id', 'name', 'regions', 'links', 'municipalities', 'districts', 'associations', 'authorities']);
    expect(plan.tenant.authorities).toEqual(tenant().authorities);
  });

  test('says in the report how many gemeindefreie Gebiete it imported and skipped', () => {
    expect(formatChangeReport('thueringen', 't.json', plan, 'dry-run')).not.toContain('unincorporated');
    const withAreas = planMunicipalityImport({ tenant: tenant(), directory: { file: 'd.txt', bytes: Buffer.from(unincorporatedDirectory()) } });
    expect(withAreas.unincorporated).toEqual({ inhabited: 1, uninhabited: 1 });
    expect(withAreas.report.municipalities.added.map((m) => m.name)).toEqual(['Berka v. d. Hainich', 'Großübungsdorf', 'Beispielsee', 'Hainich']);
    const text = formatChangeReport('thueringen', 't.json', withAreas, 'dry-run');
    expect(text).toContain('Municipalities: 3 before, 6 after: 4 added, 1 removed, 1 renamed, 1 with other postal codes\n');
    expect(text).toContain('\n  1 of them is an unincorporated area (gemeindefreie Gebiete, inhabited)\n  1 uninhabited unincorporated area (gemeindefreie Gebiete) skipped\n');
  });

  test('refuses a directory without a municipality of the tenant (the wrong state\'s file)', () => {
    expect(problemsOf(() => planMunicipalityImport({ tenant: tenant({ regions: ['14'] }), directory: { file: 'd.txt', bytes: directoryBytes } }))).toEqual([
      'd.txt: has no municipality in the regions of tenant "thueringen" (14); its 6 municipalities lie in Land 15, Land 16',
    ]);
  });

  test('reports problems of both files together', () => {
    const problems = problemsOf(() => planMunicipalityImport({
      tenant: tenant(),
      directory: { file: 'd.txt', bytes: Buffer.from('99\n') },
      postalCodes: { file: 'p.csv', bytes: Buffer.from('x,y\n') },
    }));
    expect(problems).toEqual([
      'd.txt:1: Satzart (positions 1–2) is "99", expected one of 10, 20, 30, 40, 50, 60',
      'p.csv:1: the header row has no column ags and no column plz (it names: "x", "y")',
    ]);
  });
});

describe('the tenant file', () => {
  const plan = planMunicipalityImport({ tenant: tenant(), directory: { file: 'd.txt', bytes: directoryBytes } });
  const lines = plan.text.split('\n');

  test('is JSON of exactly the new tenant', () => {
    expect(JSON.parse(plan.text)).toEqual(plan.tenant);
    expect(plan.text.endsWith('}\n')).toBe(true);
  });

  test('has one line per municipality, district and association, in ARS order; the rest as the samples, 2-space indented', () => {
    expect(lines.filter((line) => /^ {4}\{ "ars": "[0-9]{12}"/.test(line))).toHaveLength(5);
    expect(lines).toContain('    { "ars": "160510000000", "name": "Erfurt", "officialName": "Erfurt, Stadt", "population": 210000, "postalCodes": ["99084"] },');
    expect(lines).toContain('    { "ars": "16063", "name": "Wartburgkreis", "kind": 44 }');
    expect(lines.slice(0, 5)).toEqual(['{', '  "id": "thueringen",', '  "name": {', '    "de": "Freistaat Thüringen"', '  },']);
    const authorities = plan.text.slice(plan.text.indexOf('  "authorities": '));
    expect(authorities).toBe(`  "authorities": ${JSON.stringify(tenant().authorities, null, 2).replace(/\n/g, '\n  ')}\n}\n`);
  });

  test('of a tenant without list entries is what JSON.stringify writes (as the hand-written samples are)', () => {
    const sample = tenant({ municipalities: [] });
    expect(formatTenantFile(sample)).toBe(`${JSON.stringify(sample, null, 2)}\n`);
  });
});

test('countWithPrefix counts the keys of a sorted list that start with a prefix', () => {
  const keys = ['160510000000', '160635006006', '160635006901', '160635058902'];
  expect(['16', '160635006', '160635006901', '1606350069', '17', '15', '160635058903'].map((p) => countWithPrefix(keys, p))).toEqual([4, 2, 1, 1, 0, 0, 0]);
});
