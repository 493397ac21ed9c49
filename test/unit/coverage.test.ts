import { computeCoverage, unknownCoverageScope, type CoverageForm, type CoverageItem, type DistrictCoverage } from '../../src/coverage/coverage';
import { COVERAGE_CSV_COLUMNS, renderCoverageCsv } from '../../src/coverage/coverage-csv';
import { renderCoverageHtml } from '../../src/coverage/coverage-html';
import { renderCoverageTable } from '../../src/coverage/coverage-table';
import { buildRoutingTable } from '../../src/routing/routing-table';
import type { Authority, Municipality, Tenant } from '../../src/routing/tenant';

/**
 * Coverage counted from a small hand-written tenant: two districts with a district authority
 * each, one town that takes a form over from its district, a town no authority serves, and a
 * municipality without a population. The expected numbers are counted here a second way,
 * straight from the ARS prefixes each form is claimed for, without the routing table.
 */

const NORTH = '15001';
const SOUTH = '15002';
const CITY = '15003'; // a district the tenant does not name (kreisfreie Stadt)

const municipalities: Municipality[] = [
  { ars: '150010001001', name: 'Ahlen', population: 1000, postalCodes: ['11111'] },
  { ars: '150010001002', name: 'Bergen', population: 2000, postalCodes: ['11112'] },
  { ars: '150010002003', name: 'Celle', population: 500, postalCodes: ['11113'] },
  { ars: '150010002004', name: 'Dornum', postalCodes: ['11114'] }, // population unknown
  { ars: '150020001001', name: 'Emden', officialName: 'Emden, Stadt', population: 3000, postalCodes: ['22221'] },
  { ars: '150020001002', name: 'Föhr', population: 1500, postalCodes: ['22222'] },
  { ars: '150020003003', name: 'Gau "Alt", <b>&Co</b>', population: 700, postalCodes: ['22223'] },
  { ars: '150030000000', name: 'Hafenstadt', population: 10000, postalCodes: ['33331'] },
];

function authority(id: string, serves: Authority['serves']): Authority {
  return { id, name: id, email: `${id}@example.org`, delivery: { type: 'email' }, serves };
}

// Which prefixes each form is claimed for; the tenant below says the same in `serves`.
const CLAIMS: Readonly<Record<string, readonly string[]>> = {
  'form-a': [NORTH, SOUTH, '150020001001'],
  'form-b': [NORTH, '150020001001'],
};

const tenant: Tenant = {
  id: 'testland',
  name: { de: 'Testland', en: 'Testland (en)' },
  regions: ['15'],
  links: { imprintUrl: 'https://example.org/i', privacyUrl: 'https://example.org/p', accessibilityUrl: 'https://example.org/a' },
  municipalities,
  districts: [
    { ars: NORTH, name: 'Landkreis Nord', kind: 42 },
    { ars: SOUTH, name: 'Landkreis "Süd", Test', kind: 42 },
  ],
  authorities: [
    authority('landratsamt-nord', [{ forms: ['form-a', 'form-b'], regions: [NORTH] }]),
    authority('landratsamt-sued', [{ forms: ['form-a'], regions: [SOUTH] }]),
    // The town takes form-a over from its district and serves form-b, which the district does not.
    authority('stadt-emden', [{ forms: ['form-a', 'form-b'], regions: ['150020001001'] }]),
  ],
};

const forms: CoverageForm[] = [
  { id: 'form-a', title: { de: 'Antrag A', en: 'Application A' } },
  { id: 'form-b', title: { de: 'Antrag B' } },
];
const routing = buildRoutingTable([{ file: 'testland.json', tenant }], new Set(forms.map((f) => f.id)));
const NOW = new Date('2026-12-01T13:05:00Z');
const report = computeCoverage({ routing, forms, now: NOW });

