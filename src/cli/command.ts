/**
 * One operator command of `efa-forms <command>` (src/cli/main.ts). A command parses nothing
 * itself: it gets the parsed options, does its work and returns what to print and the exit
 * code. It never writes to stdout or stderr and never calls process.exit, so tests run it as a
 * function and the entry point decides how it reaches the terminal.
 */
export interface CliCommand {
  /** `check`, `import-municipalities`, `route`, `coverage`, … */
  readonly name: string;
  /** One line for `efa-forms --help`. */
  readonly summary: string;
  /** The whole text of `efa-forms <name> --help` (usage, options, exit codes), in English. */
  readonly help: string;
  /** Options with a value (`--tenant erfurt`); every other `--flag` is a boolean. */
  readonly valueOptions: readonly string[];
  /** Boolean flags the command knows besides the common ones (--help, --json). */
  readonly flags: readonly string[];
  run(input: CliInput): Promise<CliResult>;
}

/** What every command gets: its arguments and options, and where forms and tenants are. */
export interface CliInput {
  /** Positional arguments after the command name. */
  readonly args: readonly string[];
  /** `--name value` options and `--flag` booleans (true), without the leading dashes. */
  readonly options: Readonly<Record<string, string | true>>;
  /** `--json`: machine-readable output on stdout. */
  readonly json: boolean;
  /** FORMS_DIR, or --forms. */
  readonly formsDir: string;
  /** TENANTS_DIR, or --tenants. */
  readonly tenantsDir: string;
  /** The environment, for what the server reads from it too (secrets named by tenant files). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The current time (tests pass their own). */
  readonly now: () => Date;
}

/**
 * What a command produced. Exit codes: 0 success, 1 bad input or configuration (then `problems`
 * holds one `file:line: reason` or `file: pointer: reason` line each), others as the command's
 * help says (e.g. `route`: 3 nobody responsible, 4 several municipalities).
 */
export interface CliResult {
  readonly exitCode: number;
  /** Printed on stdout as it is (a table, CSV, HTML, or JSON text with --json). */
  readonly stdout: string;
  /** Printed on stderr, one per line; never a stack trace. */
  readonly problems?: readonly string[];
  /** Printed on stderr after the problems (e.g. "warning: …" lines). */
  readonly notes?: readonly string[];
}
