import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { compactVerify, createLocalJWKSet, type JSONWebKeySet } from 'jose';
import request from 'supertest';
import type { Container } from '../../src/container';
import type { Tenant } from '../../src/routing/tenant';
import { loadRoutingApiSchemas } from '../support/routing-api-schemas';
import { testRoutingSigningKeyFile } from '../support/routing-signing-key';
import { validTenant } from '../support/start-with-samples';
import { buildContainer, SAMPLE_FORMS } from '../support/test-setup';
import { tempDir } from '../support/temp-dir';

/**
 * /api/routes over HTTP with rollout states and local parameters in a tenant file (issue 12):
 * only live responsibilities answer, each route carries its parameters in FIT-Connect's members,
 * and every answer is valid against FIT-Connect's own `route-result` schema.
 */

const schemas = loadRoutingApiSchemas();
const validators = schemas && { routes: schemas.validator('route-result'), areas: schemas.validator('area-result') };

function expectValid(schema: 'routes' | 'areas', body: unknown): void {
  if (!validators) return; // a user's clone without ../shared/data; under CI its absence fails
  const validate = validators[schema];
  expect(validate(body) ? [] : validate.errors).toEqual([]);
}

const HUNDESTEUER = 'hundesteuer-anmeldung';
const email = { type: 'email' } as const;
const sample = validTenant();
const tenant = {
  ...sample,
  id: 'thueringen',
  links: sample.links as Tenant['links'],
  regions: ['16'],
  municipalities: [
    { ars: '160510000000', name: 'Erfurt', postalCodes: ['99084'] },
    { ars: '160530000000', name: 'Jena', postalCodes: ['07743'] },
    { ars: '160550000000', name: 'Weimar', postalCodes: ['99423'] },
    { ars: '160560000000', name: 'Eisenach', postalCodes: ['99817'] },
  ],
  authorities: [
    {
      id: 'stadt-erfurt', name: 'Stadtverwaltung Erfurt', email: 'buergeramt@erfurt.example', delivery: email,
      parameters: { address: { street: 'Fischmarkt', houseNumber: '1', zip: '99084', city: 'Erfurt' } },
      serves: [{
        forms: [HUNDESTEUER], regions: ['160510000000'], rollout: 'live',
        parameters: {
          fee: { amountCents: 10800, currency: 'EUR', purpose: { de: 'Hundesteuer je Hund und Jahr', en: 'Dog tax per dog and year' } },
          legalBasis: { de: 'Hundesteuersatzung der Landeshauptstadt Erfurt' },
          processingDuration: { min: 5, max: 10, unit: 'workday' },
          requiredDocuments: [{ de: 'Nachweis der Haftpflichtversicherung & Chip-Nummer' }],
          furtherInformation: { de: 'Ermäßigung auf Antrag <formlos>.', en: 'Reductions on request.' },
          contactPersons: [{ name: 'Team Hundesteuer', tel: '0361 655-0', email: 'hundesteuer@erfurt.example' }],
        },
      }],
    },
    { id: 'stadt-jena', name: 'Stadtverwaltung Jena', email: 'jena@example.org', delivery: email, serves: [{ forms: [HUNDESTEUER], regions: ['160530000000'], rollout: 'planned', plannedFrom: '2027-03-01' }] },
    { id: 'stadt-weimar', name: 'Stadtverwaltung Weimar', email: 'weimar@example.org', delivery: email, serves: [{ forms: [HUNDESTEUER], regions: ['160550000000'], rollout: 'testing' }] },
    { id: 'stadt-eisenach', name: 'Stadtverwaltung Eisenach', email: 'eisenach@example.org', delivery: email, serves: [{ forms: [HUNDESTEUER], regions: ['160560000000'], rollout: 'paused' }] },
  ],
};

