import type { AddressInfo } from 'node:net';
import type { Express } from 'express';

/** An express app listening on 127.0.0.1 at a free port, for a bench's load to aim at. */
export interface LocalServer {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  readonly url: string;
  /** Cuts the open (keep-alive) connections of the load generator and stops listening. */
  close(): Promise<void>;
}

export function listenLocal(app: Express): Promise<LocalServer> {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => {
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () => new Promise((r) => {
          server.closeAllConnections();
          server.close(() => r());
        }),
      });
    });
  });
}
