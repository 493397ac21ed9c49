import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli, sampleDirs, STACK_LINE } from '../support/run-cli';

/**
 * `efa-forms route` and the command line itself (help, unknown commands and options) as an
 * operator runs them: real processes on copies of the repository's forms/ and tenants/, the
 * Thüringen sample with a few more municipalities (a name with ß, a name two share, a postal
 * code two share).
 */
/** The samples with the extra municipalities, written before any test starts. */
function extendedSamples(): ReturnType<typeof sampleDirs> {
  const dirs = sampleDirs('efa-cli-route-');
  const file = path.join(dirs.tenants, 'thueringen.json');
  const tenant = JSON.parse(readFileSync(file, 'utf8'));
  tenant.municipalities.push(
    { ars: '160680058058', name: 'Weißensee', officialName: 'Weißensee, Stadt', postalCodes: ['99631'] },
    { ars: '160700052052', name: 'Neustadt am Rennsteig', postalCodes: ['98701'] },
    { ars: '160700058058', name: 'Großbreitenbach', officialName: 'Großbreitenbach, Stadt', postalCodes: ['98701'] },
    { ars: '160755012012', name: 'Neustadt an der Orla', officialName: 'Neustadt an der Orla, Stadt', postalCodes: ['07806'] },
  );
  tenant.municipalities.sort((a: { ars: string }, b: { ars: string }) => (a.ars < b.ars ? -1 : 1));
  writeFileSync(file, JSON.stringify(tenant, null, 2));
  return dirs;
}
const dirs = extendedSamples();
// One test at a time (see cli-check.test.ts): each starts the CLI as a process of its own.
jest.setTimeout(90_000);
afterAll(() => dirs.remove());

const route = (...args: string[]) => runCli(['route', ...args, '--forms', dirs.forms, '--tenants', dirs.tenants]);
const routeJson = async (...args: string[]) => {
  const run = await route(...args, '--json');
  return { code: run.code, result: JSON.parse(run.stdout), stderr: run.stderr };
};

