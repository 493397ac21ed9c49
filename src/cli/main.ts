#!/usr/bin/env node
import packageJson from '../../package.json';
import { COMMANDS } from './commands/index';
import { runCli } from './run-cli';

/**
 * The entry point of `efa-forms <command>` (package.json `bin`; `npm run efa --` in a checkout):
 * with src/main.ts and src/worker-main.ts one of the modules that read process.env. It only
 * writes what runCli returns; stdout is the command's output (JSON with --json), stderr the
 * problems and notes, one per line.
 */
async function main(): Promise<void> {
  // A reader that stops early (`efa-forms coverage | head`) must not turn into a stack trace.
  process.stdout.on('error', () => process.exit(process.exitCode ?? 0));
  const result = await runCli(process.argv.slice(2), {
    commands: COMMANDS,
    env: process.env,
    now: () => new Date(),
    version: packageJson.version,
  });
  if (result.stdout !== '') process.stdout.write(result.stdout);
  const lines = [...(result.problems ?? []), ...(result.notes ?? [])];
  if (lines.length > 0) process.stderr.write(`${lines.join('\n')}\n`);
  // No process.exit: piped output is written completely before the process ends by itself.
  process.exitCode = result.exitCode;
}

main().catch((err: unknown) => {
  // runCli turns every error into lines; this is only for a failure to write at all.
  process.stderr.write(`efa-forms: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
