import { statSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { calculateJwkThumbprint, compactVerify, createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet } from 'jose';
import request from 'supertest';
import type { Container } from '../../src/container';
import type { Tenant } from '../../src/routing/tenant';
import { destinationIdOf } from '../../src/routing-api/destination-id';
import { DEVELOPMENT_KEY_FILE } from '../../src/routing-api/signing-key';
import { loadRoutingApiSchemas, ROUTING_API_DESCRIPTION } from '../support/routing-api-schemas';
import { buildContainer, SAMPLE_FORMS } from '../support/test-setup';
import { validTenant } from '../support/start-with-samples';
import { tempDir } from '../support/temp-dir';

/**
 * The Routing API over HTTP, as a state portal calls it: every answer is checked against the
 * schemas of FIT-Connect's own description (../shared/data/fitko-routing-api-v2.yaml), and every
 * destinationSignature against the key the installation publishes at /.well-known/jwks.json.
 */

const schemas = loadRoutingApiSchemas();
const validators = schemas && {
  routes: schemas.validator('route-result'),
  areas: schemas.validator('area-result'),
  error: schemas.validator('error'),
  info: schemas.validator('info'),
  // FIT-Connect's keys are certified (x5c); ours is a plain RFC 7517 key without a chain, and
  // everything else its `jwk` schema asks for (RSA, 4096 bits, AQAB, PS512, kid length) holds.
  jwk: schemas.validator('jwk', (s) => ({ ...s, required: (s.required as string[]).filter((r) => r !== 'x5c') })),
};

/** Checks `body` against a FIT-Connect schema; without the shared folder (own clone) it cannot. */
function expectValid(schema: keyof NonNullable<typeof validators>, body: unknown): void {
  if (!validators) return;
  const validate = validators[schema];
  const valid = validate(body);
  expect({ schema, errors: valid ? [] : validate.errors }).toEqual({ schema, errors: [] });
}

if (validators) {
  test('the FIT-Connect schemas are in force: they refuse a route without signature, an area without type, a problem without status', () => {
    expect(validators.routes({ count: 1, offset: 0, totalCount: 1, routes: [{ destinationId: '3fa85f64-5717-4562-b3fc-2c963f66afa6' }] })).toBe(false);
    expect(validators.routes({ count: 501, offset: 0, totalCount: 501, routes: [] })).toBe(false);
    expect(validators.areas({ count: 1, offset: 0, totalCount: 1, areas: [{ id: '16', name: 'Thüringen' }] })).toBe(false);
    expect(validators.error({ type: 'about:blank', title: 'x' })).toBe(false);
  });
} else {
  // A missing description is a gap, not a pass: fail with the reason instead of skipping.
  test('the FIT-Connect Routing API description is there to validate against', () => {
    throw new Error(`validation against FIT-Connect's schemas needs ${ROUTING_API_DESCRIPTION} (absent here; see ../shared/data/README.md)`);
  });
}

const HUNDESTEUER = 'hundesteuer-anmeldung';
const GEWERBE = 'gewerbeanmeldung';
const email = { type: 'email' } as const;

/** A small tenant of our own, so the answers do not move when the samples grow. */
const sample = validTenant();
const tenant = {
  ...sample,
  id: 'thueringen',
  links: sample.links as Tenant['links'],
  regions: ['16'],
  municipalities: [
    { ars: '160510000000', name: 'Erfurt', postalCodes: ['99084', '99085'] },
    { ars: '160700004004', name: 'Arnstadt', postalCodes: ['99310'] },
    { ars: '160700029029', name: 'Ilmenau', postalCodes: ['98693', '98694'] },
    { ars: '160635006006', name: 'Berka v. d. Hainich', postalCodes: ['99826'] },
    { ars: '160635006003', name: 'Bischofroda', postalCodes: ['99826'] },
  ],
  authorities: [
    { id: 'stadt-erfurt', name: 'Stadtverwaltung Erfurt, Bürgeramt', email: 'buergeramt@erfurt.example', delivery: email, serves: [{ forms: [HUNDESTEUER, GEWERBE], regions: ['160510000000'] }] },
    { id: 'landratsamt-ilm-kreis', name: 'Landratsamt Ilm-Kreis', email: 'steuern@ilm-kreis.example', delivery: email, serves: [{ forms: [HUNDESTEUER, GEWERBE], regions: ['16070'] }] },
    { id: 'stadt-ilmenau', name: 'Stadtverwaltung Ilmenau', email: 'steuern@ilmenau.example', delivery: email, serves: [{ forms: [HUNDESTEUER], regions: ['160700029029'] }] },
    { id: 'vg-hainich-werratal', name: 'Verwaltungsgemeinschaft Hainich-Werratal', email: 'vg@hainich.example', delivery: email, serves: [{ forms: [HUNDESTEUER], regions: ['160635006'] }] },
  ],
};

interface RouteBody {
  destinationId: string;
  destinationSignature: string;
  destinationName: string;
  contactPersons: Array<{ name: string; email: string }>;
  imprintUrl?: string;
  privacyPolicyUrl?: string;
  accessibilityUrl?: string;
  customParameters: { authorityId: string; tenantId: string; formIds: string[] };
}

describe('Routing API (FIT-Connect v2 shape)', () => {
  const dir = tempDir();
  let container: Container;
  let serviceKey: string;
  let gewerbeKey: string;

  beforeAll(async () => {
    const tenants = path.join(dir.path, 'tenants');
    mkdirSync(tenants);
    writeFileSync(path.join(tenants, 'thueringen.json'), JSON.stringify(tenant));
    container = await buildContainer({ FORMS_DIR: SAMPLE_FORMS, TENANTS_DIR: tenants, DATA_DIR: path.join(dir.path, 'data'), PUBLIC_BASE_URL: 'https://antrag.example.de' });
    serviceKey = container.forms.get(HUNDESTEUER)!.definition.serviceKey;
    gewerbeKey = container.forms.get(GEWERBE)!.definition.serviceKey;
  });
  afterAll(async () => {
    await container.close(1000);
    dir.remove();
  });

  const get = (url: string) => request(container.app).get(url);

  async function routes(query: string): Promise<{ count: number; offset: number; totalCount: number; routes: RouteBody[] }> {
    const res = await get(`/api/routes?${query}`);
    expect({ query, status: res.status }).toEqual({ query, status: 200 });
    expect(res.type).toBe('application/json');
    expectValid('routes', res.body);
    return res.body;
  }

  async function jwks(): Promise<JSONWebKeySet> {
    const res = await get('/.well-known/jwks.json');
    expect(res.status).toBe(200);
    return res.body as JSONWebKeySet;
  }

  /** Verifies the JWS with the published key set; its header and claims. */
  async function verified(jws: string) {
    const { payload, protectedHeader } = await compactVerify(jws, createLocalJWKSet(await jwks()), { algorithms: ['PS512'] });
    return { header: protectedHeader, claims: JSON.parse(new TextDecoder().decode(payload)) as Record<string, any> };
  }

  test('a municipality by ARS: the one authority, its fields filled, signed over its addressing information', async () => {
    const body = await routes(`leikaKey=${serviceKey}&ars=160510000000`);
    expect(body).toMatchObject({ count: 1, offset: 0, totalCount: 1 });
    const [route] = body.routes;
    expect(route).toMatchObject({
      destinationId: destinationIdOf('thueringen', 'stadt-erfurt'),
      destinationName: 'Stadtverwaltung Erfurt, Bürgeramt',
      contactPersons: [{ name: 'Stadtverwaltung Erfurt, Bürgeramt', email: 'buergeramt@erfurt.example' }],
      imprintUrl: tenant.links.imprintUrl,
      privacyPolicyUrl: tenant.links.privacyUrl,
      accessibilityUrl: tenant.links.accessibilityUrl,
      customParameters: { authorityId: 'stadt-erfurt', tenantId: 'thueringen', formIds: [HUNDESTEUER] },
    });
    const { header, claims } = await verified(route!.destinationSignature);
    const [key] = (await jwks()).keys;
    expect(header).toEqual({ alg: 'PS512', kid: key!.kid, typ: 'JWT' });
    expect(claims).toEqual({
      iss: 'https://antrag.example.de',
      submissionHost: 'antrag.example.de',
      services: [{
        gebietIDs: ['urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:rs:160510000000'],
        leistungIDs: [`urn:de:fim:leika:leistung:${serviceKey}`],
      }],
      destinationId: route!.destinationId,
      iat: expect.any(Number),
      jti: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
    });
    expect(Math.abs(claims.iat - Date.now() / 1000)).toBeLessThan(600);
  });

  test('the same route by AGS and by areaId, with the same destinationId and signature', async () => {
    const byArs = (await routes(`leikaKey=${serviceKey}&ars=160510000000`)).routes;
    expect((await routes(`leikaKey=${serviceKey}&ags=16051000`)).routes).toEqual(byArs);
    expect((await routes(`leikaKey=${serviceKey}&areaId=160510000000`)).routes).toEqual(byArs);
  });

  test('a responsibility at association level answers for its municipalities (longest prefix)', async () => {
    for (const query of ['ars=160635006006', 'ags=16063006', 'ars=160635006']) {
      const body = await routes(`leikaKey=${serviceKey}&${query}`);
      expect(body.routes.map((r) => r.customParameters.authorityId)).toEqual(['vg-hainich-werratal']);
      const { claims } = await verified(body.routes[0]!.destinationSignature);
      expect(claims.services[0].gebietIDs).toEqual(['urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:rs:160635006']);
    }
  });

  test('a district lists the authority for the whole district first, then those for parts of it, paged', async () => {
    const all = await routes(`leikaKey=${serviceKey}&ars=16070`);
    expect(all).toMatchObject({ count: 2, offset: 0, totalCount: 2 });
    expect(all.routes.map((r) => r.customParameters.authorityId)).toEqual(['landratsamt-ilm-kreis', 'stadt-ilmenau']);
    // A Land key: every authority with a part of it.
    expect((await routes(`leikaKey=${serviceKey}&ars=16`)).totalCount).toBe(4);
    // Ilmenau itself goes to the town, Arnstadt to the district.
    expect((await routes(`leikaKey=${serviceKey}&ars=160700029029`)).routes.map((r) => r.customParameters.authorityId)).toEqual(['stadt-ilmenau']);
    expect((await routes(`leikaKey=${serviceKey}&ars=160700004004`)).routes.map((r) => r.customParameters.authorityId)).toEqual(['landratsamt-ilm-kreis']);
    // Another service: only the district's authority takes it.
    expect((await routes(`leikaKey=${gewerbeKey}&ars=16070`)).routes.map((r) => r.customParameters.authorityId)).toEqual(['landratsamt-ilm-kreis']);

    const first = await routes(`leikaKey=${serviceKey}&ars=16070&limit=1`);
    expect(first).toMatchObject({ count: 1, offset: 0, totalCount: 2 });
    expect(first.routes).toEqual([all.routes[0]]);
    const second = await routes(`leikaKey=${serviceKey}&ars=16070&offset=1&limit=1`);
    expect(second).toMatchObject({ count: 1, offset: 1, totalCount: 2 });
    expect(second.routes).toEqual([all.routes[1]]);
    expect(await routes(`leikaKey=${serviceKey}&ars=16070&offset=2`)).toEqual({ count: 0, offset: 2, totalCount: 2, routes: [] });
  });

  test('every route of every answer verifies against the JWKS and names its own destination and service', async () => {
    for (const key of [serviceKey, gewerbeKey]) {
      for (const route of (await routes(`leikaKey=${key}&ars=16`)).routes) {
        const { claims } = await verified(route.destinationSignature);
        expect(claims.destinationId).toBe(route.destinationId);
        expect(claims.services[0].leistungIDs).toEqual([`urn:de:fim:leika:leistung:${key}`]);
      }
    }
    // A signature changed in one character does not verify.
    const jws = (await routes(`leikaKey=${serviceKey}&ars=160510000000`)).routes[0]!.destinationSignature;
    const [head, payload, signature] = jws.split('.');
    const forged = Buffer.from(payload!, 'base64url').toString('utf8').replace('160510000000', '160530000000');
    await expect(verified(`${head}.${Buffer.from(forged).toString('base64url')}.${signature}`)).rejects.toThrow(/signature verification failed/);
  });

  test('nobody responsible, an unknown service key or area: an empty result, not an error', async () => {
    for (const query of [`leikaKey=99000000000000&ars=160510000000`, `leikaKey=${gewerbeKey}&ars=160635006006`, `leikaKey=${serviceKey}&ars=15`, `leikaKey=${serviceKey}&ags=16099999`, `leikaKey=${serviceKey}&areaId=999`]) {
      expect(await routes(query)).toEqual({ count: 0, offset: 0, totalCount: 0, routes: [] });
    }
  });

  test.each([
    ['no area', `leikaKey=99036011012000`, 'ars, ags'],
    ['two areas', `leikaKey=99036011012000&ars=160510000000&ags=16051000`, 'ars, ags'],
    ['no leikaKey', 'ars=160510000000', 'leikaKey'],
    ['a leikaKey not starting with 99', 'leikaKey=12036011012000&ars=160510000000', 'leikaKey'],
    ['an ARS of 4 digits', 'leikaKey=99036011012000&ars=1605', 'ars muss'],
    ['an AGS of 12 digits', 'leikaKey=99036011012000&ags=160510000000', 'ags muss'],
    ['ars given twice', 'leikaKey=99036011012000&ars=160510000000&ars=160530000000', 'ars muss'],
    ['limit 0', 'leikaKey=99036011012000&ars=16&limit=0', 'limit'],
    ['limit 501', 'leikaKey=99036011012000&ars=16&limit=501', 'limit'],
    ['a negative offset', 'leikaKey=99036011012000&ars=16&offset=-1', 'offset'],
  ])('/api/routes with %s: 400 problem+json naming what to fix', async (_name, query, detail) => {
    const res = await get(`/api/routes?${query}`);
    expect(res.status).toBe(400);
    expect(res.type).toBe('application/problem+json');
    expectValid('error', res.body);
    expect(res.body).toMatchObject({ status: 400, code: 'INVALID_PARAMETER', detail: expect.stringContaining(detail) });
  });

  async function areas(query: string): Promise<{ count: number; offset: number; totalCount: number; areas: Array<{ id: string; name: string; type: string }> }> {
    const res = await get(`/api/areas?${query}`);
    expect({ query, status: res.status }).toEqual({ query, status: 200 });
    expectValid('areas', res.body);
    return res.body;
  }
  const ids = async (query: string) => (await areas(query)).areas.map((a) => a.id);

  test('/api/areas finds areas by name with * wildcards and by postal code; ids are ARS keys to route with', async () => {
    expect(await areas('areaSearchexpression=Erf*')).toEqual({ count: 1, offset: 0, totalCount: 1, areas: [{ id: '160510000000', name: 'Erfurt', type: 'Gemeinde' }] });
    expect(await ids('areaSearchexpression=Erfurt')).toEqual(['160510000000']);
    // A word of the name, not only its start; case and folding do not matter.
    expect(await ids('areaSearchexpression=hainich')).toEqual(['160635006006']);
    expect(await ids('areaSearchexpression=*menau')).toEqual(['160700029029']);
    expect(await ids(`areaSearchexpression=${encodeURIComponent('Berka v*')}`)).toEqual(['160635006006']);
    // One postal code, two municipalities (by name); a postal code pattern.
    expect(await ids('areaSearchexpression=99826')).toEqual(['160635006006', '160635006003']);
    expect(await ids('areaSearchexpression=990*')).toEqual(['160510000000']);
    // Several terms: all must match.
    expect(await ids('areaSearchexpression=99826&areaSearchexpression=Bisch*')).toEqual(['160635006003']);
    expect(await ids('areaSearchexpression=Nirgendwo')).toEqual([]);
    // The id routes.
    const [berka] = (await areas('areaSearchexpression=Berka*')).areas;
    expect((await routes(`leikaKey=${serviceKey}&areaId=${berka!.id}`)).routes.map((r) => r.customParameters.authorityId)).toEqual(['vg-hainich-werratal']);
  });

  test('/api/areas pages', async () => {
    const all = await areas('areaSearchexpression=99*');
    expect(all.totalCount).toBe(4);
    const page = await areas('areaSearchexpression=99*&offset=1&limit=2');
    expect(page).toEqual({ count: 2, offset: 1, totalCount: 4, areas: all.areas.slice(1, 3) });
  });

  test.each([
    ['no term', ''],
    ['an empty term', 'areaSearchexpression='],
    ['a term of one character before *', 'areaSearchexpression=E*'],
    ['three stars', `areaSearchexpression=${encodeURIComponent('Er***furt')}`],
    ['eleven terms', Array.from({ length: 11 }, () => 'areaSearchexpression=Erfurt').join('&')],
    ['a term of 101 characters', `areaSearchexpression=${'a'.repeat(101)}`],
    ['limit 0', 'areaSearchexpression=Erfurt&limit=0'],
  ])('/api/areas with %s: 400 problem+json', async (_name, query) => {
    const res = await get(`/api/areas?${query}`);
    expect(res.status).toBe(400);
    expect(res.type).toBe('application/problem+json');
    expectValid('error', res.body);
    expect(res.body).toMatchObject({ code: 'INVALID_PARAMETER' });
  });

  test('/api/info names the Routing API version', async () => {
    const res = await get('/api/info');
    expect(res.status).toBe(200);
    expectValid('info', res.body);
    expect(res.body).toEqual({ version: { major: 2, minor: 0, patch: 0 } });
  });

  test('the JWKS holds the public key only, identified by its thumbprint; the development key is kept in DATA_DIR (0600)', async () => {
    const { keys } = await jwks();
    expect(keys).toHaveLength(1);
    const [key] = keys;
    expectValid('jwk', key);
    expect(Object.keys(key!).sort()).toEqual(['alg', 'e', 'key_ops', 'kid', 'kty', 'n', 'use']);
    expect(key).toMatchObject({ kty: 'RSA', e: 'AQAB', alg: 'PS512', use: 'sig', key_ops: ['verify'] });
    expect(key!.kid).toBe(await calculateJwkThumbprint({ kty: 'RSA', n: key!.n!, e: key!.e! }, 'sha256'));
    expect(Buffer.from(key!.n!, 'base64url').length * 8).toBe(4096);
    const jws = (await routes(`leikaKey=${serviceKey}&ars=160510000000`)).routes[0]!.destinationSignature;
    expect(decodeProtectedHeader(jws).kid).toBe(key!.kid);
    const file = path.join(dir.path, 'data', DEVELOPMENT_KEY_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    // The next start on the same DATA_DIR signs with the same key.
    const again = await buildContainer({ FORMS_DIR: SAMPLE_FORMS, TENANTS_DIR: path.join(dir.path, 'tenants'), DATA_DIR: path.join(dir.path, 'data') });
    try {
      const res = await request(again.app).get('/.well-known/jwks.json');
      expect(res.body.keys[0].kid).toBe(key!.kid);
      const route = (await request(again.app).get(`/api/routes?leikaKey=${serviceKey}&ars=160510000000`)).body.routes[0];
      expect(route.destinationId).toBe(destinationIdOf('thueringen', 'stadt-erfurt'));
      await verified(route.destinationSignature);
    } finally {
      await again.close(1000);
    }
  });
});