describe('efa-forms route', () => {
  test('by ARS: the authority, its channel, the prefix and why', async () => {
    const run = await route('anwohnerparkausweis', '160510000000');
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')).toEqual([
      'anwohnerparkausweis in Erfurt (ARS 160510000000, tenant thueringen), found by ARS:',
      '  authority  Stadtverwaltung Erfurt, Bürgeramt (stadt-erfurt-buergeramt, tenant thueringen)',
      '  channel    http: POST to http://127.0.0.1:4000/stadt-erfurt-buergeramt (signed with the secret in EFA_SECRET_STADT_ERFURT_BUERGERAMT)',
      '  prefix     160510000000',
      '  rollout    live (citizens are routed here)',
      'Why: the longest prefix of the ARS that an authority claims for this form wins.',
      '  160510000000 (municipality Erfurt): claimed by stadt-erfurt-buergeramt, wins (longest claimed prefix)',
      '  160510000 (association): no claim',
      '  16051 (district): no claim',
      '  160 (government region): no claim',
      '  16 (state Freistaat Thüringen): no claim',
      '',
    ]);
    expect(run.stderr).toBe('');
  });

  test('by AGS, with --json: a district authority wins by the longest claimed prefix', async () => {
    const { code, result } = await routeJson('gewerbeanmeldung', '16070004');
    expect(code).toBe(0);
    expect(result).toEqual({
      ok: true,
      form: 'gewerbeanmeldung',
      input: '16070004',
      foundBy: 'AGS',
      ars: '160700004004',
      municipality: { ars: '160700004004', name: 'Arnstadt', tenant: 'thueringen', postalCodes: ['99310'] },
      authority: { id: 'landratsamt-ilm-kreis', name: expect.any(String), email: expect.any(String), tenant: 'thueringen' },
      channel: { type: 'http', url: 'http://127.0.0.1:4000/landratsamt-ilm-kreis', secretEnv: 'EFA_SECRET_LANDRATSAMT_ILM_KREIS', mutualTls: false, encrypted: false },
      prefix: '16070',
      rollout: 'live',
      plannedFrom: null,
      parameters: {},
      explanation: [
        { prefix: '160700004004', level: 'municipality', name: 'Arnstadt', claimedBy: null, rollout: null, verdict: 'no claim' },
        { prefix: '160700004', level: 'association', name: null, claimedBy: null, rollout: null, verdict: 'no claim' },
        { prefix: '16070', level: 'district', name: null, claimedBy: 'landratsamt-ilm-kreis', rollout: 'live', verdict: 'wins' },
        { prefix: '160', level: 'government region', name: null, claimedBy: null, rollout: null, verdict: 'no claim' },
        { prefix: '16', level: 'state', name: 'Freistaat Thüringen', claimedBy: null, rollout: null, verdict: 'no claim' },
      ],
    });
  });

  test('by postal code: a longer claim wins over the district\'s, which the explanation shows', async () => {
    const { code, result } = await routeJson('hundesteuer-anmeldung', '98693');
    expect(code).toBe(0);
    expect(result).toMatchObject({ foundBy: 'postal code', municipality: { name: 'Ilmenau' }, authority: { id: 'stadt-ilmenau' }, prefix: '160700029029' });
    expect(result.explanation.filter((s: { claimedBy: string | null }) => s.claimedBy !== null)).toEqual([
      { prefix: '160700029029', level: 'municipality', name: 'Ilmenau', claimedBy: 'stadt-ilmenau', rollout: 'live', verdict: 'wins' },
      { prefix: '16070', level: 'district', name: null, claimedBy: 'landratsamt-ilm-kreis', rollout: 'live', verdict: 'shorter' },
    ]);
  });

  test('shows the rollout state of the route and of each claim: planned with its date, testing, paused (Sachsen-Anhalt sample)', async () => {
    const planned = await route('hundesteuer-anmeldung', 'Dessau-Roßlau');
    expect(planned.code).toBe(0);
    expect(planned.stdout).toContain('  authority  Stadt Dessau-Roßlau, Steueramt (stadt-dessau-rosslau-steuern, tenant sachsen-anhalt)\n');
    expect(planned.stdout).toContain('  rollout    planned from 2027-03-01 (citizens are told it is not yet online here)\n');
    expect(planned.stdout).toContain('  150010000000 (municipality Dessau-Roßlau): claimed by stadt-dessau-rosslau-steuern (planned from 2027-03-01), wins (longest claimed prefix)\n');
    const paused = await route('hundesteuer-anmeldung', 'Naumburg (Saale)');
    expect(paused.stdout).toContain('  rollout    paused (citizens are told it is temporarily not available online and to contact the authority)\n');
    const { code, result } = await routeJson('hundesteuer-anmeldung', '150020000000');
    expect(code).toBe(0);
    expect(result).toMatchObject({
      authority: { id: 'stadt-halle-steuern' }, rollout: 'testing', plannedFrom: null,
      parameters: { fee: { amountCents: 13200, currency: 'EUR' }, processingDuration: { min: 10, max: 15, unit: 'workday' } },
    });
    expect(result.explanation[0]).toMatchObject({ prefix: '150020000000', claimedBy: 'stadt-halle-steuern', rollout: 'testing', verdict: 'wins' });
    const dessau = await routeJson('hundesteuer-anmeldung', '150010000000');
    expect(dessau.result).toMatchObject({ rollout: 'planned', plannedFrom: '2027-03-01' });
  });

  test('by name with German folding: "Grossbreitenbach" finds Großbreitenbach, case and ", Stadt" ignored', async () => {
    const names = ['Grossbreitenbach', 'GROSSBREITENBACH', 'Großbreitenbach, Stadt'];
    const runs = await Promise.all(names.map((name) => routeJson('gewerbeanmeldung', name)));
    expect(runs.map(({ code, result }) => ({ code, found: result.municipality?.ars, by: result.foundBy, authority: result.authority?.id })))
      .toEqual(names.map(() => ({ code: 0, found: '160700058058', by: 'name', authority: 'landratsamt-ilm-kreis' })));
  });

  test('a place name in several words needs no quotes', async () => {
    const run = await route('gewerbeanmeldung', 'Neustadt', 'am', 'Rennsteig');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('gewerbeanmeldung in Neustadt am Rennsteig (ARS 160700052052');
  });

  test('exit 3 when nobody is responsible, with every prefix tried', async () => {
    const run = await route('anwohnerparkausweis', 'Weissensee');
    expect(run.code).toBe(3);
    expect(run.stdout).toContain('Nobody is responsible for anwohnerparkausweis in Weißensee (ARS 160680058058, tenant thueringen), found by name:');
    expect(run.stdout).toContain('  16068 (district): no claim');
    const { code, result } = await routeJson('gewerbeanmeldung', '160665050042');
    expect(code).toBe(3);
    expect(result).toMatchObject({ ok: false, municipality: { name: 'Meiningen' }, authority: null, channel: null, prefix: null });
    expect(result.explanation.every((s: { verdict: string }) => s.verdict === 'no claim')).toBe(true);
  });

  test('exit 4 when a postal code or a name names several municipalities, listing them', async () => {
    const run = await route('gewerbeanmeldung', '98701');
    expect(run.code).toBe(4);
    expect(run.stdout.split('\n')).toEqual([
      '"98701" (postal code) names 2 municipalities; give the ARS of one:',
      '  160700058058  Großbreitenbach, Stadt (thueringen), 98701',
      '  160700052052  Neustadt am Rennsteig (thueringen), 98701',
      '',
    ]);
    const { code, result } = await routeJson('gewerbeanmeldung', 'neustadt');
    expect(code).toBe(4);
    expect(result).toEqual({
      ok: false,
      form: 'gewerbeanmeldung',
      input: 'neustadt',
      foundBy: 'name',
      candidates: [
        { ars: '160700052052', name: 'Neustadt am Rennsteig', tenant: 'thueringen', postalCodes: ['98701'] },
        { ars: '160755012012', name: 'Neustadt an der Orla', officialName: 'Neustadt an der Orla, Stadt', tenant: 'thueringen', postalCodes: ['07806'] },
      ],
    });
  });

  test('a whole name names that municipality even when longer names start with it', async () => {
    const own = sampleDirs('efa-cli-route-geratal-');
    try {
      const tenantFile = path.join(own.tenants, 'thueringen.json');
      const tenant = JSON.parse(readFileSync(tenantFile, 'utf8'));
      tenant.municipalities.push({ ars: '160765555555', name: 'Geratal', postalCodes: [] });
      writeFileSync(tenantFile, JSON.stringify(tenant));
      const run = await runCli(['route', 'gewerbeanmeldung', 'gera', '--json', '--forms', own.forms, '--tenants', own.tenants]);
      expect({ code: run.code, name: JSON.parse(run.stdout).municipality?.name }).toEqual({ code: 0, name: 'Gera' });
    } finally {
      own.remove();
    }
  });

  test.each([
    [['gewerbeanmeldung', 'Atlantis'], 'efa-forms route: no municipality\'s name is or starts with "Atlantis"'],
    [['gewerbeanmeldung', '1234'], 'efa-forms route: "1234" is not an ARS (12 digits), AGS (8 digits) or postal code (5 digits)'],
    [['gewerbeanmeldung', '16099999'], 'efa-forms route: no tenant lists a municipality with AGS 16099999'],
    [['fuehrerschein', 'Erfurt'], 'efa-forms route: form "fuehrerschein" is not in FORMS (there: anwohnerparkausweis, gewerbeanmeldung, hundesteuer-anmeldung)'],
    [['gewerbeanmeldung'], 'efa-forms route: needs a form id and a place (see efa-forms route --help)'],
  ])('bad input %j: exit 1 with one line', async (args, line) => {
    const run = await route(...args);
    expect({ code: run.code, stdout: run.stdout, stderr: run.stderr }).toEqual({ code: 1, stdout: '', stderr: `${line.replace('FORMS', dirs.forms)}\n` });
  });

  test('a broken tenant file stops it with exit 1 and the problem line, also with --json', async () => {
    const own = sampleDirs('efa-cli-route-broken-');
    try {
      const tenantFile = path.join(own.tenants, 'thueringen.json');
      writeFileSync(tenantFile, '[]');
      const run = await runCli(['route', 'gewerbeanmeldung', 'Erfurt', '--json', '--forms', own.forms, '--tenants', own.tenants]);
      expect({ code: run.code, result: JSON.parse(run.stdout), stderr: run.stderr })
        .toEqual({ code: 1, result: { ok: false, problems: [`${tenantFile}: /: must be object`] }, stderr: `${tenantFile}: /: must be object\n` });
    } finally {
      own.remove();
    }
  });
});

