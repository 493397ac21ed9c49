import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import type { Tenant } from '../../src/routing/tenant';
import { sha256Hex } from '../../src/support/sha256';
import {
  ADMIN_TOKEN, startConsoleFixture, TENANT_A_MARKERS, TENANT_B_MARKERS, TOKEN_A, TOKEN_B, type ConsoleFixture,
} from '../support/console-fixture';

/**
 * What a refused `POST /api/admin/reload` shows whom (issue 12, point 5: nothing of B in any
 * answer to A), on the real container of console-fixture.ts with its tenant files land-a.json and
 * land-b.json. The loaders report a clash between two tenant files at the later one, in words
 * that name the earlier file, its ids or its operator: those lines start with the file of the
 * operator asking, yet must not reach it. The admin sees every line; a tenant operator only the
 * lines naming no other tenant file (running or new) and no other tenant's operator, and counts
 * the rest in `problemsInOtherTenants`.
 */

let fixture: ConsoleFixture;

beforeEach(async () => {
  fixture = await startConsoleFixture();
});
afterEach(async () => {
  await fixture.close();
});

const fileOf = (tenantId: string) => path.join(fixture.tenantsDir, `${tenantId}.json`);

function edit(tenantId: string, change: (tenant: Tenant) => Tenant): void {
  const file = fileOf(tenantId);
  writeFileSync(file, JSON.stringify(change(JSON.parse(readFileSync(file, 'utf8')) as Tenant), null, 2));
}

interface Refusal {
  readonly problems: readonly string[];
  readonly problemsInOtherTenants?: number;
}

async function reloadAs(token: string): Promise<Refusal> {
  const res = await request(fixture.app).post('/api/admin/reload').set('authorization', `Bearer ${token}`).set('accept-language', 'en');
  expect(res.status).toBe(422);
  expect(res.body.code).toBe('CONFIGURATION_REFUSED');
  return res.body as Refusal;
}

/** The refused reload as the admin, A's operator and B's operator get it. */
async function refusals(): Promise<{ admin: Refusal; a: Refusal; b: Refusal }> {
  return { admin: await reloadAs(ADMIN_TOKEN), a: await reloadAs(TOKEN_A), b: await reloadAs(TOKEN_B) };
}

/** None of the markers anywhere in the answer (problem lines, detail, title). */
function expectNothingOf(answer: Refusal, markers: readonly string[]): void {
  const text = JSON.stringify(answer);
  for (const marker of markers) expect(`${marker}: ${text.includes(marker) ? 'shown' : 'absent'}`).toBe(`${marker}: absent`);
}

/** A tenant operator's answer: the lines it is shown, and the others counted, adding up to the admin's. */
function expectShown(answer: Refusal, admin: Refusal, shown: readonly string[]): void {
  expect(answer.problems).toEqual(shown);
  const hidden = admin.problems.length - shown.length;
  expect(answer.problemsInOtherTenants).toBe(hidden > 0 ? hidden : undefined);
}

/** A tenant file that is new in this reload. */
function writeNewTenant(tenant: Tenant): void {
  writeFileSync(fileOf(tenant.id), JSON.stringify(tenant, null, 2));
}

const links = { imprintUrl: 'https://example.org/impressum', privacyUrl: 'https://example.org/datenschutz', accessibilityUrl: 'https://example.org/barrierefreiheit' };

function newTenant(id: string, regions: string[], ars: string): Tenant {
  return {
    id, name: { de: 'Land Neu', en: 'New State' }, regions, links,
    municipalities: [{ ars, name: 'Neustadt', population: 100, postalCodes: ['33333'] }],
    authorities: [{
      id: 'neu-amt', name: 'Neuamt', email: 'amt@neu.example.org',
      delivery: { type: 'http', url: 'https://neu.example.org/in', secretEnv: 'SECRET_NEU_AMT' },
      serves: [{ forms: ['hundesteuer-anmeldung'], regions }],
    }],
    operators: [{ id: 'ops-neu', tokenHash: sha256Hex('operator-token-of-the-new-state') }],
  };
}

const NEW_TENANT_MARKERS = ['aaa-neu', 'land-c', 'Land Neu', 'New State', 'neu-amt', 'Neuamt', 'Neustadt', 'ops-neu'];