describe('/api/routes with rollout states and local parameters', () => {
  const dir = tempDir();
  let container: Container;
  let serviceKey: string;

  beforeAll(async () => {
    const tenants = path.join(dir.path, 'tenants');
    mkdirSync(tenants);
    writeFileSync(path.join(tenants, 'thueringen.json'), JSON.stringify(tenant));
    container = await buildContainer({
      FORMS_DIR: SAMPLE_FORMS, TENANTS_DIR: tenants, DATA_DIR: path.join(dir.path, 'data'),
      PUBLIC_BASE_URL: 'https://antrag.example.de', ROUTING_SIGNING_KEY_FILE: testRoutingSigningKeyFile(),
    });
    serviceKey = container.forms.get(HUNDESTEUER)!.definition.serviceKey;
  });
  afterAll(async () => {
    await container.close(1000);
    dir.remove();
  });

  async function routes(query: string) {
    const res = await request(container.app).get(`/api/routes?${query}`);
    expect({ query, status: res.status }).toEqual({ query, status: 200 });
    expectValid('routes', res.body);
    return res.body as { totalCount: number; routes: Array<Record<string, any>> };
  }

  test('a live responsibility: one route with every parameter in its member, valid for FIT-Connect', async () => {
    const [route, ...rest] = (await routes(`leikaKey=${serviceKey}&ars=160510000000`)).routes;
    expect(rest).toEqual([]);
    expect(route).toMatchObject({
      destinationName: 'Stadtverwaltung Erfurt',
      contactPersons: [{ name: 'Team Hundesteuer', tel: '0361 655-0', email: 'hundesteuer@erfurt.example' }],
      legalBasis: { description: { de: '<p>Hundesteuersatzung der Landeshauptstadt Erfurt</p>' } },
      processingDuration: { minDuration: 5, maxDuration: 10, unit: 'workday' },
      requiredDocuments: { description: { de: '<ul><li>Nachweis der Haftpflichtversicherung &amp; Chip-Nummer</li></ul>' } },
      furtherInformation: { description: { de: '<p>Ermäßigung auf Antrag &lt;formlos&gt;.</p>', en: '<p>Reductions on request.</p>' } },
      address: { street: 'Fischmarkt', houseNumber: '1', zip: '99084', city: 'Erfurt' },
      customParameters: {
        authorityId: 'stadt-erfurt', tenantId: 'thueringen', formIds: [HUNDESTEUER],
        fee: { amountCents: 10800, currency: 'EUR', purpose: { de: 'Hundesteuer je Hund und Jahr', en: 'Dog tax per dog and year' } },
      },
    });
    // The signature still names the destination and its region.
    const jwks = (await request(container.app).get('/.well-known/jwks.json')).body as JSONWebKeySet;
    const { payload } = await compactVerify(route!.destinationSignature as string, createLocalJWKSet(jwks), { algorithms: ['PS512'] });
    const claims = JSON.parse(new TextDecoder().decode(payload)) as { destinationId: string; services: Array<{ gebietIDs: string[] }> };
    expect(claims.destinationId).toBe(route!.destinationId);
    expect(claims.services[0]!.gebietIDs).toEqual(['urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:rs:160510000000']);
  });

  test.each([['planned', '160530000000', '16053000'], ['testing', '160550000000', '16055000'], ['paused', '160560000000', '16056000']])(
    'a %s responsibility answers as if unserved, by ARS, AGS and areaId',
    async (_state, ars, ags) => {
      for (const query of [`ars=${ars}`, `ags=${ags}`, `areaId=${ars}`]) {
        expect(await routes(`leikaKey=${serviceKey}&${query}`)).toEqual({ count: 0, offset: 0, totalCount: 0, routes: [] });
      }
    },
  );

  test('the Land lists the live authority only', async () => {
    const body = await routes(`leikaKey=${serviceKey}&ars=16`);
    expect(body.routes.map((r) => r.customParameters.authorityId)).toEqual(['stadt-erfurt']);
  });

  test('/api/areas still finds the areas whose service is not live: areas are places, not routes', async () => {
    const res = await request(container.app).get('/api/areas?areaSearchexpression=Jena');
    expect(res.status).toBe(200);
    expectValid('areas', res.body);
    expect(res.body.areas).toEqual([{ id: '160530000000', name: 'Jena', type: 'Gemeinde' }]);
  });
});
