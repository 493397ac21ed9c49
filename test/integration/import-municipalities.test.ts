import { chmodSync, cpSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { importMunicipalitiesCommand } from '../../src/cli/commands/import-municipalities';
import type { CliResult } from '../../src/cli/command';
import { loadFormRegistry } from '../../src/forms/form-registry';
import { loadTenantFiles } from '../../src/routing/load-tenants';
import { buildRoutingTable } from '../../src/routing/routing-table';
import type { Tenant } from '../../src/routing/tenant';
import { runCli, STACK_LINE } from '../support/run-cli';
import { requireSharedData, sharedFile } from '../support/shared-data';
import { tempDir } from '../support/temp-dir';

/**
 * `efa-forms import-municipalities` as the CLI runs it (the command function with the options
 * the entry point parses; the last block runs the real CLI as a process), on a copy of the
 * sample forms/ and tenants/ and the official directory of Thüringen in ../shared/data (never
 * copied into this repository).
 */
const REPO = path.join(__dirname, '..', '..');
const THUERINGEN = sharedFile('gv100ad-thueringen-20201231.txt');
const THUERINGEN_PLZ = sharedFile('plz-thueringen.csv');
const SACHSEN_ANHALT = sharedFile('gv100ad-sachsen-anhalt-20201231.txt');
const FIXTURES = path.join(REPO, 'test', 'fixtures', 'gv100ad');
requireSharedData(['gv100ad-thueringen-20201231.txt', 'plz-thueringen.csv', 'gv100ad-sachsen-anhalt-20201231.txt']);

let work: ReturnType<typeof tempDir>;
let tenantFile: string;

beforeEach(() => {
  work = tempDir('efa-import-');
  cpSync(path.join(REPO, 'forms'), path.join(work.path, 'forms'), { recursive: true });
  cpSync(path.join(REPO, 'tenants'), path.join(work.path, 'tenants'), { recursive: true });
  tenantFile = path.join(work.path, 'tenants', 'thueringen.json');
});
afterEach(() => work.remove());

function run(options: Record<string, string | true>, json = false, args: string[] = []): Promise<CliResult> {
  return importMunicipalitiesCommand.run({
    args, options, json,
    formsDir: path.join(work.path, 'forms'),
    tenantsDir: path.join(work.path, 'tenants'),
    env: {},
    now: () => new Date('2026-12-01T10:00:00Z'),
  });
}

/** The members of an object except some. */
function without(value: object, ...keys: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([key]) => !keys.includes(key)));
}

const readTenant = (): Tenant => JSON.parse(readFileSync(tenantFile, 'utf8')) as Tenant;
const stdoutJson = (result: CliResult): any => JSON.parse(result.stdout);

/** A directory file of the test's own, in the temp folder. */
function writeInput(name: string, content: string | Buffer): string {
  const file = path.join(work.path, name);
  writeFileSync(file, content);
  return file;
}

/**
 * After an import of Thüringen: two responsibilities given before a merger (one for Berka's own
 * key, one for its association) added to the tenant, and a directory in which Berka v. d.
 * Hainich (16063006) and Bischofroda (16063008) have become Hainichland (16063110).
 */
function mergeBerka(): { readonly authorities: readonly unknown[]; readonly directory: string } {
  const tenant = readTenant();
  const authorities = [
    ...tenant.authorities,
    { id: 'gemeinde-berka', name: 'Gemeinde Berka v. d. Hainich', email: 'berka@example.org', delivery: { type: 'email' }, serves: [{ forms: ['hundesteuer-anmeldung'], regions: ['160635006006'] }] },
    { id: 'vg-hainich-werratal', name: 'VG Hainich-Werratal', email: 'vg@example.org', delivery: { type: 'email' }, serves: [{ forms: ['gewerbeanmeldung'], regions: ['160635006'] }] },
  ];
  writeFileSync(tenantFile, `${JSON.stringify({ ...tenant, authorities }, null, 2)}\n`);
  const lines = readFileSync(THUERINGEN, 'utf8').split('\n');
  const berka = lines.findIndex((line) => line.startsWith('6020201231160630065006'));
  expect(lines[berka + 1]!.startsWith('6020201231160630085006Bischofroda')).toBe(true);
  lines.splice(berka, 2, `6020201231160631105006${'Hainichland'.padEnd(50)}${lines[berka]!.slice(72)}`);
  return { authorities, directory: writeInput('gv100ad-merged.txt', lines.join('\n')) };
}

