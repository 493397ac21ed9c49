import { cpSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import request from 'supertest';
import type { Container } from '../../src/container';
import { importIntoPostgres } from '../../src/storage/postgres/pg-import';
import { openSqliteExport } from '../../src/storage/sqlite/sqlite-export';
import type { TableBatch } from '../../src/storage/table-batch';
import { sha256Hex } from '../../src/support/sha256';
import { waitUntil } from '../support/channel-harness';
import { csrfOf, encodeForm, stepFormFields } from '../support/page-form';
import { getBinary } from '../support/pdf';
import { startReceiver, type TestReceiver } from '../support/http-receiver';
import { createTestDatabase, type TestDatabase } from '../support/postgres-database';
import { runCli, STACK_LINE } from '../support/run-cli';
import { tempDir } from '../support/temp-dir';
import { buildContainer, example, SAMPLE_FORMS, secretFor, writeSampleTenant } from '../support/test-setup';

/**
 * `efa-forms copy-to-postgres` as an operator runs it: a real SQLite database filled through the
 * real container (the API, a real HTTP receiver, the inbox, the pages, the admin API), the real
 * CLI process, and a fresh database on the machine's PostgreSQL (TEST_DATABASE_URL or
 * postgres://postgres@127.0.0.1:5432/postgres), created for this file and dropped after. The
 * copy is then read through a container on DATABASE_URL, as the servers will read it.
 */

jest.setTimeout(120_000);

const ADMIN_TOKEN = 'copy-to-postgres-admin-token-0123456789';
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
const WEIMAR_KEY = 'weimar-inbox-key-0123456789abcdef';
const NOW = new Date('2031-01-01T00:00:00.000Z');

type Snapshot = Awaited<ReturnType<typeof snapshot>>;

/** Everything the ports tell about the installation, to compare before and after the copy. */
async function snapshot(c: Container, ids: readonly string[], testLinkHash: string, sessionKey: string) {
  const store = c.store;
  return {
    submissions: await Promise.all(ids.map((id) => store.submissions.find(id))),
    jobs: await Promise.all(ids.map((id) => store.deliveries.jobsOf(id))),
    receipts: await Promise.all(ids.map((id) => store.receipts.findReceipt(id))),
    // The adapters list the counts in no particular order.
    stats: await store.deliveries.stats(NOW).then((st) => ({ ...st, jobs: [...st.jobs].sort((a, b) => `${a.state}/${a.channel}`.localeCompare(`${b.state}/${b.channel}`)) })),
    openJobs: await store.deliveries.openJobCounts(),
    lastDeliveries: await store.deliveries.lastDeliveries(),
    dead: await store.deliveries.jobsInState('dead', 100),
    inbox: await store.inbox.list('stadt-weimar', 100),
    audit: await store.operatorAudit.list({ limit: 100 }),
    testLink: await store.testLinks.find(testLinkHash, new Date()),
    session: await store.operatorSessions.find(sessionKey, new Date()),
    generation: await store.configuration.current(),
  };
}

describe('efa-forms copy-to-postgres', () => {
  let dir: ReturnType<typeof tempDir>;
  let receiver: TestReceiver;
  let env: Record<string, string>;
  let target: TestDatabase;
  const dropLater: Array<TestDatabase> = [];
  let before: Snapshot;
  const ids: string[] = [];
  let statusUrls: string[] = [];
  let statusBefore: unknown[] = [];
  let resumePath = '';
  let testLinkHash = '';
  const sessionKey = sha256Hex('a console session cookie');
  let busyRun: Awaited<ReturnType<typeof runCli>>;

  beforeAll(async () => {
    dir = tempDir('efa-copy-to-postgres-');
    target = await createTestDatabase();
    dropLater.push(target);
    receiver = await startReceiver(secretFor);
    // Gotha refuses every push (a permanent 400): its job is dead at once. Everyone else gets 204.
    receiver.respond = (req) => (req.path.startsWith('/stadt-gotha') ? 400 : 204);
    const tenants = path.join(dir.path, 'tenants');
    mkdirSync(tenants);
    const secrets = writeSampleTenant(tenants, receiver.url, [], { 'stadt-weimar': { delivery: { type: 'inbox', apiKeyHashEnv: 'EFA_INBOX_WEIMAR' } } });
    env = {
      ...secrets, FORMS_DIR: SAMPLE_FORMS, TENANTS_DIR: tenants, DATA_DIR: path.join(dir.path, 'data'),
      EFA_INBOX_WEIMAR: sha256Hex(WEIMAR_KEY), ADMIN_TOKEN_HASH: sha256Hex(ADMIN_TOKEN), PUBLIC_BASE_URL: 'http://formulare.example.org',
    };
    const sqlite = await buildContainer(env, { retryPolicy: { baseDelayMs: 20, maxDelayMs: 200 } });
    try {
      sqlite.worker.start();
      const created: Array<{ id: string; statusUrl: string; receiptUrl: string }> = [];
      for (const [form, name] of [['hundesteuer-anmeldung', 'valid-1'], ['hundesteuer-anmeldung', 'valid-2'], ['hundesteuer-anmeldung', 'valid-3'],
        ['gewerbeanmeldung', 'valid-1'], ['gewerbeanmeldung', 'valid-2'], ['anwohnerparkausweis', 'valid-1'], ['hundesteuer-anmeldung', 'valid-1']] as const) {
        const res = await request(sqlite.app).post(`/api/forms/${form}/submissions`).send({ data: example(form, name) });
        expect(res.status).toBe(201);
        created.push(res.body as { id: string; statusUrl: string; receiptUrl: string });
      }
      ids.push(...created.map((c) => c.id));
      statusUrls = created.map((c) => c.statusUrl);
      // Every pushed job settles: delivered, or dead for Gotha; the inbox jobs wait for Weimar.
      await waitUntil(async () => {
        const jobs = (await Promise.all(ids.map((id) => sqlite.store.deliveries.jobsOf(id)))).flat();
        return jobs.every((j) => j.channel === 'inbox' || j.state === 'delivered' || j.state === 'dead');
      });
      const inWeimar = await sqlite.store.inbox.list('stadt-weimar', 10);
      expect(inWeimar.length).toBe(2);
      // Weimar fetches and acknowledges its first one; the second stays in its inbox.
      const fetched = inWeimar[0]!.submissionId;
      expect((await request(sqlite.app).get(`/api/authority/inbox/${fetched}`).set({ authorization: `Bearer ${WEIMAR_KEY}` })).status).toBe(200);
      expect((await request(sqlite.app).post(`/api/authority/inbox/${fetched}/ack`).set({ authorization: `Bearer ${WEIMAR_KEY}` })).status).toBeLessThan(300);
      // Every submission's receipt, as rendered for the download, stored (already, if the
      // download stored it): PDFs are binary, and must arrive byte for byte.
      for (const c of created) {
        const pdf = await getBinary(sqlite.app, c.receiptUrl);
        expect(pdf.status).toBe(200);
        expect((await sqlite.store.receipts.putReceiptIfAbsent(c.id, pdf.body as Buffer))?.pdf.equals(pdf.body as Buffer)).toBe(true);
      }
      // Retention with 0 days: the delivered and the acknowledged submissions are purged (their stored receipts deleted) (purged_at on
      // them and their jobs, a purged event); the dead one and the unacknowledged inbox one are not.
      expect(await sqlite.store.submissions.purgeDue({ now: NOW, defaultDays: 0, daysByForm: new Map(), limit: 100 })).toEqual({ purged: 5 });

      // A draft saved for later on the first step of the pages (the municipality: Erfurt).
      const agent = request.agent(sqlite.app);
      const started = await agent.get('/forms/gewerbeanmeldung/start');
      const stepUrl = started.headers.location as string;
      const page = await agent.get(stepUrl);
      const model = sqlite.forms.get('gewerbeanmeldung')!;
      const step = model.steps.find((s) => stepUrl.includes(`/steps/${s.id}`))!;
      const saved = await agent.post(stepUrl).type('form')
        .send(encodeForm([['_csrf', csrfOf(page.text)], ...stepFormFields(model, step, example('gewerbeanmeldung', 'valid-1')), ['_action', 'save']]));
      expect(saved.status).toBe(200);
      resumePath = new URL(/<a href="(http:\/\/[^"]+\/forms\/gewerbeanmeldung\/resume\/[A-Za-z0-9_-]{43})">/.exec(saved.text)![1]!).pathname;

      // An operator's reload and tester's link (each in the audit trail), and a console session.
      expect((await request(sqlite.app).post('/api/admin/reload').set(admin)).status).toBe(200);
      const issued = await request(sqlite.app).post('/api/admin/authorities/stadt-jena-buergeramt/test-links').set(admin).send({ formId: 'hundesteuer-anmeldung' });
      expect(issued.status).toBe(201);
      testLinkHash = sha256Hex((issued.body as { url: string }).url.split('/').pop()!);
      await sqlite.store.operatorSessions.create({ key: sessionKey, tokenHash: sha256Hex('operator token'), csrfToken: 'csrf-of-the-session', createdAt: new Date(), expiresAt: new Date(Date.now() + 3_600_000) });

      before = await snapshot(sqlite, ids, testLinkHash, sessionKey);
      statusBefore = await Promise.all(statusUrls.map(async (url) => (await request(sqlite.app).get(url)).body as unknown));
      // While the "server" still has the file open, the copy refuses.
      busyRun = await runCli(['copy-to-postgres'], { DATA_DIR: env.DATA_DIR!, DATABASE_URL: target.url });
    } finally {
      await sqlite.close(2000);
    }
  });

  afterAll(async () => {
    await receiver?.close();
    for (const db of dropLater) await db.drop();
    dir?.remove();
  });

  test('the database it copies from holds every kind of row', () => {
    expect(before.submissions.map((s) => s?.status).sort()).toEqual(['accepted', 'acknowledged', 'delivered', 'delivered', 'delivered', 'delivered', 'accepted'].sort());
    expect(before.dead).toHaveLength(1);
    expect(before.submissions.filter((s) => s?.purgedAt !== undefined).map((s) => [s?.status, s?.dataJson, s?.purgedAt])).toEqual(
      expect.arrayContaining([['acknowledged', '', NOW], ['delivered', '', NOW]]));
    expect(before.submissions.filter((s) => s?.purgedAt !== undefined)).toHaveLength(5);
    expect(before.jobs.flat().filter((j) => j.purgedAt !== undefined).every((j) => j.body === '')).toBe(true);
    expect(before.inbox).toHaveLength(1);
    // The purged submissions' receipts were deleted; the two others keep theirs (real PDFs).
    expect(before.receipts.map((r, i) => ({ id: ids[i], stored: r !== undefined }))).toEqual(
      before.submissions.map((s, i) => ({ id: ids[i], stored: s?.purgedAt === undefined })));
    expect(before.receipts.filter((r) => r !== undefined).every((r) => r.pdf.subarray(0, 5).toString('latin1') === '%PDF-')).toBe(true);
    expect(before.audit.map((a) => a.action)).toEqual(['test-link', 'reload']);
    expect(before.testLink).toBeDefined();
    expect(before.session).toBeDefined();
    expect(before.generation?.generation).toBe(1);
  });

  test('refused while another process has the SQLite file open: exit 1, one line, nothing written', async () => {
    expect(busyRun.code).toBe(1);
    expect(busyRun.stdout).toBe('');
    expect(busyRun.stderr).toMatch(/^DATA_DIR .+: the database efa-forms\.sqlite is in use by another process .+\n$/);
    expect((await target.query<{ n: string }>('SELECT count(*) AS n FROM pg_tables WHERE tablename = \'submissions\''))[0]!.n).toBe('0');
  });

  describe('after a copy', () => {
    let copy: Awaited<ReturnType<typeof runCli>>;
    let pgContainer: Awaited<ReturnType<typeof buildContainer>>;

    beforeAll(async () => {
      copy = await runCli(['copy-to-postgres', '--json'], { DATA_DIR: env.DATA_DIR!, DATABASE_URL: target.url });
      pgContainer = await buildContainer({ ...env, DATABASE_URL: target.url });
    });
    afterAll(async () => {
      await pgContainer?.close(2000);
    });

    test('exit 0 and the rows copied per table, in dependency order', () => {
      expect(copy.stderr).toBe('');
      expect(copy.code).toBe(0);
      const result = JSON.parse(copy.stdout) as { ok: boolean; from: string; tables: Record<string, number> };
      expect(result.ok).toBe(true);
      expect(result.from).toBe(path.join(env.DATA_DIR!, 'efa-forms.sqlite'));
      expect(Object.keys(result.tables)).toEqual(['submissions', 'submission_events', 'receipts', 'delivery_jobs', 'drafts', 'operator_audit', 'operator_sessions', 'test_links', 'configuration_generation', 'write_probe']);
      expect(result.tables).toMatchObject({
        submissions: ids.length,
        submission_events: before.submissions.reduce((n, s) => n + s!.events.length, 0),
        delivery_jobs: before.jobs.flat().length,
        receipts: 2,
        drafts: 1, operator_audit: 2, operator_sessions: 1, test_links: 1, configuration_generation: 1, write_probe: 1,
      });
    });

    test('every port answers as it did on SQLite: submissions with their events, jobs, stats, inbox, audit, links, sessions', async () => {
      const after = await snapshot(pgContainer, ids, testLinkHash, sessionKey);
      // Byte for byte: answers, payloads, bodies, parameters and the stored receipts' PDFs; times to the millisecond.
      expect(after).toEqual(before);
      const pdfs = (r: typeof before.receipts) => r.filter((x) => x !== undefined).map((x) => x.pdf);
      expect(pdfs(after.receipts)).toHaveLength(2);
      expect(pdfs(after.receipts).map((pdf, i) => Buffer.compare(pdf, pdfs(before.receipts)[i]!))).toEqual([0, 0]);
      expect(after.stats.jobs.find((j) => j.state === 'delivered' && j.channel === 'http')?.count).toBeGreaterThan(0);
    });

    test('the status URL with the original token, the inbox, the draft and the next audit entry work on PostgreSQL', async () => {
      for (const [i, url] of statusUrls.entries()) {
        const res = await request(pgContainer.app).get(url);
        expect({ url, status: res.status, body: res.body as unknown }).toEqual({ url, status: 200, body: statusBefore[i] });
      }
      const inbox = await request(pgContainer.app).get('/api/authority/inbox').set({ authorization: `Bearer ${WEIMAR_KEY}` });
      expect((inbox.body as { items: Array<{ id: string }> }).items.map((x) => x.id)).toEqual([before.inbox[0]!.submissionId]);
      const payload = await request(pgContainer.app).get(`/api/authority/inbox/${before.inbox[0]!.submissionId}`).set({ authorization: `Bearer ${WEIMAR_KEY}` });
      expect(payload.text).toBe(before.submissions.find((s) => s?.id === before.inbox[0]!.submissionId)!.payloadXml);

      const other = request.agent(pgContainer.app);
      const resumed = await other.get(resumePath);
      expect(resumed.status).toBe(303);
      const step = await other.get(resumed.headers.location as string);
      expect(step.status).toBe(200);
      // The next step, for the municipality the draft holds.
      expect(step.text).toContain('Zuständig: Stadtverwaltung Erfurt, Bürgeramt');

      // The audit trail continues after the copied entries (its sequence was moved on).
      expect((await request(pgContainer.app).post('/api/admin/reload').set(admin)).status).toBe(200);
      expect((await pgContainer.store.operatorAudit.list({ limit: 10 })).map((a) => a.action)).toEqual(['reload', 'test-link', 'reload']);
      expect((await pgContainer.store.configuration.current())?.generation).toBe(2);
    });

    test('a second copy is refused: the target is not empty (exit 1, one line, nothing written)', async () => {
      const again = await runCli(['copy-to-postgres'], { DATA_DIR: env.DATA_DIR!, DATABASE_URL: target.url });
      expect(again.code).toBe(1);
      expect(again.stdout).toBe('');
      expect(again.stderr).toMatch(/^efa-forms copy-to-postgres: the PostgreSQL database of DATABASE_URL is not empty \(rows in submissions, submission_events, receipts, delivery_jobs, drafts, operator_audit, operator_sessions, test_links\): .+\n$/);
      expect(again.stderr).not.toContain(target.url);
      const [rows] = await target.query<{ s: string; j: string }>('SELECT (SELECT count(*) FROM submissions) AS s, (SELECT count(*) FROM delivery_jobs) AS j');
      expect(rows).toEqual({ s: String(ids.length), j: String(before.jobs.flat().length) });
    });
  });

  test('all or nothing: a row PostgreSQL cannot store (a NUL in a draft) fails the copy and leaves the target empty', async () => {
    const broken = tempDir('efa-copy-broken-');
    const other = await createTestDatabase();
    dropLater.push(other);
    try {
      cpSync(env.DATA_DIR!, broken.path, { recursive: true });
      const db = new Database(path.join(broken.path, 'efa-forms.sqlite'));
      db.prepare('UPDATE drafts SET data_json = data_json || char(0)').run();
      db.close();
      const run = await runCli(['copy-to-postgres'], { DATA_DIR: broken.path, DATABASE_URL: other.url });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^efa-forms copy-to-postgres: PostgreSQL refused \(22021: .+\); nothing was written\n$/);
      // Migrated (in a transaction of its own), but not one row of the copy.
      const [counts] = await other.query<{ s: string; j: string; c: string }>('SELECT (SELECT count(*) FROM submissions) AS s, (SELECT count(*) FROM delivery_jobs) AS j, (SELECT count(*) FROM delivery_job_counts) AS c');
      expect(counts).toEqual({ s: '0', j: '0', c: '0' });
    } finally {
      broken.remove();
    }
  });

  test('in batches: with 2 rows a batch the same rows arrive, each table in the order of its key', async () => {
    const other = await createTestDatabase();
    dropLater.push(other);
    const source = openSqliteExport(env.DATA_DIR!, { batchRows: 2 });
    const seen: TableBatch[] = [];
    let copied: Record<string, number>;
    try {
      copied = await importIntoPostgres({ url: other.url, poolSize: 2, statementTimeoutMs: 10_000 }, (function* () {
        for (const batch of source.batches()) {
          seen.push(batch);
          yield batch;
        }
      })());
    } finally {
      source.close();
    }
    expect(Math.max(...seen.map((b) => b.rows.length))).toBe(2);
    expect(copied.submissions).toBe(ids.length);
    const sqliteOrder = seen.filter((b) => b.table === 'submissions').flatMap((b) => b.rows.map((r) => r.id));
    expect(sqliteOrder).toEqual([...ids].sort());
    const pgOrder = await other.query<{ id: string; created_at: Date; is_test: boolean }>('SELECT id, created_at, is_test FROM submissions ORDER BY id COLLATE "C"');
    expect(pgOrder.map((r) => r.id)).toEqual(sqliteOrder);
    expect(pgOrder.map((r) => [r.created_at, r.is_test])).toEqual(before.submissions.slice().sort((a, b) => a!.id.localeCompare(b!.id)).map((s) => [s!.createdAt, false]));
    // The lock is released: a server could open the SQLite file again.
    expect(() => openSqliteExport(env.DATA_DIR!).close()).not.toThrow();
  });

  test('no database in DATA_DIR: exit 1, one line, and none is created', async () => {
    const empty = tempDir('efa-copy-empty-');
    try {
      const run = await runCli(['copy-to-postgres'], { DATA_DIR: empty.path, DATABASE_URL: target.url });
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toBe(`DATA_DIR ${empty.path}: no database efa-forms.sqlite there (nothing to copy)\n`);
      expect(readdirSync(empty.path)).toEqual([]);
    } finally {
      empty.remove();
    }
  });

  test('DATABASE_URL not set: exit 1, one line (with --json also a document on stdout)', async () => {
    const run = await runCli(['copy-to-postgres', '--json'], { DATA_DIR: env.DATA_DIR! });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('efa-forms copy-to-postgres: DATABASE_URL is not set: set it to the PostgreSQL database to copy into (postgres://user:password@host:5432/db)\n');
    expect(JSON.parse(run.stdout)).toEqual({ ok: false, problems: [run.stderr.trim()] });
  });

  test('PostgreSQL unreachable: exit 1, one line, never the URL or its password, no stack trace', async () => {
    const url = 'postgres://efa:s3cret-passw0rd@127.0.0.1:9/efa';
    const run = await runCli(['copy-to-postgres'], { DATA_DIR: env.DATA_DIR!, DATABASE_URL: url });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('efa-forms copy-to-postgres: PostgreSQL cannot be used (unreachable, ECONNREFUSED); nothing was written\n');
    expect(run.stderr).not.toMatch(STACK_LINE);
    expect(`${run.stdout}${run.stderr}`).not.toContain('s3cret-passw0rd');
    // The SQLite file was only read: still there, and usable.
    expect(existsSync(path.join(env.DATA_DIR!, 'efa-forms.sqlite'))).toBe(true);
  });

  test('--help says to stop the servers first and what is copied', async () => {
    const run = await runCli(['copy-to-postgres', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('stored PDF receipts');
    expect(run.stdout).toContain('Stop every efa-forms process using the SQLite file first');
    expect(run.stdout).toContain('ONE transaction');
  });
});
