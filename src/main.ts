import type { Server } from 'node:http';
import packageJson from '../package.json';
import { ConfigError, loadConfig } from './config/load-config';
import { createContainer } from './container';
import { StartupError } from './startup-error';
import { createJsonLogger } from './support/logger';

/**
 * The entry point: the only module that reads process.env, listens and handles signals.
 * A bad setting, form or tenant file stops the start with exit code 1 and a readable reason.
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
  if (config.deliveryWorker) container.worker.start();
  container.draftCleanup.start();

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) {
      // A second signal means "now": exit without waiting any longer.
      logger.warn('server.forced_exit', { signal });
      process.exit(1);
    }
    stopping = true;
    logger.info('server.stopping', { signal });
    const stop = async (): Promise<void> => {
      // 1. Stop taking requests and let running ones answer (bounded by the timeout), so no
      //    request meets a closed store. 2. Let deliveries finish. 3. Close the store.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), config.shutdownTimeoutMs);
      await closed;
      clearTimeout(timer);
      await container.close(config.shutdownTimeoutMs);
    };
    stop()
      .then(() => {
        logger.info('server.stopped', {});
        process.exitCode = 0;
      })
      .catch((err: unknown) => {
        logger.error('server.stop_failed', { error: err instanceof Error ? err.message : String(err) });
        process.exitCode = 1;
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`efa-forms: configuration error: ${err.message}\n`);
  } else if (err instanceof StartupError) {
    process.stderr.write(`efa-forms: cannot start:\n${err.problems.map((p) => `  ${p}`).join('\n')}\n`);
  } else {
    process.stderr.write(`efa-forms: cannot start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  }
  process.exit(1);
});