/** The independent count: a municipality is online when any claimed prefix of the form is a prefix of its ARS. */
function expected(formId: string, districtKey?: string) {
  const area = municipalities.filter((m) => districtKey === undefined || m.ars.startsWith(districtKey));
  const online = area.filter((m) => CLAIMS[formId]!.some((prefix) => m.ars.startsWith(prefix)));
  const people = (list: Municipality[]) => list.reduce((sum, m) => sum + (m.population ?? 0), 0);
  return {
    municipalities: { total: area.length, online: online.length },
    inhabitants: { total: people(area), online: people(online), populationUnknown: area.filter((m) => m.population === undefined).length },
    complete: online.length === area.length,
    missing: area.filter((m) => !online.includes(m)).map((m) => m.ars),
  };
}

function counted(item: CoverageItem, districtKey?: string) {
  const area = districtKey === undefined ? item.state : item.districts.find((d) => d.key === districtKey)!;
  return {
    municipalities: { total: area.municipalities.total, online: area.municipalities.online },
    inhabitants: { total: area.inhabitants.total, online: area.inhabitants.online, populationUnknown: area.inhabitants.populationUnknown },
    complete: area.complete,
    missing: districtKey === undefined
      ? item.districts.flatMap((d) => d.missing.map((m) => m.ars))
      : item.districts.find((d) => d.key === districtKey)!.missing.map((m) => m.ars),
  };
}

describe('coverage', () => {
  it('has one item per form and tenant, districts in key order', () => {
    expect(report.generatedAt).toBe('2026-12-01T13:05:00.000Z');
    expect(report.items.map((i) => `${i.form.id}/${i.tenant.id}`)).toEqual(['form-a/testland', 'form-b/testland']);
    expect(report.items[0]!.districts.map((d) => [d.key, d.name])).toEqual([[NORTH, 'Landkreis Nord'], [SOUTH, 'Landkreis "Süd", Test'], [CITY, CITY]]);
  });

  it.each(['form-a', 'form-b'])('%s: the numbers equal the count made from the claimed prefixes', (formId) => {
    const item = report.items.find((i) => i.form.id === formId)!;
    expect(counted(item)).toEqual(expected(formId));
    for (const key of [NORTH, SOUTH, CITY]) expect({ key, ...counted(item, key) }).toEqual({ key, ...expected(formId, key) });
  });

  it('says which areas are complete and which municipalities are missing', () => {
    const [a, b] = report.items as [CoverageItem, CoverageItem];
    expect(a.districts.map((d) => d.complete)).toEqual([true, true, false]);
    expect(a.state.complete).toBe(false);
    expect(a.districts[2]!.missing).toEqual([{ ars: '150030000000', name: 'Hafenstadt' }]);
    expect(b.districts.map((d) => d.complete)).toEqual([true, false, false]);
    expect(b.districts[1]!.missing.map((m) => m.name)).toEqual(['Föhr', 'Gau "Alt", <b>&Co</b>']);
  });

  it('gives shares rounded down to one decimal, so only all of them make 100', () => {
    const b = report.items[1]!;
    // form-b: 5 of 8 municipalities; 1000 + 2000 + 500 + 3000 = 6500 of 18700 inhabitants.
    expect(b.state.municipalities).toEqual({ total: 8, online: 5, percent: 62.5 });
    expect(b.state.inhabitants).toEqual({ total: 18700, online: 6500, percent: 34.7, populationUnknown: 1 });
    expect(b.districts[1]!.municipalities.percent).toBe(33.3);
    expect(b.districts[0]!.municipalities.percent).toBe(100);
    expect(b.districts[2]!.inhabitants.percent).toBe(0);
  });

  it('filters by tenant and form, and names an unknown one with the known ids', () => {
    const one = computeCoverage({ routing, forms, tenantId: 'testland', formId: 'form-b', now: NOW });
    expect(one.items.map((i) => i.form.id)).toEqual(['form-b']);
    expect(unknownCoverageScope({ routing, forms, tenantId: 'testland', formId: 'form-a' })).toBeUndefined();
    expect(unknownCoverageScope({ routing, forms, tenantId: 'nowhere' })).toEqual({ parameter: 'tenant', value: 'nowhere', known: ['testland'] });
    expect(unknownCoverageScope({ routing, forms, formId: 'form-z' })).toEqual({ parameter: 'form', value: 'form-z', known: ['form-a', 'form-b'] });
  });

  it('counts only the matches the online predicate accepts (the hook for rollout states)', () => {
    const withoutNorth = computeCoverage({ routing, forms, formId: 'form-a', now: NOW, isOnline: (match) => match.authority.id !== 'landratsamt-nord' });
    const north = withoutNorth.items[0]!.districts[0]!;
    expect(north.municipalities.online).toBe(0);
    expect(north.missing).toHaveLength(4);
  });

  it('counts a tenant without municipalities as nothing, not as complete', () => {
    const empty = buildRoutingTable([{ file: 'leer.json', tenant: { ...tenant, id: 'leer', municipalities: [], districts: [] } }], new Set(['form-a', 'form-b']));
    const item = computeCoverage({ routing: empty, forms, formId: 'form-a', now: NOW }).items[0]!;
    expect(item.districts).toEqual([]);
    expect(item.state).toEqual({
      municipalities: { total: 0, online: 0, percent: null },
      inhabitants: { total: 0, online: 0, percent: null, populationUnknown: 0 },
      complete: false,
      notLive: { planned: { municipalities: 0, inhabitants: 0 }, testing: { municipalities: 0, inhabitants: 0 }, paused: { municipalities: 0, inhabitants: 0 } },
    });
  });
});

