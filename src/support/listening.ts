import type { Server } from 'node:http';

/** Resolves once the server listens; rejects with its error (a port in use, say). */
export function listening(server: Server): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
}
