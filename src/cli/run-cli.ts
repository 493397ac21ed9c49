import { ConfigError } from '../config/load-config';
import { StartupError } from '../startup-error';
import type { CliCommand, CliResult } from './command';
import { failure } from './failure';
import { COMMON_FLAGS, COMMON_OPTIONS_HELP, COMMON_VALUE_OPTIONS, parseCommandArgs, UsageError } from './parse-args';
import { serverSetting } from './server-settings';

export interface CliContext {
  readonly commands: readonly CliCommand[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly now: () => Date;
  readonly version: string;
}

function globalHelp(commands: readonly CliCommand[]): string {
  const width = Math.max(...commands.map((c) => c.name.length), 'help [command]'.length);
  const rows = [...commands.map((c) => [c.name, c.summary] as const), ['help [command]', 'This text, or the help of a command'] as const];
  return `efa-forms: the operators' commands of efa-forms

Usage: efa-forms <command> [arguments] [options]
       npm run --silent efa -- <command> [arguments] [options]   (in a checkout; builds if needed)

Commands:
${rows.map(([name, summary]) => `  ${name.padEnd(width)}  ${summary}`).join('\n')}

${COMMON_OPTIONS_HELP}

Exit codes: 0 success; 1 bad input or configuration (one line per problem on stderr,
"file: pointer: reason" or "file:line: reason"); a command may have more (see its --help).
The folders default to FORMS_DIR and TENANTS_DIR, read as the server reads them.
`;
}

const withNewline = (text: string): string => (text.endsWith('\n') ? text : `${text}\n`);

/** The line an error becomes: its problems for the known kinds, else its message (never a stack). */
function problemsOf(err: unknown, where: string): string[] {
  if (err instanceof StartupError) return [...err.problems];
  if (err instanceof ConfigError) return [`configuration error: ${err.message}`];
  if (err instanceof UsageError) return [err.message];
  const message = err instanceof Error ? err.message : String(err);
  return [`${where}: ${message.split('\n')[0] ?? ''}`];
}

/**
 * What `efa-forms <words>` prints and its exit code: global help, a command's help, or the
 * command's result. Every error ends here as one line per problem with exit code 1, so the entry
 * point (main.ts) only writes what it gets.
 */
export async function runCli(words: readonly string[], context: CliContext): Promise<CliResult> {
  const [first, ...rest] = words;
  const wantsJson = words.includes('--json');
  try {
    if (first === undefined || first === '--help' || first === '-h' || (first === 'help' && rest.length === 0)) {
      return { exitCode: 0, stdout: globalHelp(context.commands) };
    }
    if (first === '--version') return { exitCode: 0, stdout: `efa-forms ${context.version}\n` };
    if (first.startsWith('-')) throw new UsageError(`efa-forms: ${first} is not a command; the command comes first (see efa-forms --help)`);
    const helpFor = first === 'help' ? rest[0] : undefined;
    const name = helpFor ?? first;
    const command = context.commands.find((c) => c.name === name);
    if (!command) throw new UsageError(`efa-forms: unknown command "${name}" (commands: ${context.commands.map((c) => c.name).join(', ')}; see efa-forms --help)`);
    // --help wins over everything else on the line, even over options the command would refuse.
    const beforeDashes = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
    if (helpFor !== undefined || beforeDashes.includes('--help') || beforeDashes.includes('-h')) return { exitCode: 0, stdout: withNewline(command.help) };

    const { args, options } = parseCommandArgs(rest, command, command.name);
    const common = new Set<string>([...COMMON_VALUE_OPTIONS, ...COMMON_FLAGS]);
    const own = Object.fromEntries(Object.entries(options).filter(([key]) => !common.has(key)));
    const forms = options.forms;
    const tenants = options.tenants;
    const result = await command.run({
      args,
      options: own,
      json: options.json === true,
      formsDir: typeof forms === 'string' ? forms : serverSetting('formsDir', context.env),
      tenantsDir: typeof tenants === 'string' ? tenants : serverSetting('tenantsDir', context.env),
      env: context.env,
      now: context.now,
    });
    return { ...result, stdout: result.stdout === '' ? '' : withNewline(result.stdout) };
  } catch (err) {
    return failure(wantsJson, problemsOf(err, `efa-forms ${first ?? ''}`.trim()));
  }
}
