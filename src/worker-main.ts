import packageJson from '../package.json';
import { loadConfig } from './config/load-config';
import { createContainer } from './container';
import { reloadOnSignal, runEntryPoint, stopGracefullyOnSignals } from './process-lifecycle';
import { listenMetrics, metricsApp } from './http/metrics-router';
import { listening } from './support/listening';
import { createJsonLogger } from './support/logger';

/**
 * The standalone delivery worker (`npm run worker`): the same container as the web server, but
 * the app is never listened on; only the outbox worker, the draft cleanup and the retention
 * cleanup run. Web servers started with DELIVERY_WORKER=off leave all deliveries to processes
 * like this one, so both scale apart. Several workers may share a store: leases keep them from sending a job twice at once.
 * DELIVERY_WORKER itself is not read here: it says whether the *web server* delivers.
 */
async function main(): Promise<void> {
  const env = process.env;
  const logger = createJsonLogger((line) => process.stdout.write(line));
  const config = loadConfig(env);
  const container = await createContainer({
    config,
    env,
    logger,
    product: { name: packageJson.name, version: packageJson.version },
  });

  // The worker's and the cleanup's timers are unref'd so that on their own they never hold a web
  // server process open. Here nothing listens, so this handle keeps the process alive until it
  // is told to stop; stop() clears it and the process ends by itself.
  const keepAlive = setInterval(() => undefined, 2 ** 31 - 1);
  // A worker has no web server: its delivery counters are only to be scraped on a port of its own.
  const metricsServer = config.metricsPort === undefined ? undefined : listenMetrics(metricsApp(container.metrics, logger), config.metricsPort, config.metricsHost, {
    headersTimeoutMs: config.httpHeadersTimeoutMs, requestTimeoutMs: config.httpRequestTimeoutMs, keepAliveTimeoutMs: config.httpKeepAliveTimeoutMs,
  });
  if (metricsServer) await listening(metricsServer);
  container.worker.start();
  container.draftCleanup.start();
  // Retention (docs/retention.md): every process runs it; the store purges each submission once.
  container.retentionCleanup.start();

  // SIGHUP reads forms and tenants again; the running set stays if the new one has problems.
  reloadOnSignal({ logger, reload: () => container.live.reload() });
  // A reload in any other process on this store (SIGHUP, the admin API, the console) is followed
  // here within CONFIG_POLL_SECONDS; container.close() stops looking.
  container.live.startFollowing();
  stopGracefullyOnSignals({
    name: 'worker',
    logger,
    async stop() {
      // Lets running deliveries finish within the timeout, gives back leases still held (those
      // jobs are due again at once for another worker) and closes the store.
      metricsServer?.close();
      metricsServer?.closeAllConnections();
      try {
        await container.close(config.shutdownTimeoutMs);
      } finally {
        clearInterval(keepAlive);
      }
    },
  });
  // Said only once the signal handlers are installed (see main.ts): a SIGTERM sent on this line is a graceful stop.
  logger.info('worker.started', {
    concurrency: config.deliveryConcurrency,
    pollIntervalMs: config.deliveryPollIntervalMs,
    forms: container.forms.list().length,
  });
}

runEntryPoint(main);
