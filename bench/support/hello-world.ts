import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { startAppProcess, type AppProcess } from './app-process';

const REPO = path.resolve(__dirname, '../..');

/** Starts hello-world-json.child.ts in a process of its own (NODE_ENV=production, as the server runs). */
export function startHelloWorldJson(deadlineMs = 30_000): Promise<AppProcess> {
  return startAppProcess({
    name: 'hello-world',
    script: path.join(__dirname, 'hello-world-json.child.ts'),
    // tsx by its file URL: a bare `--import tsx` would be looked up from the bench's working directory.
    nodeArgs: ['--import', pathToFileURL(require.resolve('tsx')).href],
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', NODE_PATH: path.join(REPO, 'node_modules') },
    readyEvent: 'server.listening',
    deadlineMs,
  });
}
