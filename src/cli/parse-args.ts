/**
 * The command line of `efa-forms <command> [arguments] [--option value] [--flag]`, read without
 * a dependency. Strict on purpose: an option the command does not know is an error, not ignored,
 * so a mistyped `--dry-runn` never writes a tenant file the operator meant only to preview.
 */

/** A command line that cannot be run as written; its message is the one line the user reads. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Options every command takes (see COMMON_OPTIONS_HELP). */
export const COMMON_VALUE_OPTIONS = ['forms', 'tenants'] as const;
export const COMMON_FLAGS = ['help', 'json'] as const;

/** The block of every command's help that describes the common options. */
export const COMMON_OPTIONS_HELP = `Options of every command:
  --forms <dir>    the forms folder (default: FORMS_DIR, else ./forms)
  --tenants <dir>  the tenants folder (default: TENANTS_DIR, else ./tenants)
  --json           machine-readable output: one JSON document on stdout
  --help, -h       this help`;

export interface OptionSpec {
  /** Options that take a value: `--tenant erfurt` or `--tenant=erfurt`. */
  readonly valueOptions: readonly string[];
  /** Boolean flags: `--dry-run`. */
  readonly flags: readonly string[];
}

export interface ParsedArgs {
  readonly args: string[];
  readonly options: Record<string, string | true>;
}

/** Splits the words after the command name into positional arguments and known options. */
export function parseCommandArgs(words: readonly string[], spec: OptionSpec, commandName: string): ParsedArgs {
  const valueOptions = new Set<string>([...COMMON_VALUE_OPTIONS, ...spec.valueOptions]);
  const flags = new Set<string>([...COMMON_FLAGS, ...spec.flags]);
  const args: string[] = [];
  const options: Record<string, string | true> = {};
  const seeHelp = `(see efa-forms ${commandName} --help)`;

  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (word === '--') {
      // Everything after `--` is an argument, even a place name that starts with a dash.
      args.push(...words.slice(i + 1));
      break;
    }
    if (word === '-h') {
      options.help = true;
      continue;
    }
    if (!word.startsWith('-') || word === '-') {
      args.push(word);
      continue;
    }
    if (!word.startsWith('--')) throw new UsageError(`efa-forms ${commandName}: unknown option ${word} ${seeHelp}`);
    const equals = word.indexOf('=');
    const name = word.slice(2, equals === -1 ? undefined : equals);
    const inline = equals === -1 ? undefined : word.slice(equals + 1);
    if (Object.hasOwn(options, name)) throw new UsageError(`efa-forms ${commandName}: --${name} is given twice`);
    if (valueOptions.has(name)) {
      const value = inline ?? words[i + 1];
      if (inline === undefined) i++;
      if (value === undefined || value === '' || (inline === undefined && value.startsWith('--'))) {
        throw new UsageError(`efa-forms ${commandName}: --${name} needs a value ${seeHelp}`);
      }
      options[name] = value;
    } else if (flags.has(name)) {
      if (inline !== undefined) throw new UsageError(`efa-forms ${commandName}: --${name} takes no value`);
      options[name] = true;
    } else {
      throw new UsageError(`efa-forms ${commandName}: unknown option --${name} ${seeHelp}`);
    }
  }
  return { args, options };
}
