import packageJson from '../package.json';
import { loadConfig } from './config/load-config';
import { createContainer } from './container';
import { reloadOnSignal, runEntryPoint, stopGracefullyOnSignals } from './process-lifecycle';
import { createHttpServer } from './http/http-server';
import { listenMetrics, metricsApp } from './http/metrics-router';
import { listening } from './support/listening';
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

  const server = createHttpServer(container.app, {
    headersTimeoutMs: config.httpHeadersTimeoutMs,
    requestTimeoutMs: config.httpRequestTimeoutMs,
    keepAliveTimeoutMs: config.httpKeepAliveTimeoutMs,
    logger,
  });
  server.listen(config.port);
  await listening(server);
  const metricsServer = config.metricsPort === undefined ? undefined : listenMetrics(metricsApp(container.metrics, logger), config.metricsPort, config.metricsHost, {
    headersTimeoutMs: config.httpHeadersTimeoutMs, requestTimeoutMs: config.httpRequestTimeoutMs, keepAliveTimeoutMs: config.httpKeepAliveTimeoutMs,
  });
  if (metricsServer) await listening(metricsServer);
  // DELIVERY_WORKER=off leaves deliveries to separate `npm run worker` processes.
  if (config.deliveryWorker) container.worker.start();
  container.draftCleanup.start();
  // Retention (docs/retention.md): every process runs it; the store purges each submission once.
  container.retentionCleanup.start();

  // SIGHUP reads forms and tenants again; the running set stays if the new one has problems.
  reloadOnSignal({ logger, reload: () => container.live.reload() });
  // A reload in any other process on this store (SIGHUP, the admin API, the console) is followed
  // here within CONFIG_POLL_SECONDS; container.close() stops looking.
  container.live.startFollowing();
  stopGracefullyOnSignals({
    name: 'server',
    logger,
    async stop() {
      // 1. Stop taking requests and let running ones answer (bounded by the timeout), so no
      //    request meets a closed store. 2. Let deliveries finish. 3. Close the store.
      metricsServer?.close();
      metricsServer?.closeAllConnections();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), config.shutdownTimeoutMs);
      await closed;
      clearTimeout(timer);
      await container.close(config.shutdownTimeoutMs);
    },
  });
  // Said only now that the signal handlers are installed: whoever waits for this line (a test, a
  // supervisor) may send SIGTERM at once, and before process.on('SIGTERM') the kernel's default
  // would end the process without a graceful stop.
  const address = server.address();
  logger.info('server.listening', {
    port: typeof address === 'object' && address ? address.port : config.port,
    forms: container.forms.list().length,
    ...(config.metricsPort !== undefined ? { metricsPort: config.metricsPort } : {}),
  });
}

runEntryPoint(main);
