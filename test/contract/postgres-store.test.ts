import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Store } from '../../src/storage/ports';
import { listenerApplicationName } from '../../src/storage/postgres/pg-listener';
import { openPostgresStore } from '../../src/storage/postgres/postgres-store';
import { createMemoryLogger, type Logger } from '../../src/support/logger';
import { waitUntil } from '../support/channel-harness';
import { storeContract } from './store-contract';
import { job, submission, T0, type StoreFactory } from './store-contract-fixtures';

/**
 * The storage contract against the real PostgreSQL server of the machine (CI: 127.0.0.1:5432,
 * user postgres, trust; TEST_DATABASE_URL overrides). Every test gets a schema of its own,
 * dropped after it, so runs never see each other's rows.
 */
const URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

function schemaFactory(logger?: Logger): StoreFactory & { readonly schema: string } {
  const schema = `efa_test_${randomBytes(6).toString('hex')}`;
  const admin = () => new pg.Client({ connectionString: URL });
  let created = false;
  return {
    schema,
    async open() {
      if (!created) {
        const c = admin();
        await c.connect();
        await c.query(`CREATE SCHEMA ${schema}`);
        await c.end();
        created = true;
      }
      return openPostgresStore({ url: URL, poolSize: 4, statementTimeoutMs: 10_000, schema, logger });
    },
    async destroy() {
      const c = admin();
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
    },
    async cutOffWrite(at) {
      // A write in progress is chunks whose attachment_files row is not there yet (pg-attachment-files.ts).
      const c = admin();
      await c.connect();
      await c.query(`INSERT INTO ${schema}.attachment_chunks (file_id, seq, data, written_at) VALUES ($1, 0, $2, $3), ($1, 1, $2, $3)`, [randomUUID(), Buffer.from('%PDF-1.7\ncut off'), at]);
      await c.end();
    },
  };
}

storeContract('PostgreSQL (a schema of its own on the real server)', () => schemaFactory());

/** The PostgreSQL store offers onNewJobs (SQLite does not: see DeliveryQueue.onNewJobs). */
function subscribe(store: Store, listener: () => void): () => void {
  if (!store.deliveries.onNewJobs) throw new Error('the PostgreSQL store must offer onNewJobs');
  return store.deliveries.onNewJobs(listener);
}

/** Counts a store's wake-ups; the first comes once its connection listens. */
function wakes(store: Store, onWake: () => void = () => undefined) {
  let count = 0;
  const unsubscribe = subscribe(store, () => {
    count += 1;
    onWake();
  });
  return { count: () => count, unsubscribe, reached: (n: number) => waitUntil(() => count >= n, 10_000) };
}

async function connected(schema?: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: URL, ...(schema ? { options: `-c search_path=${schema}` } : {}) });
  await c.connect();
  return c;
}

describe('new jobs wake other processes (PostgreSQL only: LISTEN/NOTIFY efa_jobs)', () => {
  let f: ReturnType<typeof schemaFactory>;
  const stores: Store[] = [];
  const clients: pg.Client[] = [];
  const logger = createMemoryLogger();
  const open = async () => {
    const store = await f.open();
    stores.push(store);
    return store;
  };
  const client = async (schema?: string) => {
    const c = await connected(schema);
    clients.push(c);
    return c;
  };

  beforeEach(() => {
    f = schemaFactory(logger);
    logger.lines.length = 0;
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.end().catch(() => undefined)));
    await Promise.all(stores.splice(0).map((s) => s.close()));
    await f.destroy();
  });

  test("a second store's listener is called once the first store has committed a submission, and then sees it", async () => {
    const a = await open();
    const b = await open();
    const s = submission();
    const seen: Array<Promise<string | undefined>> = [];
    let listening = false;
    const heard = wakes(b, () => {
      if (listening) seen.push(b.submissions.find(s.id).then((found) => found?.id));
    });
    await heard.reached(1);
    listening = true;

    await a.submissions.create(s, [job(s.id)]);
    await heard.reached(2);
    // Every wake after the commit finds the submission committed (another connection sees it).
    expect(await Promise.all(seen)).toEqual(seen.map(() => s.id));
    heard.unsubscribe();
  });

  test('an operator\'s retry is announced at its commit, not while its transaction still waits', async () => {
    const a = await open();
    const b = await open();
    const s = submission();
    const dead = job(s.id);
    await a.submissions.create(s, [dead]);
    await a.deliveries.claimDue({ now: T0, limit: 1, leaseMs: 1000, owner: 'w' });
    await a.deliveries.markFailed(dead.id, 'w', { error: 'HTTP 400', nextAttemptAt: T0, permanent: true, giveUpAfterMs: 0, at: T0 });
    const heard = wakes(b);
    await heard.reached(1);

    // Everything said on the channel, in order (other test runs in other schemas may speak too).
    const raw = await client();
    const said: string[] = [];
    raw.on('notification', (m) => said.push(m.payload ?? ''));
    await raw.query('LISTEN efa_jobs');

    // Another transaction holds the submission's row: the retry announces, then waits in addEvent.
    const blocker = await client(f.schema);
    await blocker.query('BEGIN');
    await blocker.query('SELECT 1 FROM submissions WHERE id = $1 FOR UPDATE', [s.id]);
    const [{ pid }] = (await blocker.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows as [{ pid: number }];
    const retrying = a.deliveries.retry(dead.id, T0);
    await waitUntil(async () => {
      const { rows } = await raw.query<{ n: string }>('SELECT COUNT(*) AS n FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))', [pid]);
      return Number(rows[0]?.n) > 0;
    });
    // A marker sent now arrives after anything said before it: the retry has said nothing yet.
    const marker = `marker-${randomUUID()}`;
    await raw.query('SELECT pg_notify($1, $2)', ['efa_jobs', marker]);
    await waitUntil(() => said.includes(marker));
    expect(said.slice(0, said.indexOf(marker)).filter((p) => p === f.schema)).toEqual([]);
    expect(heard.count()).toBe(1);

    await blocker.query('COMMIT');
    expect(await retrying).toMatchObject({ id: dead.id, state: 'pending' });
    await heard.reached(2);
    // The raw connection hears the same NOTIFY on its own socket, possibly a moment after b did.
    await waitUntil(() => said.slice(said.indexOf(marker)).includes(f.schema));
    expect(said.slice(said.indexOf(marker)).filter((p) => p === f.schema)).toEqual([f.schema]);
    expect(await b.deliveries.findJob(dead.id)).toMatchObject({ state: 'pending' });
  });

  test('a lost listening connection comes back by itself (logged without data), and closing the store ends it', async () => {
    const a = await open();
    const b = await open();
    const heard = wakes(b);
    await heard.reached(1);
    const admin = await client();
    const name = listenerApplicationName(f.schema);
    const { rows } = await admin.query<{ ok: boolean }>(
      'SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = $1', [name]);
    expect(rows).toEqual([{ ok: true }]);

    // Back: it calls its listeners again once it listens (announcements in between are gone).
    await heard.reached(2);
    const s = submission();
    await a.submissions.create(s, [job(s.id)]);
    await heard.reached(3);
    expect(logger.lines).toEqual([
      { level: 'warn', event: 'storage.listen_lost', fields: { code: '57P01' } },
      { level: 'info', event: 'storage.listen_restored', fields: {} },
    ]);

    await b.close();
    await waitUntil(async () => {
      const left = await admin.query('SELECT 1 FROM pg_stat_activity WHERE application_name = $1', [name]);
      return left.rows.length === 0;
    });
  });
});
