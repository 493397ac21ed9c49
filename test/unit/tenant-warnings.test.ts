import { buildRoutingTable, type TenantSource } from '../../src/routing/routing-table';
import type { Authority, Tenant } from '../../src/routing/tenant';
import { tenantWarnings } from '../../src/routing/tenant-warnings';

/** The warnings of `efa-forms check`, on tenants written here, judged by the real routing table. */
const FORMS = ['hund', 'parken'];
const authority = (id: string, serves: Authority['serves']): Authority => ({
  id, name: id, email: `${id}@example.org`, delivery: { type: 'inbox', apiKeyHashEnv: 'KEY' }, serves,
});
const tenant = (authorities: Authority[], municipalities: Tenant['municipalities'] = [
  { ars: '160700004004', name: 'Arnstadt', postalCodes: [] },
  { ars: '160700029029', name: 'Ilmenau', postalCodes: [] },
  { ars: '160665050042', name: 'Meiningen', postalCodes: [] },
]): Tenant => ({
  id: 'land', name: { de: 'Land' }, regions: ['16'], links: { imprintUrl: 'https://x.example/i', privacyUrl: 'https://x.example/p', accessibilityUrl: 'https://x.example/a' },
  municipalities, authorities,
});
const warningsOf = (t: Tenant): string[] => {
  const sources: TenantSource[] = [{ file: 'land.json', tenant: t }];
  return tenantWarnings(sources, buildRoutingTable(sources, new Set(FORMS)), FORMS);
};

describe('tenantWarnings', () => {
  test('none when every authority is routed to and every municipality served', () => {
    expect(warningsOf(tenant([authority('kreis', [{ forms: ['hund'], regions: ['16070', '16066'] }])]))).toEqual([]);
  });

  test('an authority whose claims always lose to longer ones, and one whose region matches nothing', () => {
    expect(warningsOf(tenant([
      authority('kreis', [{ forms: ['hund'], regions: ['16070', '16066'] }]),
      authority('stadt', [{ forms: ['hund'], regions: ['160700029029'] }]),
      authority('vg', [{ forms: ['hund'], regions: ['160700029'] }]),
      authority('niemand', [{ forms: ['parken'], regions: ['16099'] }]),
    ]))).toEqual([
      'land.json: /authorities/2: authority "vg" is responsible for no municipality of the tenant, for any form (its regions match none, or longer prefixes of other authorities win)',
      'land.json: /authorities/3: authority "niemand" is responsible for no municipality of the tenant, for any form (its regions match none, or longer prefixes of other authorities win)',
      'land.json: /authorities/3/serves/0/regions/0: "16099" matches no municipality of the tenant',
    ]);
  });

  test('a municipality no authority serves for any form, and a 12-digit region that is no municipality', () => {
    expect(warningsOf(tenant([authority('kreis', [{ forms: ['hund', 'parken'], regions: ['16070', '160700004005'] }])]))).toEqual([
      'land.json: /authorities/0/serves/0/regions/1: "160700004005" has 12 digits but is not a municipality of the tenant',
      'land.json: /municipalities/2: Meiningen (160665050042) is served by no authority for any form',
    ]);
  });

  test('a tenant without municipalities gets one warning, not one per authority', () => {
    expect(warningsOf(tenant([authority('kreis', [{ forms: ['hund'], regions: ['16070'] }])], []))).toEqual([
      'land.json: /municipalities: the tenant lists no municipalities, so citizens cannot choose one (efa-forms import-municipalities sets them)',
    ]);
  });

  test('a municipality whose responsible routes are none of them live, with each state and planned date', () => {
    expect(warningsOf(tenant([
      authority('kreis', [{ forms: ['hund', 'parken'], regions: ['16070'] }]),
      authority('meiningen', [{ forms: ['hund'], regions: ['160665050042'], rollout: 'planned', plannedFrom: '2027-03-01' }, { forms: ['parken'], regions: ['160665050042'], rollout: 'paused' }]),
      // Ilmenau's own testing route wins over the live district for parking: still live for the dog tax, no warning.
      authority('ilmenau', [{ forms: ['parken'], regions: ['160700029029'], rollout: 'testing' }]),
    ]))).toEqual([
      'land.json: /municipalities/2: Meiningen (160665050042) can apply online for no form yet: hund planned from 2027-03-01 (meiningen), parken paused (meiningen)',
    ]);
  });

  test('with the current time: a planned date that has passed', () => {
    const t = tenant([
      authority('kreis', [{ forms: ['hund'], regions: ['16070', '16066'] }]),
      authority('arnstadt', [{ forms: ['parken'], regions: ['160700004004'], rollout: 'planned', plannedFrom: '2026-11-30' }, { forms: ['parken'], regions: ['160700029029'], rollout: 'planned', plannedFrom: '2026-12-01' }]),
    ]);
    const sources: TenantSource[] = [{ file: 'land.json', tenant: t }];
    const routing = buildRoutingTable(sources, new Set(FORMS));
    expect(tenantWarnings(sources, routing, FORMS, new Date('2026-12-01T10:00:00Z'))).toEqual([
      'land.json: /authorities/1/serves/0/plannedFrom: planned from 2026-11-30, which has passed; citizens are still told it is not yet online (set rollout to "testing" or "live", or a later date)',
    ]);
    // Without a time (as efa-forms check calls it today) the date is not judged.
    expect(tenantWarnings(sources, routing, FORMS)).toEqual([]);
  });
});
