import path from 'node:path';
import { checkCommand } from '../../src/cli/commands/check';
import { routeCommand } from '../../src/cli/commands/route';
import { parseCommandArgs, UsageError } from '../../src/cli/parse-args';
import { runCli, type CliContext } from '../../src/cli/run-cli';
import { REPO } from '../support/test-setup';

/**
 * The command line of efa-forms read in-process (the process itself is tested in
 * test/integration/cli-*.test.ts): options, help, and every error as one line with exit code 1.
 */
describe('parseCommandArgs', () => {
  const spec = { valueOptions: ['tenant'], flags: ['dry-run'] };

  test('splits arguments, value options (both spellings) and flags', () => {
    expect(parseCommandArgs(['a', '--tenant', 'x', 'b', '--dry-run', '--forms=f', '--json'], spec, 'cmd')).toEqual({
      args: ['a', 'b'],
      options: { tenant: 'x', 'dry-run': true, forms: 'f', json: true },
    });
  });

  test('after -- everything is an argument', () => {
    expect(parseCommandArgs(['--', '--tenant', '-x'], spec, 'cmd')).toEqual({ args: ['--tenant', '-x'], options: {} });
  });

  test.each([
    [['--nope'], 'efa-forms cmd: unknown option --nope (see efa-forms cmd --help)'],
    [['-n'], 'efa-forms cmd: unknown option -n (see efa-forms cmd --help)'],
    [['--tenant'], 'efa-forms cmd: --tenant needs a value (see efa-forms cmd --help)'],
    [['--tenant', '--dry-run'], 'efa-forms cmd: --tenant needs a value (see efa-forms cmd --help)'],
    [['--tenant='], 'efa-forms cmd: --tenant needs a value (see efa-forms cmd --help)'],
    [['--dry-run=no'], 'efa-forms cmd: --dry-run takes no value'],
    [['--json', '--json'], 'efa-forms cmd: --json is given twice'],
  ])('%j is refused: %s', (words, message) => {
    expect(() => parseCommandArgs(words, spec, 'cmd')).toThrow(new UsageError(message));
  });
});

describe('runCli', () => {
  const context: CliContext = { commands: [checkCommand, routeCommand], env: {}, now: () => new Date(0), version: '9.9.9' };
  const run = (...words: string[]) => runCli(words, context);

  test.each([[[]], [['--help']], [['-h']], [['help']]])('%j: the global help, listing the commands', async (words) => {
    const result = await run(...words);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('\n  check           Check settings');
    expect(result.stdout).toContain('\n  route           Who is responsible');
    expect(result.stdout).toContain('--tenants <dir>');
  });

  test('--version', async () => {
    expect(await run('--version')).toEqual({ exitCode: 0, stdout: 'efa-forms 9.9.9\n' });
  });

  test('help wins over options the command would refuse, but not after --', async () => {
    expect((await run('route', '--nope', '--help')).stdout).toBe(`${routeCommand.help}\n`);
    expect((await run('help', 'check')).stdout).toBe(`${checkCommand.help}\n`);
    expect(await run('route', '--', '--help')).toMatchObject({ exitCode: 1, problems: ['efa-forms route: needs a form id and a place (see efa-forms route --help)'] });
  });

  test.each([
    [['nope'], 'efa-forms: unknown command "nope" (commands: check, route; see efa-forms --help)'],
    [['help', 'nope'], 'efa-forms: unknown command "nope" (commands: check, route; see efa-forms --help)'],
    [['--tenants', 'x', 'check'], 'efa-forms: --tenants is not a command; the command comes first (see efa-forms --help)'],
    [['check', '--json=1'], 'efa-forms check: --json takes no value'],
    [['check', 'extra'], 'efa-forms check: unexpected argument "extra" (see efa-forms check --help)'],
  ])('%j: exit 1 with one line', async (words, line) => {
    expect(await run(...words)).toEqual({ exitCode: 1, stdout: '', problems: [line] });
  });

  test('with --json, an error is also a JSON document on stdout', async () => {
    const result = await run('check', '--json', '--nope');
    expect(result.exitCode).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({ ok: false, problems: ['efa-forms check: unknown option --nope (see efa-forms check --help)'] });
  });

  test('--forms and --tenants override FORMS_DIR and TENANTS_DIR, which override the defaults', async () => {
    const forms = path.join(REPO, 'forms');
    const tenants = path.join(REPO, 'tenants');
    const withEnv: CliContext = { ...context, env: { FORMS_DIR: forms, TENANTS_DIR: '/nowhere', TEMPLATES_DIR: path.join(REPO, 'templates') } };
    expect((await runCli(['check'], withEnv)).problems).toEqual(['/nowhere: /: cannot read the tenants folder: does not exist (ENOENT)']);
    expect((await runCli(['check', '--tenants', tenants], withEnv)).exitCode).toBe(0);
    expect((await runCli(['route', 'gewerbeanmeldung', 'Erfurt', '--tenants', tenants, '--forms', '/nowhere/forms'], withEnv)).problems)
      .toEqual([expect.stringMatching(/^\/nowhere\/forms: /)]);
  });
});
