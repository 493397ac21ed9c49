import { spawn } from 'node:child_process';
import { cpSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { REPO } from './test-setup';
import { tempDir } from './temp-dir';

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a program in the repository as an operator would and collects its output. The environment
 * holds only PATH, NODE_ENV=test and `env`: nothing leaks in from the shell running the tests.
 */
export function runProgram(command: string, args: readonly string[], env: Record<string, string> = {}): Promise<CliRun> {
  const child = spawn(command, args, {
    cwd: REPO,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  // 'close' (not 'exit') so that everything the process wrote has been read.
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** `efa-forms <args>` from the sources (src/cli/main.ts through tsx, no build needed). */
export function runCli(args: readonly string[], env: Record<string, string> = {}): Promise<CliRun> {
  return runProgram(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], env);
}

/** A stack trace line, which the CLI must never print. */
export const STACK_LINE = /^\s+at .+\(?.*:\d+:\d+\)?$/m;

/** Copies of the repository's forms/ and tenants/ in a temporary folder, for a test to change. */
export function sampleDirs(prefix = 'efa-cli-'): { readonly root: string; readonly forms: string; readonly tenants: string; remove(): void } {
  const dir = tempDir(prefix);
  const forms = path.join(dir.path, 'forms');
  const tenants = path.join(dir.path, 'tenants');
  cpSync(path.join(REPO, 'forms'), forms, { recursive: true });
  mkdirSync(tenants);
  cpSync(path.join(REPO, 'tenants'), tenants, { recursive: true });
  return { root: dir.path, forms, tenants, remove: () => dir.remove() };
}
