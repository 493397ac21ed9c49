import { loadFormRegistry, type FormRegistry } from '../../src/forms/form-registry';
import { createDestinationFinder } from '../../src/routing-api/destinations';
import { routeOf } from '../../src/routing-api/routes';
import { buildRoutingTable } from '../../src/routing/routing-table';
import type { LocalParameters, Tenant } from '../../src/routing/tenant';
import { loadRoutingApiSchemas } from '../support/routing-api-schemas';
import { SAMPLE_FORMS } from '../support/test-setup';

/**
 * The Routing API's part of issue 12: only `live` responsibilities give routes (and are signed
 * for), and a route carries its responsibility's local parameters in FIT-Connect's members,
 * checked against the `route` schema of FIT-Connect's own description.
 */

const schemas = loadRoutingApiSchemas();
const validRoute = schemas?.validator('route');

function expectFitConnectRoute(route: unknown): void {
  if (!validRoute) return; // a user's clone without ../shared/data; under CI its absence fails
  const valid = validRoute(route);
  expect(valid ? [] : validRoute.errors).toEqual([]);
}

const HUNDESTEUER = 'hundesteuer-anmeldung';
const GEWERBE = 'gewerbeanmeldung';
const email = { type: 'email' } as const;

const ADDRESS = { street: 'Ritterstraße', houseNumber: '14', additional: 'Haus B', zip: '99310', city: 'Arnstadt' };
/** The district's dog tax entry: everything but the address, which the authority gives. */
const KREIS: LocalParameters = {
  fee: { amountCents: 9000, currency: 'EUR', purpose: { de: 'Hundesteuer je Hund und Jahr', en: 'Dog tax per dog and year' } },
  legalBasis: { de: 'Hundesteuersatzung <Kreis> & § 3 "Steuersatz"', en: "The district's dog tax statute" },
  processingDuration: { min: 1, max: 3, unit: 'week' },
  requiredDocuments: [{ de: 'Haftpflicht-Nachweis', en: 'Proof of liability insurance' }, { de: 'Chip-Nummer <15 Ziffern>' }],
  furtherInformation: { de: 'Die Steuermarke kommt per Post.' },
  contactPersons: [{ name: 'Erika Muster', role: { de: 'Hundesteuer' }, tel: '+49 3628 738-0', fax: '03628 738-999', email: 'hundesteuer@kreis.example' }, { name: 'Max Beispiel' }],
};

const tenant: Tenant = {
  id: 'thueringen',
  name: { de: 'Thüringen' },
  regions: ['16'],
  links: { imprintUrl: 'https://example.org/impressum', privacyUrl: 'https://example.org/datenschutz', accessibilityUrl: 'https://example.org/barrierefreiheit' },
  municipalities: [],
  authorities: [
    // The authority's address holds for both entries; the second entry sets its own fee.
    {
      id: 'kreis', name: 'Landratsamt', email: 'kreis@example.org', delivery: email,
      parameters: { address: ADDRESS, fee: { amountCents: 1, currency: 'EUR', purpose: { de: 'Authority default' } } },
      serves: [
        { forms: [HUNDESTEUER], regions: ['16070'], parameters: KREIS },
        { forms: [GEWERBE], regions: ['16070'], rollout: 'live', parameters: { fee: { amountCents: 2600, currency: 'EUR', purpose: { de: 'Gewerbeanmeldung' } } } },
      ],
    },
    { id: 'stadt-planned', name: 'Stadt Ilmenau', email: 'stadt@example.org', delivery: email, serves: [{ forms: [HUNDESTEUER], regions: ['160700029029'], rollout: 'planned', plannedFrom: '2027-01-01' }] },
    { id: 'stadt-live', name: 'Stadt Arnstadt', email: 'arnstadt@example.org', delivery: email, serves: [{ forms: [HUNDESTEUER], regions: ['160700004004'] }] },
    { id: 'stadt-testing', name: 'Stadt Plaue', email: 'plaue@example.org', delivery: email, serves: [{ forms: [HUNDESTEUER], regions: ['160700046046'], rollout: 'testing' }] },
    { id: 'stadt-paused', name: 'Stadt Gehren', email: 'gehren@example.org', delivery: email, serves: [{ forms: [HUNDESTEUER], regions: ['160700016016'], rollout: 'paused' }] },
    { id: 'land-testing', name: 'Landesverwaltungsamt', email: 'land@example.org', delivery: email, serves: [{ forms: [GEWERBE], regions: ['16'], rollout: 'testing' }] },
  ],
};

