import pg from 'pg';
import type { Logger } from '../../support/logger';

/** The channel new claimable jobs are announced on (pg-submissions create, pg-deliveries retry). */
export const JOBS_CHANNEL = 'efa_jobs';

/**
 * The payload of every announcement: the schema the jobs are in. NOTIFY reaches the whole
 * database, so installations (or test runs) in other schemas of it ignore each other's.
 */
export const JOBS_NOTIFY_SQL = `pg_notify('${JOBS_CHANNEL}', COALESCE(current_schema(), ''))`;

export interface PgJobListener {
  /** Starts listening with the first subscriber; returns the unsubscribe. */
  subscribe(listener: () => void): () => void;
  /** Ends the connection and every reconnect; safe to call twice. */
  close(): Promise<void>;
}

export interface PgJobListenerOptions {
  readonly url: string;
  readonly schema?: string | undefined;
  /** Told when the connection is lost and when it listens again; never given data. */
  readonly logger?: Logger | undefined;
  /** Wait before the first reconnect, doubled up to maxRetryMs. */
  readonly minRetryMs?: number;
  readonly maxRetryMs?: number;
}

/** How pg_stat_activity names this connection (operators see what holds it), with a schema of its own. */
export function listenerApplicationName(schema?: string): string {
  return schema ? `efa-forms jobs listener ${schema}` : 'efa-forms jobs listener';
}

/**
 * One dedicated connection (not from the pool: a pooled one is handed back and would stop
 * listening) that LISTENs on efa_jobs and calls the subscribers. A lost connection (server
 * restart, network, an administrator terminating it) is replaced with backoff, never thrown:
 * a worker without it still polls. After each (re)connect the subscribers are called once, since
 * announcements made while nobody listened are gone.
 */
export function createPgJobListener(options: PgJobListenerOptions): PgJobListener {
  const minRetryMs = options.minRetryMs ?? 200;
  const maxRetryMs = options.maxRetryMs ?? 10_000;
  const listeners = new Set<() => void>();
  let client: pg.Client | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let retryMs = minRetryMs;
  let started = false;
  let closed = false;
  let lost = false;

  const callAll = (): void => {
    for (const listener of [...listeners]) {
      try {
        listener();
      } catch {
        // A subscriber's fault must not end the connection's event handling (or the process).
      }
    }
  };

  const scheduleReconnect = (): void => {
    if (closed || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void connect();
    }, retryMs);
    retryTimer.unref?.();
    retryMs = Math.min(retryMs * 2, maxRetryMs);
  };

  const dropped = (connection: pg.Client, err?: unknown): void => {
    if (client !== connection) return; // already replaced ('error' and 'end' both come)
    client = undefined;
    connection.end().catch(() => undefined);
    if (closed) return;
    if (!lost) {
      lost = true;
      const code = (err as { code?: unknown } | undefined)?.code;
      options.logger?.warn('storage.listen_lost', { code: typeof code === 'string' ? code : 'CONNECTION_LOST' });
    }
    scheduleReconnect();
  };

  async function connect(): Promise<void> {
    if (closed) return;
    const connection = new pg.Client({
      connectionString: options.url,
      application_name: listenerApplicationName(options.schema),
      connectionTimeoutMillis: 5_000,
      // A connection that silently disappears (a network cut) is noticed by TCP keep-alive.
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
    });
    client = connection;
    // Without an 'error' listener an EventEmitter error would crash the process.
    connection.on('error', (err) => dropped(connection, err));
    connection.on('end', () => dropped(connection));
    let schema = '';
    connection.on('notification', (message) => {
      if (message.channel === JOBS_CHANNEL && (message.payload ?? '') === schema) callAll();
    });
    try {
      await connection.connect();
      const [row] = (await connection.query<{ schema: string }>(`SELECT COALESCE(current_schema(), '') AS schema`)).rows;
      schema = row?.schema ?? '';
      await connection.query(`LISTEN ${JOBS_CHANNEL}`);
    } catch (err) {
      dropped(connection, err);
      return;
    }
    if (closed || client !== connection) return;
    retryMs = minRetryMs;
    if (lost) {
      lost = false;
      options.logger?.info('storage.listen_restored');
    }
    callAll();
  }

  return {
    subscribe(listener) {
      listeners.add(listener);
      if (!started && !closed) {
        started = true;
        void connect();
      }
      return () => {
        listeners.delete(listener);
      };
    },
    async close() {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = undefined;
      const connection = client;
      client = undefined;
      listeners.clear();
      await connection?.end().catch(() => undefined);
    },
  };
}
