import { buildRoutingTable, type TenantSource } from '../../src/routing/routing-table';
import { checkTenantJson } from '../../src/routing/load-tenants';
import type { Authority, Tenant } from '../../src/routing/tenant';
import { StartupError } from '../../src/startup-error';

function authority(id: string, serves: Authority['serves']): Authority {
  return { id, name: id, email: `${id}@example.org`, delivery: { type: 'http', url: `http://127.0.0.1:9/${id}`, secretEnv: 'S' }, serves };
}

function tenant(id: string, regions: string[], authorities: Authority[]): TenantSource {
  const t: Tenant = { id, name: { de: id }, regions, links: { imprintUrl: 'https://x.example/i', privacyUrl: 'https://x.example/p', accessibilityUrl: 'https://x.example/a' }, municipalities: [], authorities };
  return { file: `tenants/${id}.json`, tenant: t };
}

const FORMS = new Set(['hund', 'gewerbe', 'parken']);

describe('routing table', () => {
  const table = buildRoutingTable(
    [
      tenant('th', ['16'], [
        authority('ilm-kreis', [{ forms: ['hund', 'gewerbe'], regions: ['16070'] }]),
        authority('ilmenau', [{ forms: ['hund'], regions: ['160700029029'] }]),
        authority('land', [{ forms: ['gewerbe'], regions: ['16'] }]),
      ]),
      tenant('sn', ['14'], [authority('dresden', [{ forms: ['hund', 'parken'], regions: ['146120000000'] }])]),
    ],
    FORMS,
  );

  test.each([
    ['hund', '160700029029', 'ilmenau', '160700029029'],
    ['hund', '160700004004', 'ilm-kreis', '16070'],
    ['gewerbe', '160700029029', 'ilm-kreis', '16070'],
    ['gewerbe', '160510000000', 'land', '16'],
    ['parken', '146120000000', 'dresden', '146120000000'],
  ])('%s in %s goes to %s (prefix %s): the longest prefix wins', (form, ars, expected, prefix) => {
    const match = table.resolve(form, ars);
    expect(match?.authority.id).toBe(expected);
    expect(match?.prefix).toBe(prefix);
  });

  test.each([
    ['parken', '160510000000'],
    ['hund', '160510000000'],
    ['hund', '031010000000'],
    ['unbekannt', '160700029029'],
  ])('%s in %s has no authority', (form, ars) => {
    expect(table.resolve(form, ars)).toBeUndefined();
  });

  test('authorities are found by id with their tenant', () => {
    expect(table.authority('dresden')?.tenant.id).toBe('sn');
    expect(table.authority('nobody')).toBeUndefined();
  });

  const problems = (sources: TenantSource[]): string[] => {
    try {
      buildRoutingTable(sources, FORMS);
    } catch (err) {
      if (err instanceof StartupError) return [...err.problems];
      throw err;
    }
    return [];
  };

  test('overlapping tenant regions are refused, naming both places', () => {
    expect(problems([tenant('a', ['16'], []), tenant('b', ['1605'], [])])).toEqual([
      'tenants/b.json: /regions/0: region "1605" overlaps region "16" at tenants/a.json: /regions/0',
    ]);
  });

  test('an authority id used twice is refused', () => {
    expect(problems([tenant('a', ['16'], [authority('x', [{ forms: ['hund'], regions: ['16'] }])]), tenant('b', ['14'], [authority('x', [{ forms: ['gewerbe'], regions: ['14'] }])])])).toEqual([
      'tenants/b.json: /authorities/0/id: authority id "x" is also used at tenants/a.json: /authorities/0/id',
    ]);
  });

  test('two authorities for the same form and prefix are refused with both places', () => {
    expect(problems([tenant('a', ['16'], [
      authority('x', [{ forms: ['hund'], regions: ['16051'] }]),
      authority('y', [{ forms: ['gewerbe'], regions: ['16'] }, { forms: ['hund'], regions: ['16051'] }]),
    ])])).toEqual([
      'tenants/a.json: /authorities/1/serves/1/regions/0: authority "y" and authority "x" (tenants/a.json: /authorities/0/serves/0/regions/0) both serve form "hund" for region "16051"',
    ]);
  });

  test('the same prefix for different forms is fine', () => {
    expect(problems([tenant('a', ['16'], [authority('x', [{ forms: ['hund'], regions: ['16'] }]), authority('y', [{ forms: ['gewerbe'], regions: ['16'] }])])])).toEqual([]);
  });

  test('serving outside the tenant, municipalities outside it and unknown forms are refused', () => {
    const t = tenant('a', ['16'], [authority('x', [{ forms: ['hund', 'katze'], regions: ['15'] }])]);
    const withMunicipality: TenantSource = { ...t, tenant: { ...t.tenant, municipalities: [{ ars: '150010000000', name: 'X', postalCodes: [] }] } };
    expect(problems([withMunicipality])).toEqual([
      'tenants/a.json: /municipalities/0/ars: "150010000000" lies outside the tenant\'s regions',
      'tenants/a.json: /authorities/0/serves/0/regions/0: "15" lies outside the tenant\'s regions (16)',
      'tenants/a.json: /authorities/0/serves/0/forms/1: form "katze" is not loaded from FORMS_DIR',
    ]);
  });
});

