import { buildRoutingTable, type TenantSource } from '../../src/routing/routing-table';
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
