import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Tenant } from '../../src/routing/tenant';
import { runCli, runProgram, sampleDirs, STACK_LINE } from '../support/run-cli';
import { REPO } from '../support/test-setup';

/**
 * `efa-forms check` as an operator runs it: a real process on copies of the repository's forms/
 * and tenants/, through tsx, and once from the built dist/ through `npm run --silent efa`.
 */
const readTenant = (dir: string, id = 'thueringen'): Record<string, any> => JSON.parse(readFileSync(path.join(dir, `${id}.json`), 'utf8'));
const writeTenant = (dir: string, tenant: Record<string, any>) => writeFileSync(path.join(dir, `${tenant.id}.json`), JSON.stringify(tenant, null, 2));

/** The sample tenants as they are in the repository (a second sample may join Thüringen). */
function repoTenants(): Tenant[] {
  const dir = path.join(REPO, 'tenants');
  return readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as Tenant);
}

/** Every secret the sample tenants name, set, so that only the warnings under test remain. */
function secrets(tenants: readonly Tenant[]): Record<string, string> {
  return Object.fromEntries(tenants.flatMap((t) => t.authorities).flatMap((a) => (a.delivery.type === 'http' ? [[a.delivery.secretEnv, `secret-of-${a.id}`]] : [])));
}

type Dirs = ReturnType<typeof sampleDirs>;

/** Each test on its own copies (each test runs the CLI as a process of its own). */
function withSamples(body: (dirs: Dirs, check: (args?: string[], env?: Record<string, string>) => ReturnType<typeof runCli>) => Promise<void>): () => Promise<void> {
  return async () => {
    const dirs = sampleDirs();
    try {
      await body(dirs, (args = [], env = {}) => runCli(['check', '--forms', dirs.forms, '--tenants', dirs.tenants, ...args], env));
    } finally {
      dirs.remove();
    }
  };
}

// One test at a time: CLI processes started all at once would take the CPU from timing-sensitive
// tests running in the other jest worker (bounded-validation's /healthz probes).
jest.setTimeout(90_000);

