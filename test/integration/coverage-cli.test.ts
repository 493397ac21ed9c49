import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { coverageCommand } from '../../src/cli/commands/coverage';
import type { Container } from '../../src/container';
import { COVERAGE_AUTHORITIES_CSV_COLUMNS } from '../../src/coverage/coverage-authorities-csv';
import type { CliInput } from '../../src/cli/command';
import type { CoverageReport } from '../../src/coverage/coverage';
import { COVERAGE_CSV_COLUMNS } from '../../src/coverage/coverage-csv';
import type { Tenant } from '../../src/routing/tenant';
import { runCli, STACK_LINE } from '../support/run-cli';
import { startReceiver, type TestReceiver } from '../support/http-receiver';
import { buildContainer, REPO, SAMPLE_FORMS, secretFor, writeSampleTenant } from '../support/test-setup';
import { tempDir } from '../support/temp-dir';

/**
 * `efa-forms coverage` as the command function, on copies of the repository's forms/ and
 * tenants/: the numbers equal a count made from the tenant files themselves, every format comes
 * out, --out writes the file whole, and bad input is one line with exit code 1.
 */
describe('efa-forms coverage', () => {
  const dir = tempDir('efa-coverage-cli-');
  const formsDir = path.join(dir.path, 'forms');
  const tenantsDir = path.join(dir.path, 'tenants');
  const NOW = new Date('2026-12-01T09:30:00Z');

  beforeAll(() => {
    cpSync(path.join(REPO, 'forms'), formsDir, { recursive: true });
    cpSync(path.join(REPO, 'tenants'), tenantsDir, { recursive: true });
  });
  afterAll(() => dir.remove());

  // A DATA_DIR without a database: the report has no delivery times (see the next describe for one with).
  const noData = path.join(dir.path, 'no-data');
  const noDatabaseNote = `coverage: no database in DATA_DIR ${noData} (efa-forms.sqlite): the authorities' last deliveries are not shown (run with the server's DATA_DIR or DATABASE_URL to see them)`;
  const run = (options: Record<string, string | true> = {}, extra: Partial<CliInput> = {}) => coverageCommand.run({
    args: [], options, json: false, formsDir, tenantsDir, env: { DATA_DIR: noData }, now: () => NOW, ...extra,
  });

  const tenants = (): Tenant[] => readdirSync(tenantsDir).filter((f) => f.endsWith('.json')).sort()
    .map((f) => JSON.parse(readFileSync(path.join(tenantsDir, f), 'utf8')) as Tenant);
  const formIds = (): string[] => readdirSync(formsDir).sort();

  /**
   * Counted from the tenant file alone: a municipality is online when the longest prefix of its
   * ARS that a serves entry of the form names belongs to a `live` entry (no rollout means live).
   */
  function independentCount(tenant: Tenant, formId: string) {
    const claims = tenant.authorities.flatMap((a) => a.serves.filter((s) => s.forms.includes(formId)).flatMap((s) => s.regions.map((prefix) => ({ prefix, live: (s.rollout ?? 'live') === 'live' }))));
    const online = tenant.municipalities.filter((m) => {
      const longest = claims.filter((c) => m.ars.startsWith(c.prefix)).sort((a, b) => b.prefix.length - a.prefix.length)[0];
      return longest?.live === true;
    });
    const districts = [...new Set(tenant.municipalities.map((m) => m.ars.slice(0, 5)))].sort();
    return {
      online: online.length,
      total: tenant.municipalities.length,
      districts: districts.map((key) => {
        const area = tenant.municipalities.filter((m) => m.ars.startsWith(key));
        const missing = area.filter((m) => !online.includes(m)).map((m) => m.ars).sort();
        return { key, online: area.length - missing.length, total: area.length, complete: missing.length === 0, missing };
      }),
    };
  }

  it('counts the planned, testing and paused routes of the Sachsen-Anhalt sample apart, not as online', async () => {
    const report = JSON.parse((await run({ format: 'json', tenant: 'sachsen-anhalt', form: 'hundesteuer-anmeldung' })).stdout) as CoverageReport;
    const item = report.items[0]!;
    expect(item.state.municipalities.online).toBe(1); // Magdeburg
    expect(item.state.notLive).toEqual({
      planned: { municipalities: 1, inhabitants: 80103 },
      testing: { municipalities: 1, inhabitants: 238762 },
      paused: { municipalities: 1, inhabitants: 32155 },
    });
    expect(item.districts.flatMap((d) => d.missing).find((m) => m.ars === '150010000000')).toEqual({ ars: '150010000000', name: 'Dessau-Roßlau', rollout: 'planned', plannedFrom: '2027-03-01' });
    const table = (await run({ tenant: 'sachsen-anhalt', form: 'hundesteuer-anmeldung' })).stdout;
    expect(table).toContain('  state 15: planned 1 (80.103 inhabitants), testing 1 (238.762 inhabitants), paused 1 (32.155 inhabitants)');
  });

  it('reports every form for every tenant, with the numbers counted from the tenant files', async () => {
    const result = await run({ format: 'json' });
    expect(result).toMatchObject({ exitCode: 0 });
    const report = JSON.parse(result.stdout) as CoverageReport;
    expect(report.generatedAt).toBe(NOW.toISOString());
    expect(report.items.map((i) => `${i.form.id}/${i.tenant.id}`)).toEqual(formIds().flatMap((f) => tenants().map((t) => `${f}/${t.id}`)));
    for (const item of report.items) {
      const tenant = tenants().find((t) => t.id === item.tenant.id)!;
      const count = independentCount(tenant, item.form.id);
      expect({ item: `${item.form.id}/${item.tenant.id}`, online: item.state.municipalities.online, total: item.state.municipalities.total })
        .toEqual({ item: `${item.form.id}/${item.tenant.id}`, online: count.online, total: count.total });
      expect(item.districts.map((d) => ({ key: d.key, online: d.municipalities.online, total: d.municipalities.total, complete: d.complete, missing: d.missing.map((m) => m.ars) })))
        .toEqual(count.districts);
    }
  });

  it('gives the same report for --json, and one tenant and form with --tenant and --form', async () => {
    const json = await run({}, { json: true });
    expect(json.exitCode).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual(JSON.parse((await run({ format: 'json' })).stdout));
    const tenant = tenants()[0]!;
    const one = JSON.parse((await run({ format: 'json', tenant: tenant.id, form: 'gewerbeanmeldung' })).stdout) as CoverageReport;
    expect(one.items.map((i) => `${i.form.id}/${i.tenant.id}`)).toEqual([`gewerbeanmeldung/${tenant.id}`]);
  });

  it('prints a table by default and CSV with --format csv', async () => {
    const table = await run();
    expect(table.exitCode).toBe(0);
    expect(table.stdout).toContain('coverage at 2026-12-01T09:30:00.000Z');
    expect(table.stdout).toMatch(/^area\s+municipalities\s+%\s+inhabitants\s+%\s+complete$/m);
    const csv = await run({ format: 'csv' });
    const lines = csv.stdout.split('\r\n');
    expect(lines[0]).toBe(COVERAGE_CSV_COLUMNS.join(','));
    const stateRows = lines.filter((l) => l.split(',')[2] === 'state');
    expect(stateRows).toHaveLength(formIds().length * tenants().length);
  });

  it('writes the HTML page to --out, whole, and replaces an older report', async () => {
    const outDir = path.join(dir.path, 'out');
    mkdirSync(outDir);
    const file = path.join(outDir, 'abdeckung.html');
    writeFileSync(file, 'old report');
    const result = await run({ format: 'html', out: file });
    expect(result).toEqual({ exitCode: 0, stdout: '', notes: [noDatabaseNote, `coverage: wrote the html report to ${file}`] });
    const html = readFileSync(file, 'utf8');
    expect(html.startsWith('<!doctype html>\n<html lang="de">')).toBe(true);
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
    expect(html).not.toContain('<script');
    // No temporary file is left beside it.
    expect(readdirSync(outDir)).toEqual(['abdeckung.html']);
  });

  it('refuses bad input with exit code 1 and one line', async () => {
    const tenantIds = tenants().map((t) => t.id).join(', ');
    expect(await run({ tenant: 'atlantis' })).toEqual({ exitCode: 1, stdout: '', problems: [`efa-forms coverage: tenant "atlantis" is not in ${tenantsDir} (there: ${tenantIds})`] });
    expect(await run({ form: 'nope' })).toEqual({ exitCode: 1, stdout: '', problems: [`efa-forms coverage: form "nope" is not in ${formsDir} (there: ${formIds().join(', ')})`] });
    expect(await run({ format: 'pdf' })).toEqual({ exitCode: 1, stdout: '', problems: ['efa-forms coverage: --format "pdf" is not one of table, csv, json, html'] });
    expect(await run({ tenant: true })).toEqual({ exitCode: 1, stdout: '', problems: ['efa-forms coverage: --tenant needs a value (see efa-forms coverage --help)'] });
    expect(await run({ format: 'csv' }, { json: true })).toMatchObject({ exitCode: 1, problems: ['efa-forms coverage: --json and --format csv contradict each other'] });
    expect(await run({}, { args: ['extra'] })).toMatchObject({ exitCode: 1, problems: [expect.stringContaining('unexpected argument "extra"')] });
    const missingFolder = path.join(dir.path, 'no-such-folder', 'report.html');
    expect(await run({ format: 'html', out: missingFolder })).toEqual({
      exitCode: 1, stdout: '', problems: [`${missingFolder}: cannot be written: its folder does not exist (ENOENT)`],
    });
  });

  it('answers a JSON document on stdout when JSON was asked for, even when refusing', async () => {
    for (const asked of [{ options: { tenant: 'atlantis', format: 'json' } }, { options: { tenant: 'atlantis' }, json: true }]) {
      const result = await run(asked.options, { json: asked.json ?? false });
      expect(result.exitCode).toBe(1);
      expect(JSON.parse(result.stdout)).toEqual({ ok: false, problems: result.problems });
    }
  });

  it('reports a broken tenant file as the server would, one file: pointer: reason line', async () => {
    const broken = path.join(dir.path, 'broken-tenants');
    cpSync(tenantsDir, broken, { recursive: true });
    const file = path.join(broken, `${tenants()[0]!.id}.json`);
    const tenant = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    writeFileSync(file, JSON.stringify({ ...tenant, regions: 'sixteen' }));
    const result = await run({}, { tenantsDir: broken });
    expect(result.exitCode).toBe(1);
    expect(result.problems).toEqual([expect.stringMatching(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: /regions: `))]);
  });

  it('has help naming every option and the exit codes', () => {
    for (const option of ['--tenant', '--form', '--format', '--out', '--authorities', '--json', '--forms', '--tenants', 'table|csv|json|html', 'DATA_DIR', 'Exit codes']) {
      expect(coverageCommand.help).toContain(option);
    }
    expect(coverageCommand.valueOptions).toEqual(['tenant', 'form', 'format', 'out']);
    expect(coverageCommand.flags).toEqual(['authorities']);
  });

  it('without a database in DATA_DIR: the authorities without delivery times, a note saying so, and no database created', async () => {
    const result = await run({ format: 'json', tenant: 'thueringen' });
    expect(result.exitCode).toBe(0);
    expect(result.notes).toEqual([noDatabaseNote]);
    const report = JSON.parse(result.stdout) as CoverageReport;
    expect(report.deliveriesKnown).toBe(false);
    const tenant = tenants().find((t) => t.id === 'thueringen')!;
    expect(report.authorities.map((t) => t.tenant.id)).toEqual(['thueringen']);
    expect(report.authorities[0]!.authorities.map((a) => a.id)).toEqual(tenant.authorities.map((a) => a.id));
    expect(Object.keys(report.authorities[0]!.authorities[0]!)).toEqual(['id', 'name', 'channel', 'responsibilities']);
    expect(existsSync(noData)).toBe(false);
    // --authorities chooses the CSV table only.
    expect(await run({ format: 'table', authorities: true })).toMatchObject({
      exitCode: 1, problems: ['efa-forms coverage: --authorities chooses the CSV table; the table report always shows the authorities (use --format csv --authorities)'],
    });
  });
});

/** The same command as an operator runs it: `efa-forms coverage …` as a process (src/cli/main.ts). */
describe('efa-forms coverage as a process', () => {
  const dir = tempDir('efa-coverage-process-');
  const forms = path.join(dir.path, 'forms');
  const tenantsDir = path.join(dir.path, 'tenants');
  beforeAll(() => {
    cpSync(path.join(REPO, 'forms'), forms, { recursive: true });
    cpSync(path.join(REPO, 'tenants'), tenantsDir, { recursive: true });
  });
  afterAll(() => dir.remove());

  it('writes the HTML page with --out and prints CSV on stdout', async () => {
    const file = path.join(dir.path, 'abdeckung.html');
    const html = await runCli(['coverage', '--format', 'html', '--out', file], { FORMS_DIR: forms, TENANTS_DIR: tenantsDir });
    expect(html).toMatchObject({ code: 0, stdout: '' });
    expect(html.stderr).toContain(`wrote the html report to ${file}`);
    expect(readFileSync(file, 'utf8')).toContain('<html lang="de">');
    const csv = await runCli(['coverage', '--format', 'csv', '--form', 'gewerbeanmeldung', '--forms', forms, '--tenants', tenantsDir]);
    expect(csv.code).toBe(0);
    expect(csv.stdout.split('\r\n')[0]).toBe(COVERAGE_CSV_COLUMNS.join(','));
  });

  it('exits 1 with one line and no stack trace for an unknown tenant', async () => {
    const result = await runCli(['coverage', '--tenant', 'atlantis', '--forms', forms, '--tenants', tenantsDir]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringContaining('tenant "atlantis" is not in')]);
    expect(result.stderr).not.toMatch(STACK_LINE);
  });
});

/**
 * With the running server's database: a container on a DATA_DIR (standing in for the server,
 * left open) makes a real test delivery to a real receiver; `efa-forms coverage` as a second
 * process on the same DATA_DIR shows it per authority and flags the live ones never delivered to.
 */
describe('efa-forms coverage with the server\'s database', () => {
  const dir = tempDir('efa-coverage-db-');
  const tenantsDir = path.join(dir.path, 'tenants');
  const dataDir = path.join(dir.path, 'data');
  let receiver: TestReceiver;
  let container: Container;
  let env: Record<string, string>;
  beforeAll(async () => {
    mkdirSync(tenantsDir);
    receiver = await startReceiver(secretFor);
    env = { ...writeSampleTenant(tenantsDir, receiver.url), FORMS_DIR: SAMPLE_FORMS, TENANTS_DIR: tenantsDir, DATA_DIR: dataDir };
    container = await buildContainer(env);
  });
  afterAll(async () => {
    await container.close(1000);
    await receiver.close();
    dir.remove();
  });

  it('shows the last successful test per authority, in JSON, the table and the authorities\' CSV', async () => {
    const sent = await container.live.current().testDeliveries.send('stadt-erfurt-buergeramt', { kind: 'admin', id: 'admin' });
    expect(sent).toMatchObject({ outcome: 'delivered' });
    expect(receiver.requests.at(-1)!.signatureValid).toBe(true);

    const json = await runCli(['coverage', '--json'], env);
    expect(json.code).toBe(0);
    expect(json.stderr).toBe('');
    const report = JSON.parse(json.stdout) as CoverageReport;
    expect(report.deliveriesKnown).toBe(true);
    const listed = report.authorities[0]!.authorities;
    const erfurt = listed.find((a) => a.id === 'stadt-erfurt-buergeramt')!;
    expect(erfurt).toMatchObject({ lastRealDeliveryAt: null, liveWithoutDelivery: false });
    // When the receiver took it: before the answer was given.
    const testedAt = String(erfurt.lastSuccessfulTestAt);
    expect(Date.parse(testedAt)).toBeLessThanOrEqual(Date.parse(sent!.at));
    const flagged = listed.filter((a) => a.liveWithoutDelivery).map((a) => a.id);
    expect(flagged.length).toBeGreaterThan(0);
    expect(flagged).not.toContain('stadt-erfurt-buergeramt');

    const table = await runCli(['coverage'], env);
    expect(table.stdout).toMatch(new RegExp(`^stadt-erfurt-buergeramt\\s+http\\s+\\d+\\s+\\d+\\s+\\d+\\s+\\d+\\s+${testedAt.replace(/\.\d{3}Z$/, 'Z')}\\s+never$`, 'm'));
    expect(table.stdout).toContain(`live, but the channel never took a delivery (test or real): ${flagged.join(', ')} (efa-forms test-delivery <authority-id>)`);

    const csv = await runCli(['coverage', '--format', 'csv', '--authorities'], env);
    expect(csv.code).toBe(0);
    const lines = csv.stdout.split('\r\n');
    expect(lines[0]).toBe(COVERAGE_AUTHORITIES_CSV_COLUMNS.join(','));
    expect(lines.find((l) => l.startsWith('thueringen,stadt-erfurt-buergeramt,'))).toMatch(new RegExp(`,${testedAt.replace(/\./g, '\\.')},,false$`));
  });
});