describe('import-municipalities on its own fixtures', () => {
  test('refuses missing options and arguments, naming what is wrong; writes nothing', async () => {
    const before = readFileSync(tenantFile);
    const result = await run({ tenant: true }, false, ['extra']);
    expect(result.exitCode).toBe(1);
    expect(result.problems).toEqual([
      'import-municipalities: takes no arguments, got "extra" (see --help)',
      'import-municipalities: --tenant <id> is required with a value',
      'import-municipalities: --directory <file> is required',
    ]);
    expect(readFileSync(tenantFile)).toEqual(before);
  });

  test('names an unknown tenant and an unreadable file', async () => {
    const unknown = await run({ tenant: 'bayern', directory: path.join(FIXTURES, 'small-directory.txt') });
    expect(unknown.problems).toEqual([`${path.join(work.path, 'tenants')}: has no tenant "bayern" (tenants: ${readdirSync(path.join(work.path, 'tenants')).map((n) => n.replace(/\.json$/, '')).join(', ')})`]);
    const missing = path.join(work.path, 'nope.txt');
    const absent = await run({ tenant: 'thueringen', directory: missing }, true);
    expect(absent.exitCode).toBe(1);
    expect(absent.problems).toEqual([`${missing}: does not exist (ENOENT)`]);
    expect(stdoutJson(absent)).toEqual({ ok: false, problems: [`${missing}: does not exist (ENOENT)`] });
  });

  test('a malformed line stops the import with file:line: reason, also in ISO-8859-1 with CRLF; nothing is written', async () => {
    const before = readFileSync(tenantFile);
    const lines = readFileSync(path.join(FIXTURES, 'small-directory.txt'), 'utf8').split('\n');
    lines[6] = `${lines[6]!.slice(0, 139)}00000007x00${lines[6]!.slice(150)}`;
    const file = writeInput('broken.txt', Buffer.from(lines.join('\r\n'), 'latin1'));
    const result = await run({ tenant: 'thueringen', directory: file });
    expect(result.exitCode).toBe(1);
    expect(result.problems).toEqual([`${file}:7: population (positions 140–150) is "00000007x00", expected a number`]);
    expect(result.stdout).toBe('');
    expect(readFileSync(tenantFile)).toEqual(before);
  });

  test('refuses a binary file (NUL bytes) before its bytes could reach a problem line; writes nothing', async () => {
    const before = readFileSync(tenantFile);
    const binary = writeInput('program', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x1b, 0x5b, 0x32, 0x4a, 0x0a, 0x00, 0x9b]));
    const result = await run({ tenant: 'thueringen', directory: binary, 'postal-codes': binary });
    expect(result.exitCode).toBe(1);
    expect(result.problems).toEqual([`${binary}: is not a text file (it contains NUL bytes)`, `${binary}: is not a text file (it contains NUL bytes)`]);
    expect(readFileSync(tenantFile)).toEqual(before);
  });

  test('has help text with usage, options and exit codes', () => {
    expect(importMunicipalitiesCommand.help).toMatch(/^Usage: efa-forms import-municipalities --tenant <id> --directory <GV100AD file>/);
    for (const option of ['--postal-codes', '--dry-run', '--json', 'Exit codes:']) expect(importMunicipalitiesCommand.help).toContain(option);
    expect(importMunicipalitiesCommand.valueOptions).toEqual(['tenant', 'directory', 'postal-codes']);
  });
});