/** Rollout states and local parameters (issue 12): what the schema and the table refuse, and what resolve says. */
describe('rollout states and local parameters in tenant files', () => {
  const valid = (serves: unknown[], extra: Record<string, unknown> = {}) => ({
    id: 'th', name: { de: 'Thüringen' }, regions: ['16'],
    links: { imprintUrl: 'https://x.example/i', privacyUrl: 'https://x.example/p', accessibilityUrl: 'https://x.example/a' },
    municipalities: [], authorities: [{ id: 'erfurt', name: 'Erfurt', email: 'erfurt@example.org', delivery: { type: 'email' }, serves, ...extra }],
  });
  const schemaProblems = (raw: unknown): readonly string[] => {
    const checked = checkTenantJson('tenants/th.json', raw);
    return 'problems' in checked ? checked.problems : [];
  };
  const tableProblems = (raw: unknown): string[] => {
    const checked = checkTenantJson('tenants/th.json', raw);
    if ('problems' in checked) throw new Error(`schema refused: ${checked.problems.join('; ')}`);
    try {
      buildRoutingTable([{ file: 'tenants/th.json', tenant: checked.tenant }], FORMS);
      return [];
    } catch (err) {
      if (err instanceof StartupError) return [...err.problems];
      throw err;
    }
  };

  test('the schema accepts every rollout state, a planned date and full parameters', () => {
    expect(schemaProblems(valid([
      { forms: ['hund'], regions: ['160510000000'], rollout: 'planned', plannedFrom: '2027-03-01' },
      { forms: ['hund'], regions: ['160530000000'], rollout: 'testing' },
      { forms: ['hund'], regions: ['160520000000'], rollout: 'paused' },
      {
        forms: ['hund'], regions: ['160550000000'], rollout: 'live',
        parameters: {
          fee: { amountCents: 9600, currency: 'EUR', purpose: { de: 'Hundesteuer' } },
          legalBasis: { de: 'Hundesteuersatzung' }, processingDuration: { min: 1, max: 2, unit: 'week' },
          requiredDocuments: [{ de: 'Versicherungsnachweis', en: 'Proof of insurance' }], furtherInformation: { de: 'Mehr' },
          contactPersons: [{ name: 'Frau Beispiel', tel: '0361 655-0', email: 'x@example.org' }],
          address: { street: 'Fischmarkt', houseNumber: '1', zip: '99084', city: 'Erfurt' },
        },
      },
    ]))).toEqual([]);
  });

  test.each([
    ['an unknown rollout state', valid([{ forms: ['hund'], regions: ['16051'], rollout: 'soon' }]), '/authorities/0/serves/0/rollout'],
    ['a planned date that is no date', valid([{ forms: ['hund'], regions: ['16051'], rollout: 'planned', plannedFrom: 'März 2027' }]), '/authorities/0/serves/0/plannedFrom'],
    ['a fee in another currency', valid([{ forms: ['hund'], regions: ['16051'], parameters: { fee: { amountCents: 100, currency: 'USD', purpose: { de: 'x' } } } }]), '/authorities/0/serves/0/parameters/fee/currency'],
    ['an unknown duration unit', valid([{ forms: ['hund'], regions: ['16051'], parameters: { processingDuration: { min: 1, max: 2, unit: 'fortnight' } } }]), '/authorities/0/serves/0/parameters/processingDuration/unit'],
    ['empty parameters', valid([{ forms: ['hund'], regions: ['16051'] }], { parameters: {} }), '/authorities/0/parameters'],
  ])('the schema refuses %s', (_name, raw, pointer) => {
    expect(schemaProblems(raw)).toEqual([expect.stringContaining(`tenants/th.json: ${pointer}: `)]);
  });

  test('plannedFrom without rollout "planned" and a processing time with min > max stop the table, naming the place', () => {
    expect(tableProblems(valid([
      { forms: ['hund'], regions: ['16051'], rollout: 'testing', plannedFrom: '2027-03-01' },
      { forms: ['gewerbe'], regions: ['16051'], plannedFrom: '2027-03-01' },
      { forms: ['parken'], regions: ['16051'], parameters: { processingDuration: { min: 10, max: 5, unit: 'day' } } },
    ]))).toEqual([
      'tenants/th.json: /authorities/0/serves/0/plannedFrom: is only meaningful with rollout "planned" (this entry is "testing")',
      'tenants/th.json: /authorities/0/serves/1/plannedFrom: is only meaningful with rollout "planned" (this entry is "live")',
      'tenants/th.json: /authorities/0/serves/2/parameters/processingDuration: min (10) is greater than max (5)',
    ]);
    // The authority's own processing time is checked for each entry it holds for (and named once per entry).
    expect(tableProblems(valid([{ forms: ['hund'], regions: ['16051'] }], { parameters: { processingDuration: { min: 3, max: 1, unit: 'week' } } })))
      .toEqual(['tenants/th.json: /authorities/0/parameters/processingDuration: min (3) is greater than max (1)']);
  });

  test('resolve names the longest prefix whatever its state, with the effective parameters', () => {
    const checked = checkTenantJson('tenants/th.json', valid([
      { forms: ['hund'], regions: ['16051'], parameters: { fee: { amountCents: 100, currency: 'EUR', purpose: { de: 'Kreis' } } } },
      { forms: ['hund'], regions: ['160510000000'], rollout: 'planned', plannedFrom: '2027-03-01', parameters: { legalBasis: { de: 'Satzung' } } },
    ], { parameters: { address: { street: 'Fischmarkt', zip: '99084', city: 'Erfurt' } } }));
    if ('problems' in checked) throw new Error(checked.problems.join('; '));
    const table = buildRoutingTable([{ file: 'tenants/th.json', tenant: checked.tenant }], FORMS);
    const planned = table.resolve('hund', '160510000000');
    expect(planned).toMatchObject({ prefix: '160510000000', rollout: 'planned', responsibility: { plannedFrom: '2027-03-01' } });
    expect(planned?.parameters).toEqual({ address: { street: 'Fischmarkt', zip: '99084', city: 'Erfurt' }, legalBasis: { de: 'Satzung' } });
    expect(table.resolve('hund', '160510000001')).toMatchObject({ prefix: '16051', rollout: 'live', parameters: { fee: { amountCents: 100 } } });
  });
});
