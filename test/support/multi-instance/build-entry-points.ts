import { spawn } from 'node:child_process';
import { existsSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../temp-dir';
import { REPO } from '../test-setup';

export interface BuiltEntryPoints {
  /** The outDir: `<dir>/src/main.js` and `<dir>/src/worker-main.js` are what `npm start` and `npm run worker` run. */
  readonly dir: string;
  remove(): void;
}

/**
 * Compiles the application exactly as `npm run build` does (`tsc -p tsconfig.build.json`), but
 * into a temporary outDir instead of the repository's dist/: other test files run dist/ in
 * parallel jest workers (cli-check builds and runs it), and rewriting it under them would break
 * them. The compiled code finds its packages through a node_modules link in the outDir (Node
 * resolves upwards from the file, and /tmp has none); FORMS_DIR and TEMPLATES_DIR default to
 * paths relative to the working directory, so the caller passes them explicitly.
 * Rejects with tsc's output when the build fails.
 */
export async function buildEntryPoints(): Promise<BuiltEntryPoints> {
  const out = tempDir('efa-build-');
  try {
    const tsc = path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
    const child = spawn(process.execPath, [tsc, '-p', path.join(REPO, 'tsconfig.build.json'), '--outDir', out.path], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    });
    if (code !== 0) throw new Error(`tsc -p tsconfig.build.json failed (exit code ${String(code)}):\n${output}`);
    for (const entry of ['src/main.js', 'src/worker-main.js']) {
      if (!existsSync(path.join(out.path, entry))) throw new Error(`the build wrote no ${entry}`);
    }
    symlinkSync(path.join(REPO, 'node_modules'), path.join(out.path, 'node_modules'), 'dir');
    return { dir: out.path, remove: () => out.remove() };
  } catch (err) {
    out.remove();
    throw err;
  }
}