/** RFC 4180 fields of one CSV text (quoted fields may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\r' && text[i + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; i++; }
    else field += c;
  }
  return rows;
}

describe('coverage as CSV', () => {
  const csv = renderCoverageCsv(report);
  const rows = parseCsv(csv);
  const records = rows.slice(1).map((r) => Object.fromEntries(COVERAGE_CSV_COLUMNS.map((c, i) => [c, r[i]])));

  it('has a header row and one row per form, tenant and area, CRLF-terminated', () => {
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(rows[0]).toEqual([...COVERAGE_CSV_COLUMNS]);
    expect(rows.every((r) => r.length === COVERAGE_CSV_COLUMNS.length)).toBe(true);
    expect(records.map((r) => `${r.form_id} ${r.level} ${r.area_key}`)).toEqual([
      'form-a state 15', `form-a district ${NORTH}`, `form-a district ${SOUTH}`, `form-a district ${CITY}`,
      'form-b state 15', `form-b district ${NORTH}`, `form-b district ${SOUTH}`, `form-b district ${CITY}`,
    ]);
  });

  it('writes plain numbers with dot decimals, quotes what needs it and lists the missing keys', () => {
    expect(csv).toContain('"Landkreis ""Süd"", Test"');
    expect(records[4]).toEqual({
      form_id: 'form-b', tenant_id: 'testland', level: 'state', area_key: '15', area_name: 'Testland',
      municipalities: '8', municipalities_online: '5', municipalities_percent: '62.5',
      inhabitants: '18700', inhabitants_online: '6500', inhabitants_percent: '34.7', population_unknown: '1',
      complete: 'false', missing_ars: '150020001002 150020003003 150030000000',
      planned_municipalities: '0', planned_inhabitants: '0', testing_municipalities: '0', testing_inhabitants: '0',
      paused_municipalities: '0', paused_inhabitants: '0',
    });
    expect(records[5]!.municipalities_percent).toBe('100.0');
    expect(records[5]!.complete).toBe('true');
  });
});

describe('coverage as a terminal table', () => {
  const text = renderCoverageTable(report);

  it('shows a block per form and tenant with German numbers, the state row and the missing municipalities', () => {
    expect(text).toContain('form-b (Antrag B) in testland (Testland)');
    expect(text).toMatch(/^state 15\s+5\/8\s+62,5\s+6\.500\/18\.700\s+34,7\s+no$/m);
    expect(text).toMatch(/^15001 Landkreis Nord\s+4\/4\s+100\s+3\.500\/3\.500\s+100\s+yes$/m);
    expect(text).toContain('15003 (1): Hafenstadt 150030000000');
    expect(text).toContain('population unknown for 1 of 8 municipalities');
  });

  it('lines its columns up', () => {
    const block = text.split('\n\n')[1]!.split('\n').slice(1, 6);
    const completeColumn = block.map((line) => line.search(/(complete|yes|no)$/));
    expect(new Set(completeColumn).size).toBe(1);
  });
});

describe('coverage as an HTML page', () => {
  const html = renderCoverageHtml(report);

  it('is one German page without script or external resource', () => {
    expect(html.startsWith('<!doctype html>\n<html lang="de">')).toBe(true);
    expect(html).not.toMatch(/<script|\son\w+=|javascript:|<link|src=|style="/i);
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toContain('<title>Online-Abdeckung der Anträge – Stand: 1. Dezember 2026 um 14:05</title>');
  });

  it('has tables with captions and header cells with scope, English marked as English', () => {
    expect(html.match(/<table>/g)).toHaveLength(4); // the overview, one per form × tenant, the tenant's authorities
    expect(html.match(/<caption id="[^"]+">/g)).toHaveLength(4);
    expect(html).toContain('<th scope="col">Kreis <span class="en" lang="en">District</span></th>');
    expect(html).toContain('<th scope="row">Landkreis Nord <span class="key">(15001)</span></th>');
    expect(html).toContain('Abdeckung nach Kreisen: Antrag A, Testland <span class="en" lang="en">Coverage by district: Application A, Testland (en)</span>');
  });

  it('writes every share as text beside its bar and sizes the bars by class', () => {
    expect(html).toContain('5 von 8<br><span class="bar" aria-hidden="true"><span class="fill w62"></span></span>62,5\u202F%');
    expect(html).toContain('6.500 von 18.700');
    expect(html).toMatch(/\.w62\{width:62%\}/);
    expect(html).toContain('Einwohnerzahl unbekannt für 1 von 8 Gemeinden');
  });

  it('lists the missing municipalities per district, escaped', () => {
    expect(html).toContain('<summary>Landkreis &quot;Süd&quot;, Test (15002): fehlende Gemeinden: 2</summary>');
    expect(html).toContain('<li>Gau &quot;Alt&quot;, &lt;b&gt;&amp;Co&lt;/b&gt; <span class="key">(150020003003)</span></li>');
    expect(html).not.toContain('<b>&Co');
  });

  it('says so when nothing was selected', () => {
    expect(renderCoverageHtml({ generatedAt: NOW.toISOString(), items: [], deliveriesKnown: false, authorities: [] })).toContain('Kein Antrag und kein Land ausgewählt.');
  });
});

/**
 * Rollout states (issue 12): the same tenant, with Hafenstadt's own authority planned (with a
 * date), Föhr's testing and the Nord district paused for form-a. Only live routes are online;
 * the others are counted apart, per state, and named among the missing with their state.
 */