describe('Routing API: live routes only, with their local parameters', () => {
  let forms: FormRegistry;
  beforeAll(async () => {
    forms = await loadFormRegistry(SAMPLE_FORMS);
  });
  const finder = () => createDestinationFinder(buildRoutingTable([{ file: 'thueringen.json', tenant }], new Set(forms.ids())), forms);
  const key = (formId: string) => forms.get(formId)!.definition.serviceKey;
  const found = (formId: string, area: string) => finder().find(key(formId), area).map((d) => d.authority.id);

  test('planned, testing and paused responsibilities give no route, and a shorter live one does not stand in for them', () => {
    expect(found(HUNDESTEUER, '16070')).toEqual(['kreis', 'stadt-live']);
    expect(found(HUNDESTEUER, '160700004004')).toEqual(['stadt-live']);
    for (const ars of ['160700029029', '160700046046', '160700016016']) expect({ ars, found: found(HUNDESTEUER, ars) }).toEqual({ ars, found: [] });
    // A municipality the district serves (no responsibility of its own) still gets the district.
    expect(found(HUNDESTEUER, '160700001001')).toEqual(['kreis']);
    // The Land's own responsibility is testing: the Land as a whole has none; the live district inside it does.
    expect(found(GEWERBE, '16')).toEqual(['kreis']);
    expect(found(GEWERBE, '160610000000')).toEqual([]);
  });

  test('only live regions are signed for', () => {
    expect(finder().regionsOf('stadt-planned', key(HUNDESTEUER))).toEqual([]);
    expect(finder().regionsOf('land-testing', key(GEWERBE))).toEqual([]);
    expect(finder().regionsOf('kreis', key(HUNDESTEUER))).toEqual(['16070']);
  });

  test("a route fills FIT-Connect's members from the effective parameters, texts escaped as HTML", () => {
    const [destination] = finder().find(key(HUNDESTEUER), '160700001001');
    const route = routeOf(destination!, 'a.b.c');
    expect(route).toEqual({
      destinationId: destination!.destinationId,
      destinationSignature: 'a.b.c',
      destinationName: 'Landratsamt',
      contactPersons: [{ name: 'Erika Muster', tel: '+49 3628 738-0', fax: '03628 738-999', email: 'hundesteuer@kreis.example' }, { name: 'Max Beispiel' }],
      imprintUrl: 'https://example.org/impressum',
      privacyPolicyUrl: 'https://example.org/datenschutz',
      accessibilityUrl: 'https://example.org/barrierefreiheit',
      legalBasis: { description: { de: '<p>Hundesteuersatzung &lt;Kreis&gt; &amp; § 3 &quot;Steuersatz&quot;</p>', en: '<p>The district&#39;s dog tax statute</p>' } },
      processingDuration: { minDuration: 1, maxDuration: 3, unit: 'week' },
      requiredDocuments: { description: { de: '<ul><li>Haftpflicht-Nachweis</li><li>Chip-Nummer &lt;15 Ziffern&gt;</li></ul>', en: '<ul><li>Proof of liability insurance</li><li>Chip-Nummer &lt;15 Ziffern&gt;</li></ul>' } },
      furtherInformation: { description: { de: '<p>Die Steuermarke kommt per Post.</p>' } },
      // The authority's address: the entry does not set one.
      address: { street: 'Ritterstraße', houseNumber: '14', additional: 'Haus B', zip: '99310', city: 'Arnstadt' },
      customParameters: {
        authorityId: 'kreis', tenantId: 'thueringen', formIds: [HUNDESTEUER],
        fee: { amountCents: 9000, currency: 'EUR', purpose: { de: 'Hundesteuer je Hund und Jahr', en: 'Dog tax per dog and year' } },
      },
      origin: 'efa-forms',
    });
    expectFitConnectRoute(route);
    // The schema is in force: it refuses a unit FIT-Connect does not know.
    if (validRoute) expect(validRoute({ ...route, processingDuration: { minDuration: 1, maxDuration: 3, unit: 'fortnight' } })).toBe(false);
  });

  test("another entry of the same authority carries its own fee and the authority's address; no parameters, no members", () => {
    const [kreis] = finder().find(key(GEWERBE), '160700001001');
    const route = routeOf(kreis!, 'a.b.c');
    expect(route.customParameters.fee).toEqual({ amountCents: 2600, currency: 'EUR', purpose: { de: 'Gewerbeanmeldung' } });
    expect(route.address).toEqual(ADDRESS);
    expect(route.contactPersons).toEqual([{ name: 'Landratsamt', email: 'kreis@example.org' }]);
    expect(route).not.toHaveProperty('legalBasis');
    expectFitConnectRoute(route);
    const [arnstadt] = finder().find(key(HUNDESTEUER), '160700004004');
    const plain = routeOf(arnstadt!, 'a.b.c');
    for (const member of ['legalBasis', 'processingDuration', 'requiredDocuments', 'furtherInformation', 'address']) expect(plain).not.toHaveProperty(member);
    expect(plain.customParameters).toEqual({ authorityId: 'stadt-live', tenantId: 'thueringen', formIds: [HUNDESTEUER] });
    expectFitConnectRoute(plain);
  });

  test('in a larger area a destination carries the parameters of the responsibility that placed it', () => {
    const [kreis] = finder().find(key(HUNDESTEUER), '16070');
    expect(kreis!.parameters.fee?.amountCents).toBe(9000);
  });
});
