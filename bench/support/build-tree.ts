import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

const REPO = path.resolve(__dirname, '../..');

/**
 * Builds src/ into `outDir` with the project's build settings (what `npm run build` does into
 * dist/), so a bench runs real processes of the working tree without touching dist/, which other
 * tools in the same checkout may be rebuilding at the same time. The processes find their
 * imports through NODE_PATH=<checkout>/node_modules (see production-env.ts).
 * tsc's output is kept and only shown in the error when the build fails: a bench's stdout
 * belongs to `--json`. Returns the seconds it took.
 */
export function buildWorkingTree(outDir: string): number {
  const started = performance.now();
  try {
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', outDir], {
      cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000, encoding: 'utf8',
    });
  } catch (err) {
    const output = err as { stdout?: string; stderr?: string };
    throw new Error(`building the working tree into ${outDir} failed:\n${output.stdout ?? ''}${output.stderr ?? ''}${err instanceof Error ? err.message : String(err)}`);
  }
  return (performance.now() - started) / 1000;
}

/** The web server's and the worker's entry points in a build made by buildWorkingTree. */
export function entryPoints(outDir: string): { readonly web: string; readonly worker: string } {
  return { web: path.join(outDir, 'src', 'main.js'), worker: path.join(outDir, 'src', 'worker-main.js') };
}