describe('import-municipalities with the official directory of Thüringen', () => {
  const importThueringen = (extra: Record<string, string | true> = {}, json = false) =>
    run({ tenant: 'thueringen', directory: THUERINGEN, 'postal-codes': THUERINGEN_PLZ, ...extra }, json);

  test('yields 633 municipalities with ARS, search names, official names, population and postal codes', async () => {
    const result = await importThueringen();
    expect(result.problems).toBeUndefined();
    expect(result.exitCode).toBe(0);
    const tenant = readTenant();
    expect(tenant.municipalities).toHaveLength(633);
    expect(tenant.districts).toHaveLength(23);
    expect(tenant.associations).toHaveLength(190);
    const erfurt = tenant.municipalities.find((m) => m.ars === '160510000000');
    // Counted independently: every postal code the CSV gives for Erfurt's AGS.
    const csvCodes = readFileSync(THUERINGEN_PLZ, 'utf8').split('\n').filter((row) => row.startsWith('16051000,')).map((row) => row.split(',')[1]);
    expect(erfurt).toEqual({ ars: '160510000000', name: 'Erfurt', officialName: 'Erfurt, Stadt', population: 213981, postalCodes: [...new Set(['99084', ...csvCodes])].sort() });
    expect(erfurt?.postalCodes.length).toBeGreaterThan(10);
    expect(tenant.municipalities.find((m) => m.ars === '160635006006')).toMatchObject({ name: 'Berka v. d. Hainich', postalCodes: ['99826'] });
    expect(tenant.associations).toContainEqual({ ars: '160635006', name: 'Hainich-Werratal', kind: 54 });
    expect(tenant.districts).toContainEqual({ ars: '16063', name: 'Wartburgkreis', kind: 44 });
    expect(tenant.municipalities.map((m) => m.ars)).toEqual(tenant.municipalities.map((m) => m.ars).sort());

    expect(result.stdout).toContain('Municipalities: 8 before, 633 after: 625 added, 0 removed, 0 renamed');
    expect(result.stdout).toContain('  + 160635006006 Berka v. d. Hainich\n');
    expect(result.stdout).toContain('Responsibilities that match no municipality: none');
    expect(result.stdout).toContain(`Written: ${tenantFile}`);
    expect(result.notes).toEqual([`warning: ${THUERINGEN_PLZ}: 1 AGS is not in the directory; its postal codes are not used`]);
  });

  test('keeps the authorities and everything else as it was, one municipality per line, and loads as the server loads it', async () => {
    const before = JSON.parse(readFileSync(tenantFile, 'utf8')) as Tenant;
    await importThueringen();
    const text = readFileSync(tenantFile, 'utf8');
    const after = JSON.parse(text) as Tenant;
    expect(without(after, 'municipalities', 'districts', 'associations')).toEqual(without(before, 'municipalities'));
    const keys = Object.keys(before).flatMap((key) => (key === 'municipalities' ? [key, 'districts', 'associations'] : [key]));
    expect(Object.keys(after)).toEqual(keys);
    expect(after.authorities.map((a) => a.id)).toEqual(before.authorities.map((a) => a.id));
    expect(text.split('\n').filter((line) => /^ {4}\{ "ars": "[0-9]{12}", /.test(line))).toHaveLength(633);
    expect(text.split('\n').length).toBeLessThan(633 + 190 + 23 + 250);

    const sources = await loadTenantFiles(path.join(work.path, 'tenants'));
    const forms = await loadFormRegistry(path.join(work.path, 'forms'));
    const routing = buildRoutingTable(sources, new Set(forms.ids()));
    expect(routing.resolve('gewerbeanmeldung', '160510000000')?.authority.id).toBe('stadt-erfurt-buergeramt');
    // Arnstadt was not in the hand-written sample; the Ilm-Kreis district authority serves it now.
    expect(routing.resolve('gewerbeanmeldung', '160700004004')).toMatchObject({ prefix: '16070', authority: { id: 'landratsamt-ilm-kreis' } });
  });

  test('writes atomically: a new file renamed over the old one, its permissions kept, no temporary file left', async () => {
    chmodSync(tenantFile, 0o640);
    const inode = statSync(tenantFile).ino;
    await importThueringen();
    expect(statSync(tenantFile).ino).not.toBe(inode);
    expect(statSync(tenantFile).mode & 0o777).toBe(0o640);
    expect(readdirSync(path.join(work.path, 'tenants')).filter((name) => !name.endsWith('.json'))).toEqual([]);
  });

  test('--dry-run reports the same and writes nothing; a second import changes nothing', async () => {
    const original = readFileSync(tenantFile);
    const dry = await importThueringen({ 'dry-run': true });
    expect(dry.exitCode).toBe(0);
    expect(dry.stdout).toContain('Municipalities: 8 before, 633 after');
    expect(dry.stdout).toContain(`Dry run: ${tenantFile} not written`);
    expect(readFileSync(tenantFile)).toEqual(original);

    await importThueringen();
    const written = readFileSync(tenantFile);
    const again = await importThueringen({}, true);
    expect(stdoutJson(again)).toMatchObject({ ok: true, outcome: 'unchanged', written: false, municipalities: { before: 633, after: 633, added: [], removed: [], renamed: [] } });
    expect(readFileSync(tenantFile)).toEqual(written);
  });

  test('reads the directory as older years come, ISO-8859-1 with CRLF, to the same file', async () => {
    await importThueringen();
    const fromUtf8 = readFileSync(tenantFile, 'utf8');
    const old = writeInput('gv100ad-latin1.txt', Buffer.from(readFileSync(THUERINGEN, 'utf8').replace(/\n/g, '\r\n'), 'latin1'));
    const result = await run({ tenant: 'thueringen', directory: old, 'postal-codes': THUERINGEN_PLZ }, true);
    expect(stdoutJson(result)).toMatchObject({ outcome: 'unchanged', directory: { encoding: 'ISO-8859-1', gebietsstand: '2020-12-31' } });
    expect(readFileSync(tenantFile, 'utf8')).toBe(fromUtf8);
  });

  test('a re-import where two municipalities merged reports the removed, the added and the broken responsibilities', async () => {
    await importThueringen();
    const { authorities, directory } = mergeBerka();
    const result = await run({ tenant: 'thueringen', directory, 'postal-codes': THUERINGEN_PLZ }, true);
    expect(result.exitCode).toBe(0);
    const report = stdoutJson(result);
    expect(report.municipalities).toMatchObject({
      before: 633,
      after: 632,
      added: [{ ars: '160635006110', name: 'Hainichland' }],
      removed: [{ ars: '160635006006', name: 'Berka v. d. Hainich' }, { ars: '160635006008', name: 'Bischofroda' }],
      renamed: [],
    });
    // The association's responsibility still matches (Hainichland is in it); Berka's own does not.
    expect(report.unmatchedRegions).toEqual([{
      authority: 'gemeinde-berka',
      pointer: `/authorities/${authorities.length - 2}/serves/0/regions/0`,
      region: '160635006006',
      forms: ['hundesteuer-anmeldung'],
      matchedBefore: 1,
    }]);
    expect(result.notes).toContain('warning: 1 responsibility matches no municipality any more (lines with ! in the report)');
    expect(readTenant().authorities).toEqual(authorities);
    expect(readTenant().municipalities.find((m) => m.ars === '160635006110')).toMatchObject({ name: 'Hainichland' });

    // The same report as the operator reads it.
    const text = await run({ tenant: 'thueringen', directory: THUERINGEN, 'postal-codes': THUERINGEN_PLZ, 'dry-run': true });
    expect(text.stdout).toContain('Municipalities: 632 before, 633 after: 2 added, 1 removed, 0 renamed');
    expect(text.stdout).toContain('  - 160635006110 Hainichland\n');
    expect(text.stdout).toContain('  + 160635006008 Bischofroda\n');
  });

  test('reports the broken responsibility in the text report', async () => {
    await importThueringen();
    const tenant = readTenant();
    const authorities = [...tenant.authorities, { id: 'gemeinde-nazza', name: 'Gemeinde Nazza', email: 'nazza@example.org', delivery: { type: 'email' }, serves: [{ forms: ['hundesteuer-anmeldung', 'anwohnerparkausweis'], regions: ['160635006058'] }] }];
    writeFileSync(tenantFile, `${JSON.stringify({ ...tenant, authorities }, null, 2)}\n`);
    const lines = readFileSync(THUERINGEN, 'utf8').split('\n').filter((line) => !line.startsWith('6020201231160630585006'));
    const result = await run({ tenant: 'thueringen', directory: writeInput('without-nazza.txt', lines.join('\n')), 'dry-run': true });
    expect(result.stdout).toContain('Responsibilities that match no municipality: 1 (1 broken by this directory)\n');
    expect(result.stdout).toContain(`  ! gemeinde-nazza /authorities/${authorities.length - 1}/serves/0/regions/0: "160635006058" for hundesteuer-anmeldung, anwohnerparkausweis: matched 1 municipality before, none now\n`);
    expect(result.stdout).toContain('  - 160635006058 Nazza\n');
  });

  test('refuses the wrong state\'s directory instead of removing every municipality', async () => {
    const result = await run({ tenant: 'thueringen', directory: SACHSEN_ANHALT });
    expect(result.exitCode).toBe(1);
    expect(result.problems).toEqual([`${SACHSEN_ANHALT}: has no municipality in the regions of tenant "thueringen" (16); its 218 municipalities lie in Land 15`]);
  });

  test('imports a second state beside the first; each tenant keeps to its regions', async () => {
    // The samples may hold a tenant of Sachsen-Anhalt by now; otherwise the test makes one.
    const tenants = path.join(work.path, 'tenants');
    const existing = (await loadTenantFiles(tenants)).find((source) => source.tenant.regions.includes('15'));
    const id = existing?.tenant.id ?? 'sachsen-anhalt-test';
    if (existing === undefined) {
      const sachsenAnhalt = { ...readTenant(), id, name: { de: 'Sachsen-Anhalt' }, regions: ['15'], municipalities: [], authorities: [] };
      writeFileSync(path.join(tenants, `${id}.json`), `${JSON.stringify(sachsenAnhalt, null, 2)}\n`);
    }
    expect((await importThueringen()).exitCode).toBe(0);
    const result = await run({ tenant: id, directory: SACHSEN_ANHALT }, true);
    expect(stdoutJson(result)).toMatchObject({ ok: true, outcome: 'written', municipalities: { after: 218 } });
    const sources = await loadTenantFiles(path.join(work.path, 'tenants'));
    expect(sources.map((s) => [s.tenant.id, s.tenant.municipalities.length])).toEqual(expect.arrayContaining([[id, 218], ['thueringen', 633]]));
  });

  test('writes only if the result passes check: with a form of the authorities missing, nothing is written', async () => {
    rmSync(path.join(work.path, 'forms', 'gewerbeanmeldung'), { recursive: true });
    const before = readFileSync(tenantFile);
    const result = await importThueringen();
    expect(result.exitCode).toBe(1);
    expect(result.problems?.length).toBeGreaterThan(0);
    // Every tenant's authorities that serve the missing form are named (the samples have two tenants).
    expect(result.problems?.every((p) => /: \/authorities\//.test(p) && p.includes('form "gewerbeanmeldung" is not loaded from FORMS_DIR'))).toBe(true);
    expect(result.problems?.some((p) => p.startsWith(`${tenantFile}: /authorities/`))).toBe(true);
    expect(result.stdout).toContain(`Not written: ${tenantFile} (the result does not pass check; problems on stderr)`);
    expect(readFileSync(tenantFile)).toEqual(before);
  });
});

describe('efa-forms import-municipalities run as a process, as an operator runs it', () => {
  const cli = (...args: string[]) =>
    runCli(['import-municipalities', '--tenant', 'thueringen', '--forms', path.join(work.path, 'forms'), '--tenants', path.join(work.path, 'tenants'), ...args]);

  test('refuses a device that never ends and a binary file at once: exit 1, one line each', async () => {
    const binary = writeInput('program', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x1b, 0x5b, 0x32, 0x4a, 0x00]));
    const started = Date.now();
    const result = await cli('--directory', '/dev/zero', '--postal-codes', binary);
    expect(result).toEqual({ code: 1, stdout: '', stderr: `/dev/zero: is not a text file (it contains NUL bytes)\n${binary}: is not a text file (it contains NUL bytes)\n` });
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  test('imports Thüringen: 633 municipalities written, exit 0', async () => {
    const result = await cli('--directory', THUERINGEN, '--postal-codes', THUERINGEN_PLZ);
    expect(result.stderr).toBe(`warning: ${THUERINGEN_PLZ}: 1 AGS is not in the directory; its postal codes are not used\n`);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Municipalities: 8 before, 633 after: 625 added, 0 removed, 0 renamed');
    expect(result.stdout).toContain(`\nWritten: ${tenantFile}\n`);
    expect(readTenant().municipalities).toHaveLength(633);
  });

  test('a re-import after a merger lists the removed, the added and the broken responsibility: exit 0', async () => {
    expect((await run({ tenant: 'thueringen', directory: THUERINGEN })).exitCode).toBe(0);
    const { authorities, directory } = mergeBerka();
    const result = await cli('--directory', directory);
    expect(result.stderr).toBe('warning: 1 responsibility matches no municipality any more (lines with ! in the report)\n');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Municipalities: 633 before, 632 after: 1 added, 2 removed, 0 renamed');
    for (const line of ['  + 160635006110 Hainichland', '  - 160635006006 Berka v. d. Hainich', '  - 160635006008 Bischofroda']) expect(result.stdout).toContain(`\n${line}\n`);
    expect(result.stdout).toContain(`\n  ! gemeinde-berka /authorities/${authorities.length - 2}/serves/0/regions/0: "160635006006" for hundesteuer-anmeldung: matched 1 municipality before, none now\n`);
    expect(result.stdout).toContain(`\nWritten: ${tenantFile}\n`);
  });

  test('a malformed line of the real directory: exit 1, file:line: reason on stderr, no stack trace, nothing written', async () => {
    const before = readFileSync(tenantFile);
    const lines = readFileSync(THUERINGEN, 'utf8').split('\n');
    lines[299] = `${lines[299]!.slice(0, 122)}X${lines[299]!.slice(123)}`;
    const file = writeInput('gv100ad-broken.txt', lines.join('\n'));
    const result = await cli('--directory', file, '--postal-codes', THUERINGEN_PLZ);
    expect(result).toEqual({ code: 1, stdout: '', stderr: `${file}:300: Textkennzeichen (positions 123–124) is "X3", expected 60–67 for Satzart 60\n` });
    expect(result.stderr).not.toMatch(STACK_LINE);
    expect(readFileSync(tenantFile)).toEqual(before);
  });
});