describe('POST /api/admin/reload refused: who sees which problem lines', () => {
  it('overlapping regions and a form both tenants serve there: the lines at B name A, and reach neither operator', async () => {
    edit('land-b', (t) => ({
      ...t, regions: [...t.regions, '15001'],
      authorities: t.authorities.map((a) => ({ ...a, serves: [{ forms: ['gewerbeanmeldung'], regions: ['16', '15001'] }] })),
    }));
    const { admin, a, b } = await refusals();
    expect(admin.problemsInOtherTenants).toBeUndefined();
    expect(admin.problems).toEqual([
      `${fileOf('land-b')}: /regions/1: region "15001" overlaps region "15" at ${fileOf('land-a')}: /regions/0`,
      `${fileOf('land-b')}: /authorities/0/serves/0/regions/1: authority "b-bravoamt" and authority "a-gewerbeamt" (${fileOf('land-a')}: /authorities/0/serves/0/regions/0) both serve form "gewerbeanmeldung" for region "15001"`,
    ]);
    // Both lines are in B's own file, but name A's file and authority: B sees only how many.
    expectShown(b, admin, []);
    expectNothingOf(b, TENANT_A_MARKERS);
    expectShown(a, admin, []);
    expectNothingOf(a, TENANT_B_MARKERS);
  });

  it('an authority id used by both tenants', async () => {
    edit('land-b', (t) => ({
      ...t, authorities: [...t.authorities, { ...t.authorities[0]!, id: 'a-gewerbeamt', serves: [{ forms: ['hundesteuer-anmeldung'], regions: ['16'] }] }],
    }));
    const { admin, a, b } = await refusals();
    expect(admin.problems).toEqual([`${fileOf('land-b')}: /authorities/1/id: authority id "a-gewerbeamt" is also used at ${fileOf('land-a')}: /authorities/0/id`]);
    expectShown(b, admin, []);
    expectNothingOf(b, TENANT_A_MARKERS);
    expectShown(a, admin, []);
    expectNothingOf(a, TENANT_B_MARKERS);
  });

  it('an operator token hash used in both tenants: the line names the other tenant\'s operator, not its file', async () => {
    edit('land-b', (t) => ({ ...t, operators: [{ id: 'ops-bravo', tokenHash: sha256Hex(TOKEN_A) }] }));
    const { admin, a, b } = await refusals();
    expect(admin.problems).toEqual([`${fileOf('land-b')}: /operators/0: operator "land-b/ops-bravo" has the same token hash as operator "land-a/ops-alpha"`]);
    expectShown(b, admin, []);
    expectNothingOf(b, TENANT_A_MARKERS);
    expectShown(a, admin, []);
    expectNothingOf(a, TENANT_B_MARKERS);
  });

  it('a new tenant file clashing with A: A sees its own file\'s other problem, not the new tenant', async () => {
    // Sorted before land-a.json, so the overlap is reported in A's own file, naming the new one.
    writeNewTenant(newTenant('aaa-neu', ['15'], '150010001001'));
    edit('land-a', (t) => ({ ...t, authorities: t.authorities.map((x, i) => (i === 1 ? { ...x, serves: [{ ...x.serves[0]!, forms: ['no-such-form'] }] } : x)) }));
    const { admin, a, b } = await refusals();
    const own = `${fileOf('land-a')}: /authorities/1/serves/0/forms/0: form "no-such-form" is not loaded from FORMS_DIR`;
    expect(admin.problems).toEqual([`${fileOf('land-a')}: /regions/0: region "15" overlaps region "15" at ${fileOf('aaa-neu')}: /regions/0`, own]);
    expectShown(a, admin, [own]);
    expectNothingOf(a, [...TENANT_B_MARKERS, ...NEW_TENANT_MARKERS]);
    expectShown(b, admin, []);
    expectNothingOf(b, [...TENANT_A_MARKERS, ...NEW_TENANT_MARKERS]);
  });

  it('a new tenant file with a problem of its own reaches no tenant operator', async () => {
    writeNewTenant({ ...newTenant('land-c', ['17'], '150010001001') });
    const { admin, a, b } = await refusals();
    expect(admin.problems).toEqual([`${fileOf('land-c')}: /municipalities/0/ars: "150010001001" lies outside the tenant's regions`]);
    expectShown(a, admin, []);
    expectNothingOf(a, NEW_TENANT_MARKERS);
    expectShown(b, admin, []);
    expectNothingOf(b, NEW_TENANT_MARKERS);
  });

  it('shows a tenant operator the lines of its own file that name no other tenant', async () => {
    edit('land-b', (t) => ({ ...t, authorities: t.authorities.map((x) => ({ ...x, serves: [{ forms: ['no-such-form'], regions: ['16'] }] })) }));
    const { admin, a, b } = await refusals();
    expect(admin.problems).toEqual([`${fileOf('land-b')}: /authorities/0/serves/0/forms/0: form "no-such-form" is not loaded from FORMS_DIR`]);
    expectShown(b, admin, admin.problems);
    expectShown(a, admin, []);
    expectNothingOf(a, TENANT_B_MARKERS);
  });
});