describe('efa-forms check', () => {

  test('passes on the samples with exit code 0 and a summary on stdout', withSamples(async (dirs, check) => {
    const run = await check();
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^ok: 3 forms, \d+ tenants? \(\d+ municipalit(y|ies), \d+ authorit(y|ies)\), site tenant [\w-]+; \d+ warnings?\n$/);
    expect(run.stderr.split('\n').filter(Boolean).every((l) => l.startsWith('warning: '))).toBe(true);
  }));

  test('--json: {ok, problems, warnings, summary}, counted from the files', withSamples(async (dirs, check) => {
    const tenants = repoTenants();
    const run = await check(['--json'], secrets(tenants));
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(Object.keys(result)).toEqual(['ok', 'problems', 'warnings', 'summary']);
    expect(result).toMatchObject({ ok: true, problems: [] });
    expect(result.summary).toEqual({
      problems: 0,
      warnings: result.warnings.length,
      forms: 3,
      tenants: tenants.length,
      municipalities: tenants.reduce((n, t) => n + t.municipalities.length, 0),
      authorities: tenants.reduce((n, t) => n + t.authorities.length, 0),
      siteTenant: expect.any(String),
    });
    // Meiningen is in the sample without an authority: it shows what citizens then read.
    expect(result.warnings).toContain(`${dirs.tenants}/thueringen.json: /municipalities/4: Meiningen (160665050042) is served by no authority for any form`);
    expect(result.warnings.filter((w: string) => w.includes('is not set in the environment'))).toEqual([]);
  }));

  test('reads FORMS_DIR and TENANTS_DIR when no flag is given; a missing secret is a warning naming its variable', withSamples(async (dirs) => {
    const run = await runCli(['check', '--json'], { FORMS_DIR: dirs.forms, TENANTS_DIR: dirs.tenants });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).warnings).toContain(`${dirs.tenants}/thueringen.json: /authorities/0/delivery/secretEnv: EFA_SECRET_STADT_ERFURT_BUERGERAMT is not set in the environment; deliveries to "stadt-erfurt-buergeramt" would wait and retry until it is`);
  }));

  test('a broken tenant file: exit 1, one "file: pointer: reason" line per problem, no stack trace', withSamples(async (dirs, check) => {
    const tenant = readTenant(dirs.tenants);
    tenant.municipalities[0].ars = '16051000000';
    writeTenant(dirs.tenants, tenant);
    const run = await check();
    expect(run.code).toBe(1);
    expect(run.stderr.split('\n').filter(Boolean)).toEqual([`${dirs.tenants}/thueringen.json: /municipalities/0/ars: must match pattern "^[0-9]{12}$"`]);
    expect(run.stdout).toBe('not ok: 1 problem, 0 warnings\n');
    expect(`${run.stdout}${run.stderr}`).not.toMatch(STACK_LINE);
  }));

  test('reports a broken form and a broken tenant in one run, also in --json', withSamples(async (dirs, check) => {
    mkdirSync(path.join(dirs.forms, 'kaputt'));
    writeFileSync(path.join(dirs.forms, 'kaputt', 'form.json'), '{"id": "kaputt",');
    writeFileSync(path.join(dirs.tenants, 'thueringen.json'), '{');
    const run = await check(['--json']);
    expect(run.code).toBe(1);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({ ok: false, warnings: [], summary: { problems: 2, warnings: 0 } });
    expect(result.problems).toEqual([
      expect.stringMatching(/^\/.*\/forms\/kaputt\/form\.json: \/: not valid JSON/),
      expect.stringMatching(/^\/.*\/tenants\/thueringen\.json: \/: not valid JSON/),
    ]);
    expect(run.stderr.split('\n').filter(Boolean)).toEqual(result.problems);
    expect(run.stderr).not.toMatch(STACK_LINE);
  }));

  test('a setting the server would refuse is a problem too', withSamples(async (dirs, check) => {
    const run = await check([], { NODE_ENV: 'production' });
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe('configuration error: PUBLIC_BASE_URL must be set when NODE_ENV=production (the public https address of the service)');
  }));

  test('a production set-up without the Routing API signing key fails the check as it fails the start', withSamples(async (_dirs, check) => {
    const run = await check(['--json'], { NODE_ENV: 'production', PUBLIC_BASE_URL: 'https://antrag.example.de', ADMIN_TOKEN_HASH: 'f'.repeat(64) });
    expect(run.code).toBe(1);
    const result = JSON.parse(run.stdout) as { ok: boolean; problems: string[] };
    expect(result.ok).toBe(false);
    expect(result.problems).toContainEqual(expect.stringMatching(/^ROUTING_SIGNING_KEY_FILE must be set when NODE_ENV=production/));
    expect(run.stderr).not.toMatch(STACK_LINE);
  }));

  test('warns of an authority serving nothing, an unserved municipality and a 12-digit region that is no municipality', withSamples(async (dirs, check) => {
    const tenant = readTenant(dirs.tenants);
    const erfurt = tenant.authorities.findIndex((a: any) => a.id === 'stadt-erfurt-buergeramt');
    tenant.authorities[erfurt].serves.push({ forms: ['anwohnerparkausweis'], regions: ['169999999999', '16099'] });
    // Ilmenau's own claim is longer everywhere this association office claims.
    tenant.authorities.push({
      ...tenant.authorities[0], id: 'vg-ilmenau', name: 'VG Ilmenau', delivery: { ...tenant.authorities[0].delivery, secretEnv: 'EFA_SECRET_VG_ILMENAU' },
      serves: [{ forms: ['hundesteuer-anmeldung'], regions: ['160700029'] }],
    });
    writeTenant(dirs.tenants, tenant);
    const run = await check(['--json'], { ...secrets(repoTenants()), EFA_SECRET_VG_ILMENAU: 'x' });
    expect(run.code).toBe(0);
    const file = `${dirs.tenants}/thueringen.json`;
    const at = `/authorities/${erfurt}/serves/${tenant.authorities[erfurt].serves.length - 1}/regions`;
    expect(JSON.parse(run.stdout).warnings.filter((w: string) => w.startsWith(file))).toEqual([
      `${file}: ${at}/0: "169999999999" has 12 digits but is not a municipality of the tenant`,
      `${file}: ${at}/1: "16099" matches no municipality of the tenant`,
      `${file}: /authorities/${tenant.authorities.length - 1}: authority "vg-ilmenau" is responsible for no municipality of the tenant, for any form (its regions match none, or longer prefixes of other authorities win)`,
      `${file}: /municipalities/4: Meiningen (160665050042) is served by no authority for any form`,
    ]);
    const human = await check([], { ...secrets(repoTenants()), EFA_SECRET_VG_ILMENAU: 'x' });
    expect(human.stderr.split('\n').filter((l) => l.startsWith(`warning: ${file}`))).toHaveLength(4);
    expect(human.stderr).toContain(`warning: ${file}: /authorities/${tenant.authorities.length - 1}: authority "vg-ilmenau"`);
  }));

  test('warns of a municipality with no live route and of a planned date that has passed (checked against today)', withSamples(async (dirs, check) => {
    const tenant = readTenant(dirs.tenants, 'sachsen-anhalt');
    const dessau = tenant.authorities.findIndex((a: any) => a.id === 'stadt-dessau-rosslau-steuern');
    const naumburg = tenant.authorities.findIndex((a: any) => a.id === 'stadt-naumburg-buergerbuero');
    tenant.authorities[dessau].serves[0].plannedFrom = '2020-01-01';
    // Naumburg's is far ahead: not passed.
    tenant.authorities[naumburg].serves[0] = { ...tenant.authorities[naumburg].serves[0], rollout: 'planned', plannedFrom: '2999-01-01' };
    writeTenant(dirs.tenants, tenant);
    const run = await check(['--json'], secrets(repoTenants()));
    expect(run.code).toBe(0);
    const file = `${dirs.tenants}/sachsen-anhalt.json`;
    const warnings = (JSON.parse(run.stdout).warnings as string[]).filter((w) => w.startsWith(file));
    expect(warnings).toContain(`${file}: /authorities/${dessau}/serves/0/plannedFrom: planned from 2020-01-01, which has passed; citizens are still told it is not yet online (set rollout to "testing" or "live", or a later date)`);
    expect(warnings.filter((w) => w.includes('which has passed'))).toHaveLength(1);
    const index = tenant.municipalities.findIndex((m: any) => m.ars === '150010000000');
    expect(warnings).toContainEqual(expect.stringMatching(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: /municipalities/${index}: Dessau-Roßlau \\(150010000000\\) can apply online for no form yet: hundesteuer-anmeldung planned from 2020-01-01 \\(stadt-dessau-rosslau-steuern\\)`)));
    // The help names both.
    const help = await check(['--help']);
    expect(help.stdout).toContain('none of whose routes is live');
    expect(help.stdout).toContain('plannedFrom date has passed');
  }));

  test('from the built package: npm run --silent efa -- check --json keeps stdout one JSON document', withSamples(async (dirs) => {
    // Builds dist/ when the sources are newer, as an operator's first run in a checkout does.
    const run = await runProgram('npm', ['run', '--silent', 'efa', '--', 'check', '--forms', dirs.forms, '--tenants', dirs.tenants, '--json']);
    expect({ code: run.code, stderr: run.stderr.split('\n').filter((l) => !l.startsWith('warning: ') && !l.startsWith('efa-forms: building')).join('\n') }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, problems: [] });
    const node = await runProgram(process.execPath, ['dist/src/cli/main.js', 'route', 'gewerbeanmeldung', '99310', '--forms', dirs.forms, '--tenants', dirs.tenants]);
    expect(node.code).toBe(0);
    expect(node.stdout).toContain('landratsamt-ilm-kreis');
  }), 120_000);
});