describe('coverage with rollout states', () => {
  const staged: Tenant = {
    ...tenant,
    authorities: [
      authority('landratsamt-nord', [{ forms: ['form-a'], regions: [NORTH], rollout: 'paused' }, { forms: ['form-b'], regions: [NORTH] }]),
      authority('landratsamt-sued', [{ forms: ['form-a'], regions: [SOUTH] }]),
      authority('stadt-emden', [{ forms: ['form-a', 'form-b'], regions: ['150020001001'] }]),
      authority('gemeinde-foehr', [{ forms: ['form-a'], regions: ['150020001002'], rollout: 'testing' }]),
      authority('hafenstadt', [{ forms: ['form-a'], regions: ['150030000000'], rollout: 'planned', plannedFrom: '2027-03-01' }]),
    ],
  };
  const stagedRouting = buildRoutingTable([{ file: 'testland.json', tenant: staged }], new Set(forms.map((f) => f.id)));
  const item = computeCoverage({ routing: stagedRouting, forms, formId: 'form-a', now: NOW }).items[0]!;

  it('counts only live routes as online and the planned, testing and paused ones apart', () => {
    // Live: Emden and Gau "Alt" (South), nothing else.
    expect(item.state.municipalities).toEqual({ total: 8, online: 2, percent: 25 });
    expect(item.state.inhabitants.online).toBe(3700);
    expect(item.state.notLive).toEqual({
      planned: { municipalities: 1, inhabitants: 10000 },
      testing: { municipalities: 1, inhabitants: 1500 },
      paused: { municipalities: 4, inhabitants: 3500 },
    });
    const [north, south, city] = item.districts as [DistrictCoverage, DistrictCoverage, DistrictCoverage];
    expect(north.notLive.paused).toEqual({ municipalities: 4, inhabitants: 3500 });
    expect(north.municipalities.online).toBe(0);
    expect(south.notLive.testing).toEqual({ municipalities: 1, inhabitants: 1500 });
    expect(city.complete).toBe(false);
  });

  it('names the missing municipalities with the state of their route', () => {
    expect(item.districts[2]!.missing).toEqual([{ ars: '150030000000', name: 'Hafenstadt', rollout: 'planned', plannedFrom: '2027-03-01' }]);
    expect(item.districts[1]!.missing).toEqual([{ ars: '150020001002', name: 'Föhr', rollout: 'testing' }]);
    expect(item.districts[0]!.missing.map((m) => m.rollout)).toEqual(['paused', 'paused', 'paused', 'paused']);
  });

  it('a municipality nobody is responsible for is missing without a state', () => {
    const none = computeCoverage({ routing, forms, formId: 'form-a', now: NOW }).items[0]!;
    expect(none.districts[2]!.missing).toEqual([{ ars: '150030000000', name: 'Hafenstadt' }]);
  });

  it('shows the states in CSV, the terminal table and the HTML page', () => {
    const report = { generatedAt: NOW.toISOString(), items: [item], deliveriesKnown: false, authorities: [] };
    const rows = parseCsv(renderCoverageCsv(report));
    const state = Object.fromEntries(COVERAGE_CSV_COLUMNS.map((c, i) => [c, rows[1]![i]]));
    expect(state).toMatchObject({
      level: 'state', municipalities_online: '2', planned_municipalities: '1', planned_inhabitants: '10000',
      testing_municipalities: '1', testing_inhabitants: '1500', paused_municipalities: '4', paused_inhabitants: '3500',
    });
    const text = renderCoverageTable(report);
    expect(text).toContain('15003 (1): Hafenstadt 150030000000 (planned from 2027-03-01)');
    expect(text).toContain('not live yet (an authority is responsible, its route is planned, testing or paused):');
    expect(text).toContain('  state 15: planned 1 (10.000 inhabitants), testing 1 (1.500 inhabitants), paused 4 (3.500 inhabitants)');
    expect(text).toContain('  15001 Landkreis Nord: paused 4 (3.500 inhabitants)');
    const html = renderCoverageHtml(report);
    expect(html).toContain('<th scope="col">Noch nicht live <span class="en" lang="en">Not live yet</span></th>');
    expect(html).toContain('<td>pausiert: 4 Gemeinden, 3.500 Einwohner</td>');
    expect(html).toContain('<li>Hafenstadt <span class="key">(150030000000)</span> – geplant ab 1. März 2027</li>');
    expect(html).toContain('<li>Föhr <span class="key">(150020001002)</span> – im Test</li>');
  });
});