describe('the efa-forms command line', () => {
  test.each([[[]], [['--help']]])('%j prints the global help with every command', async (args) => {
    const run = await runCli(args);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^efa-forms: the operators' commands of efa-forms\n\nUsage: efa-forms <command>/);
    for (const name of ['check', 'import-municipalities', 'route', 'coverage']) expect(run.stdout).toMatch(new RegExp(`\\n  ${name} +\\S`));
  });

  test.each([
    ['check', '--help'], ['route', '--help'], ['import-municipalities', '--help'], ['coverage', '--help'],
    ['help', 'route'], ['route', '-h'], ['route', '--bogus', '--help'],
  ])('%s %s prints the command\'s usage', async (...args) => {
    const run = await runCli(args);
    const name = args[0] === 'help' ? args[1] : args[0];
    expect({ code: run.code, stderr: run.stderr, usage: run.stdout.startsWith(`Usage: efa-forms ${name}`) }).toEqual({ code: 0, stderr: '', usage: true });
  });

  test.each([
    [['frobnicate'], 'efa-forms: unknown command "frobnicate" (commands: check, import-municipalities, route, coverage, test-delivery, test-link, copy-to-postgres; see efa-forms --help)'],
    [['check', '--bogus'], 'efa-forms check: unknown option --bogus (see efa-forms check --help)'],
    [['route', '-x'], 'efa-forms route: unknown option -x (see efa-forms route --help)'],
  ])('%j: exit 1 with one line and no stack trace', async (args, line) => {
    const run = await runCli(args);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 1, stderr: `${line}\n` });
    expect(run.stderr).not.toMatch(STACK_LINE);
  });

  test('with --json a bad command line still prints one JSON document', async () => {
    const run = await runCli(['route', '--json', '--bogus']);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toEqual({ ok: false, problems: ['efa-forms route: unknown option --bogus (see efa-forms route --help)'] });
  });
});
