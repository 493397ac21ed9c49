import type { Server } from 'node:http';
import packageJson from '../package.json';
import { loadConfig } from './config/load-config';
import { createContainer } from './container';
import { runEntryPoint, stopGracefullyOnSignals } from './process-lifecycle';
import { createJsonLogger } from './support/logger';

/**
 * The web server's entry point: with src/worker-main.ts one of the two modules that read
 * process.env; the only one that listens. A bad setting, form or tenant file stops the start
 * with exit code 1 and a readable reason (see process-lifecycle.ts).
 */
async function main(): Promise<void> {
  const logger = createJsonLogger((line) => process.stdout.write(line));
  const config = loadConfig(process.env);
  const container = await createContainer({
    config,
    env: process.env,
    logger,
    product: { name: packageJson.name, version: packageJson.version },
  });

  const server: Server = container.app.listen(config.port);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const address = server.address();
  logger.info('server.listening', {
    port: typeof address === 'object' && address ? address.port : config.port,
    forms: container.forms.list().length,
  });
  // DELIVERY_WORKER=off leaves deliveries to separate `npm run worker` processes.
  if (config.deliveryWorker) container.worker.start();
  container.draftCleanup.start();

  stopGracefullyOnSignals({
    name: 'server',
    logger,
    async stop() {
      // 1. Stop taking requests and let running ones answer (bounded by the timeout), so no
      //    request meets a closed store. 2. Let deliveries finish. 3. Close the store.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), config.shutdownTimeoutMs);
      await closed;
      clearTimeout(timer);
      await container.close(config.shutdownTimeoutMs);
    },
  });
}

runEntryPoint(main);
