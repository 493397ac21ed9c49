import { existsSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { CoverageReport } from '../../src/coverage/coverage';
import { sha256Hex } from '../../src/support/sha256';
import { startReceiver, type TestReceiver } from '../support/http-receiver';
import { createTestDatabase, type TestDatabase } from '../support/postgres-database';
import { runCli, STACK_LINE } from '../support/run-cli';
import { tempDir } from '../support/temp-dir';
import { buildContainer, SAMPLE_FORMS, secretFor, writeSampleTenant } from '../support/test-setup';

/**
 * The operators' commands on a PostgreSQL installation (review of issue 13, finding 2):
 * `test-delivery`, `test-link` and `coverage` as real processes with the server's DATABASE_URL
 * use that database, as the server does, and not DATA_DIR: they work with no SQLite file there,
 * and a SQLite file left there (after copy-to-postgres) is never read. A "running server" is a
 * container on a fresh database of the machine's PostgreSQL, left open.
 */

jest.setTimeout(90_000);

const ERFURT = 'stadt-erfurt-buergeramt';
const JENA = 'stadt-jena-buergeramt';
const ADMIN = { kind: 'admin', id: 'admin' } as const;
const SQLITE_FILE = 'efa-forms.sqlite';

type Container = Awaited<ReturnType<typeof buildContainer>>;

/** A port nothing listens on: one the system just handed out and took back. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
  return port;
}

describe('efa-forms test-delivery, test-link and coverage with DATABASE_URL', () => {
  let dir: ReturnType<typeof tempDir>;
  let db: TestDatabase;
  let receiver: TestReceiver;
  let server: Container;
  /** The server's environment: DATABASE_URL, and a DATA_DIR without any database. */
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = tempDir('efa-cli-database-url-');
    db = await createTestDatabase();
    receiver = await startReceiver(secretFor);
    const tenantsDir = path.join(dir.path, 'tenants');
    mkdirSync(tenantsDir);
    env = {
      ...writeSampleTenant(tenantsDir, receiver.url), FORMS_DIR: SAMPLE_FORMS, TENANTS_DIR: tenantsDir,
      DATA_DIR: path.join(dir.path, 'data'), DATABASE_URL: db.url, PUBLIC_BASE_URL: 'https://formulare.example.org',
    };
    server = await buildContainer(env);
  });
  afterAll(async () => {
    await server?.close(1000);
    await receiver?.close();
    await db?.drop();
    dir.remove();
  });

  test('test-delivery: delivered, stored in PostgreSQL where the server sees it; no SQLite file in DATA_DIR needed or made', async () => {
    expect(existsSync(path.join(env.DATA_DIR!, SQLITE_FILE))).toBe(false);
    const run = await runCli(['test-delivery', ERFURT], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const [, reference, outcome] = /^test delivery to \S+ \(tenant thueringen\) over http, reference ([0-9A-Z-]+): (\w+)\n$/.exec(run.stdout) ?? [];
    expect(outcome).toBe('delivered');
    expect(receiver.requests.at(-1)!.body).toContain(reference!);
    expect((await server.store.deliveries.jobsOf(reference!)).map((j) => [j.authorityId, j.state, j.test])).toEqual([[ERFURT, 'delivered', true]]);
    expect(await db.query<{ n: string }>(`SELECT count(*) AS n FROM delivery_jobs WHERE is_test`)).toEqual([{ n: '1' }]);
    expect(existsSync(path.join(env.DATA_DIR!, SQLITE_FILE))).toBe(false);
  });

  test('test-link: the link is stored in PostgreSQL (its hash), with no SQLite file in DATA_DIR', async () => {
    const run = await runCli(['test-link', ERFURT, '--json'], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const link = JSON.parse(run.stdout) as { url: string };
    const token = /\/test-access\/([A-Za-z0-9_-]{43})$/.exec(link.url)?.[1];
    expect(token).toBeDefined();
    expect(await server.store.testLinks.find(sha256Hex(token!), new Date())).toMatchObject({ authorityId: ERFURT, createdBy: 'admin' });
    expect(existsSync(path.join(env.DATA_DIR!, SQLITE_FILE))).toBe(false);
  });

  test('coverage: the last deliveries come from PostgreSQL, not from a stale SQLite file in DATA_DIR', async () => {
    // The old installation's SQLite file, kept after the move: a test delivery to Jena only.
    const staleDir = path.join(dir.path, 'stale-data');
    const old = await buildContainer({ ...env, DATABASE_URL: '', DATA_DIR: staleDir });
    try {
      expect(await old.live.current().testDeliveries.send(JENA, ADMIN)).toMatchObject({ outcome: 'delivered' });
    } finally {
      await old.close(1000);
    }
    expect(existsSync(path.join(staleDir, SQLITE_FILE))).toBe(true);
    // The PostgreSQL installation: a test delivery to Erfurt (Jena never had one there).
    const sent = await server.live.current().testDeliveries.send(ERFURT, ADMIN);
    expect(sent).toMatchObject({ outcome: 'delivered' });

    const json = await runCli(['coverage', '--json', '--tenant', 'thueringen'], { ...env, DATA_DIR: staleDir });
    expect(json.stderr).toBe('');
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as CoverageReport;
    expect(report.deliveriesKnown).toBe(true);
    const listed = report.authorities[0]!.authorities;
    const erfurt = listed.find((a) => a.id === ERFURT)!;
    const jena = listed.find((a) => a.id === JENA)!;
    expect(Date.parse(String(erfurt.lastSuccessfulTestAt))).toBeLessThanOrEqual(Date.parse(sent!.at));
    expect(jena).toMatchObject({ lastSuccessfulTestAt: null, lastRealDeliveryAt: null, liveWithoutDelivery: true });
    // Without a SQLite file in DATA_DIR at all: the same report, and no note about DATA_DIR.
    const noFile = await runCli(['coverage', '--json', '--tenant', 'thueringen'], env);
    expect([noFile.code, noFile.stderr]).toEqual([0, '']);
    expect((JSON.parse(noFile.stdout) as CoverageReport).authorities).toEqual(report.authorities);
    expect(existsSync(path.join(env.DATA_DIR!, SQLITE_FILE))).toBe(false);
  });

  test('DATABASE_URL on a closed port: each command exits 1 with one line, never the URL or its password', async () => {
    const url = `postgres://efa:s3cret-passw0rd@127.0.0.1:${await closedPort()}/efa`;
    const before = receiver.requests.length;
    for (const args of [['test-delivery', ERFURT], ['test-link', ERFURT], ['coverage']]) {
      const run = await runCli(args, { ...env, DATABASE_URL: url });
      expect([args[0], run.code]).toEqual([args[0], 1]);
      expect(run.stdout).toBe('');
      expect(run.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^DATABASE_URL: .*PostgreSQL cannot be used \(unreachable, ECONNREFUSED\)/)]);
      expect(run.stderr).not.toMatch(STACK_LINE);
      expect(`${run.stdout}${run.stderr}`).not.toContain('s3cret-passw0rd');
      expect(`${run.stdout}${run.stderr}`).not.toContain(url);
    }
    expect(receiver.requests.length).toBe(before);
    expect(existsSync(path.join(env.DATA_DIR!, SQLITE_FILE))).toBe(false);
  });
});
