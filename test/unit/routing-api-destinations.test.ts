import { loadFormRegistry, type FormRegistry } from '../../src/forms/form-registry';
import { destinationIdOf, uuidV5 } from '../../src/routing-api/destination-id';
import { createDestinationFinder } from '../../src/routing-api/destinations';
import { addressingClaims, DEVELOPMENT_ISSUER } from '../../src/routing-api/route-signing';
import { routeOf } from '../../src/routing-api/routes';
import { buildRoutingTable } from '../../src/routing/routing-table';
import type { Tenant } from '../../src/routing/tenant';
import { SAMPLE_FORMS } from '../support/test-setup';

describe('destinationId', () => {
  test('is a version 5 UUID as RFC 9562 computes it (its example: www.example.com in the DNS namespace)', () => {
    expect(uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  test('is derived from tenant and authority id, and never changes (portals keep it)', () => {
    // Python: uuid.uuid5(uuid.UUID('f8edb51d-ff83-4904-9ecf-e2d4bd91d72e'), 'thueringen/stadt-erfurt')
    expect(destinationIdOf('thueringen', 'stadt-erfurt')).toBe('f7443f8f-1a42-5dbd-9072-48945d63a514');
    expect(destinationIdOf('thueringen', 'stadt-jena')).not.toBe(destinationIdOf('thueringen', 'stadt-erfurt'));
    expect(destinationIdOf('sachsen-anhalt', 'stadt-erfurt')).not.toBe(destinationIdOf('thueringen', 'stadt-erfurt'));
  });
});

describe('addressing claims', () => {
  const info = { destinationId: 'f7443f8f-1a42-5dbd-9072-48945d63a514', serviceKey: '99036011012000', regions: ['16051', '160530000000'] };

  test('name regions and service as FIT-Connect does, with the submission host of PUBLIC_BASE_URL', () => {
    expect(addressingClaims(info, 'https://antrag.example.de', 1_700_000_000, 'j')).toEqual({
      iss: 'https://antrag.example.de',
      submissionHost: 'antrag.example.de',
      services: [{
        gebietIDs: ['urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:rs:16051', 'urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:rs:160530000000'],
        leistungIDs: ['urn:de:fim:leika:leistung:99036011012000'],
      }],
      destinationId: info.destinationId,
      iat: 1_700_000_000,
      jti: 'j',
    });
  });

  test('have no submission host without PUBLIC_BASE_URL', () => {
    expect(addressingClaims(info, DEVELOPMENT_ISSUER, 1, 'j')).not.toHaveProperty('submissionHost');
  });
});

const email = { type: 'email' } as const;
const tenant: Tenant = {
  id: 'thueringen',
  name: { de: 'Thüringen' },
  regions: ['16'],
  links: { imprintUrl: 'https://example.org/impressum', privacyUrl: 'http://example.org/datenschutz', accessibilityUrl: 'https://example.org/barrierefreiheit' },
  municipalities: [],
  authorities: [
    { id: 'land', name: 'Landesverwaltungsamt', email: 'land@example.org', delivery: email, serves: [{ forms: ['gewerbeanmeldung'], regions: ['16'] }] },
    { id: 'kreis', name: 'Landratsamt', email: 'kreis@example.org', delivery: email, serves: [{ forms: ['hundesteuer-anmeldung', 'gewerbeanmeldung'], regions: ['16070'] }] },
    { id: 'stadt', name: 'Stadt', email: 'stadt@example.org', delivery: email, serves: [{ forms: ['hundesteuer-anmeldung'], regions: ['160700029029', '160700004004'] }] },
  ],
};

describe('the destinations of a service in an area', () => {
  let forms: FormRegistry;
  beforeAll(async () => {
    forms = await loadFormRegistry(SAMPLE_FORMS);
  });
  const finder = () => createDestinationFinder(buildRoutingTable([{ file: 'thueringen.json', tenant }], new Set(forms.ids())), forms);
  const key = (formId: string) => forms.get(formId)!.definition.serviceKey;
  const found = (formId: string, area: string) => finder().find(key(formId), area).map((d) => `${d.authority.id} ${d.formIds.join(',')}`);

  test('the one for the area as a whole first, then those for regions inside it', () => {
    expect(found('hundesteuer-anmeldung', '16070')).toEqual(['kreis hundesteuer-anmeldung', 'stadt hundesteuer-anmeldung']);
    expect(found('gewerbeanmeldung', '16')).toEqual(['land gewerbeanmeldung', 'kreis gewerbeanmeldung']);
    expect(found('gewerbeanmeldung', '160700029029')).toEqual(['kreis gewerbeanmeldung']);
    expect(found('hundesteuer-anmeldung', '160700029029')).toEqual(['stadt hundesteuer-anmeldung']);
    expect(found('hundesteuer-anmeldung', '160510000000')).toEqual([]);
    expect(finder().find('99000000000000', '16')).toEqual([]);
  });

  test('signed regions are all the authority serves the service for', () => {
    expect(finder().regionsOf('stadt', key('hundesteuer-anmeldung'))).toEqual(['160700004004', '160700029029']);
    expect(finder().regionsOf('stadt', key('gewerbeanmeldung'))).toEqual([]);
  });

  test('a route has what the tenant file knows, and only https links', () => {
    const [destination] = finder().find(key('gewerbeanmeldung'), '16');
    expect(routeOf(destination!, 'a.b.c')).toEqual({
      destinationId: destinationIdOf('thueringen', 'land'),
      destinationSignature: 'a.b.c',
      destinationName: 'Landesverwaltungsamt',
      contactPersons: [{ name: 'Landesverwaltungsamt', email: 'land@example.org' }],
      imprintUrl: 'https://example.org/impressum',
      accessibilityUrl: 'https://example.org/barrierefreiheit',
      customParameters: { authorityId: 'land', tenantId: 'thueringen', formIds: ['gewerbeanmeldung'] },
      origin: 'efa-forms',
    });
  });
});
