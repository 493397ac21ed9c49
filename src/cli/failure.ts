import type { CliResult } from './command';

/**
 * Exit code 1 with one line per problem on stderr; with --json also `{"ok": false, "problems":
 * [...]}` on stdout, so a script that parses stdout gets a document whatever went wrong.
 */
export function failure(json: boolean, problems: readonly string[]): CliResult {
  return { exitCode: 1, stdout: json ? `${JSON.stringify({ ok: false, problems }, null, 2)}\n` : '', problems };
}
