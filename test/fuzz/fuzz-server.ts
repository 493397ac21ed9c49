import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Container } from '../../src/container';
import { startReceiver, type TestReceiver } from '../support/http-receiver';
import { tempDir } from '../support/temp-dir';
import { buildContainer, SAMPLE_FORMS, secretFor, testConfig, writeSampleTenant } from '../support/test-setup';

/**
 * The real application, in this process: the sample forms and the Thüringen tenant, a SQLite
 * file in a fresh temporary folder, the delivery worker running against a real HTTP receiver
 * standing in for every authority, and the express app listening on 127.0.0.1.
 */
export interface FuzzServer {
  readonly container: Container & { readonly logger: { readonly lines: ReadonlyArray<{ level: string; event: string; fields: Readonly<Record<string, unknown>> }> } };
  readonly receiver: TestReceiver;
  readonly port: number;
  readonly bodyLimitBytes: number;
  /** A folder for the fuzzer's own scratch files (receipts handed to qpdf). */
  readonly scratchDir: string;
  close(): Promise<void>;
}

export async function startFuzzServer(): Promise<FuzzServer> {
  const dir = tempDir('efa-fuzz-');
  const tenants = path.join(dir.path, 'tenants');
  const scratchDir = path.join(dir.path, 'scratch');
  mkdirSync(tenants);
  mkdirSync(scratchDir);
  const receiver = await startReceiver(secretFor);
  const env = {
    ...writeSampleTenant(tenants, receiver.url),
    FORMS_DIR: SAMPLE_FORMS, TENANTS_DIR: tenants, DATA_DIR: path.join(dir.path, 'data'), DELIVERY_CONCURRENCY: '4',
    // Every case comes from 127.0.0.1: per-client limits would answer 429 to most of the run.
    RATE_LIMIT_DRAFTS: '0', RATE_LIMIT_STEPS: '0', RATE_LIMIT_SUBMISSIONS: '0',
  };
  const container = await buildContainer(env, { retryPolicy: { baseDelayMs: 50, maxDelayMs: 1000 } });
  container.worker.start();
  const server: Server = container.app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  // Keep-alive sockets stay open through a long answer elsewhere; the client reuses them.
  server.keepAliveTimeout = 65_000;
  const port = (server.address() as AddressInfo).port;
  return {
    container,
    receiver,
    port,
    bodyLimitBytes: testConfig(env).bodyLimitBytes,
    scratchDir,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await container.close(2000);
      await receiver.close();
      dir.remove();
    },
  };
}
