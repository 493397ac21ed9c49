import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, utimesSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { FAST_RETRIES, waitUntil } from '../support/channel-harness';
import { startReceiver, type TestReceiver } from '../support/http-receiver';
import { createTestDatabase, type TestDatabase } from '../support/postgres-database';
import { tempDir } from '../support/temp-dir';
import { buildContainer, example, SAMPLE_FORMS, secretFor, writeSampleTenant } from '../support/test-setup';

/**
 * Retention through the real app (issue 13 point 5), on SQLite and on PostgreSQL: a submission
 * through the API, delivered to a real HTTP receiver (and the applicant's e-mail), the injected
 * clock moved past RETENTION_DAYS, the clean-up run; then the receipt is gone (410), the status
 * shows the deletion, a retry is refused, and the answer's marker is nowhere in the database
 * (SQLite: the file's bytes; PostgreSQL: every row of every table).
 */
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const ADMIN_TOKEN = 'admin-token-for-retention-tests';
const WEIMAR_KEY = 'weimar-inbox-key-for-retention-tests';
const FORM = 'hundesteuer-anmeldung';
const DAY = 24 * 3600 * 1000;
type Container = Awaited<ReturnType<typeof buildContainer>>;

/** Letters only, so every form field takes it; unique per run, so a hit can only come from here. */
const marker = () => `Retentionmarker${randomBytes(8).toString('hex').replace(/[0-9]/g, (d) => 'ghijklmnop'[Number(d)]!)}`;

interface Backend {
  readonly name: string;
  setUp(dataDir: string): Promise<Record<string, string>>;
  /** Every place the store keeps the answers, as text to search. */
  contents(dataDir: string): Promise<string>;
  tearDown(): Promise<void>;
}

const sqlite: Backend = {
  name: 'SQLite',
  setUp: () => Promise.resolve({}),
  contents(dataDir) {
    // The database file and its WAL, byte for byte (latin1 keeps every byte; the marker is ASCII).
    const files = ['efa-forms.sqlite', 'efa-forms.sqlite-wal'].map((f) => path.join(dataDir, f)).filter((f) => existsSync(f));
    return Promise.resolve(files.map((f) => readFileSync(f).toString('latin1')).join('\n'));
  },
  tearDown: () => Promise.resolve(),
};

function postgres(): Backend {
  let db: TestDatabase | undefined;
  return {
    name: 'PostgreSQL',
    async setUp() {
      db = await createTestDatabase();
      return { DATABASE_URL: db.url };
    },
    async contents() {
      if (!db) throw new Error('no database');
      const tables = await db.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name");
      expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(['submissions', 'submission_events', 'delivery_jobs', 'drafts']));
      const texts: string[] = [];
      for (const { table_name: table } of tables) {
        const rows = await db.query<{ row: string }>(`SELECT t::text AS row FROM "${table}" t`);
        texts.push(...rows.map((r) => r.row));
      }
      return texts.join('\n');
    },
    async tearDown() {
      await db?.drop();
    },
  };
}

describe.each([sqlite, postgres()])('retention through the app on $name', (backend) => {
  let dir: ReturnType<typeof tempDir>;
  let receiver: TestReceiver;
  let container: Container | undefined;
  let dataDir: string;

  beforeEach(async () => {
    dir = tempDir('efa-retention-');
    receiver = await startReceiver(secretFor);
    dataDir = path.join(dir.path, 'data');
  });
  afterEach(async () => {
    await container?.close(2000);
    container = undefined;
    await receiver.close();
    await backend.tearDown();
    dir.remove();
  });

  test('delivered, then 7 days later purged: receipt 410, status and page show it, retry refused, the answers gone from the store', async () => {
    const tenants = path.join(dir.path, 'tenants');
    mkdirSync(tenants);
    const env = {
      ...writeSampleTenant(tenants, receiver.url), ...(await backend.setUp(dataDir)),
      FORMS_DIR: SAMPLE_FORMS, TENANTS_DIR: tenants, DATA_DIR: dataDir, ADMIN_TOKEN_HASH: sha256(ADMIN_TOKEN), RETENTION_DAYS: '7',
    };
    let clock = new Date('2026-11-30T09:00:00.000Z');
    container = await buildContainer(env, { now: () => clock, retryPolicy: FAST_RETRIES });
    const { app } = container;
    const secret = marker();
    const data = example(FORM, 'valid-1') as { halter: Record<string, unknown> };
    data.halter.vorname = secret;
    data.halter.nachname = `${secret}Nachname`;

    const accepted = await request(app).post(`/api/forms/${FORM}/submissions`).send({ data });
    expect(accepted.status).toBe(201);
    const { id, statusUrl, receiptUrl } = accepted.body as { id: string; statusUrl: string; receiptUrl: string };
    container.worker.start();
    await waitUntil(async () => {
      const jobs = await container!.store.deliveries.jobsOf(id);
      return jobs.length === 2 && jobs.every((j) => j.state === 'delivered');
    });
    expect(receiver.requests.some((r) => r.body.includes(secret))).toBe(true);
    expect((await request(app).get(receiptUrl)).status).toBe(200);
    expect(await backend.contents(dataDir)).toContain(secret);
    // Without SMTP_URL the applicant's confirmation was also written as an .eml copy: their
    // address, the reference and the receipt with the answers. Its time is set to the injected
    // clock's, as if written at that moment.
    const mailDir = path.join(dataDir, 'mail');
    const copies = () => readdirSync(mailDir).filter((f) => f.endsWith('.eml'));
    expect(copies()).toHaveLength(1);
    const copy = readFileSync(path.join(mailDir, copies()[0]!), 'utf8');
    expect(copy).toContain(id);
    expect(copy).toContain(String(data.halter.email));
    utimesSync(path.join(mailDir, copies()[0]!), clock, clock);

    // Not yet: 7 days after the delivery, less a minute.
    clock = new Date(clock.getTime() + 7 * DAY - 60_000);
    expect(await container.retentionCleanup.runOnce()).toBe(0);
    expect((await request(app).get(receiptUrl)).status).toBe(200);
    expect(copies()).toHaveLength(1);

    clock = new Date(clock.getTime() + 60_000);
    expect(await container.retentionCleanup.runOnce()).toBe(1);
    expect(await container.retentionCleanup.runOnce()).toBe(0);
    expect(await backend.contents(dataDir)).not.toContain(secret);
    expect(copies()).toEqual([]);

    const receipt = await request(app).get(receiptUrl).set('accept-language', 'en');
    expect(receipt.status).toBe(410);
    expect(receipt.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(receipt.body).toMatchObject({ code: 'SUBMISSION_DATA_DELETED', status: 410, type: 'urn:efa-forms:problem:submission-data-deleted' });
    // Without the token nothing tells that the reference exists, let alone that it was purged.
    expect((await request(app).get(receiptUrl.replace(/token=[^&]+/, 'token=wrong'))).status).toBe(404);

    const status = await request(app).get(statusUrl);
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ id, status: 'delivered' });
    expect((status.body as { events: Array<{ type: string; at: string }> }).events.at(-1)).toEqual({ type: 'purged', at: clock.toISOString() });

    const token = new URL(statusUrl, 'http://x').searchParams.get('token') ?? '';
    const page = await request(app).get(`/forms/${FORM}/confirmation?ref=${encodeURIComponent(id)}&token=${encodeURIComponent(token)}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('id="purged"');
    expect(page.text).toContain('Aufbewahrungsfrist');
    expect(page.text).not.toContain('receipt.pdf');

    const [job] = await container.store.deliveries.jobsOf(id);
    const retry = await request(app).post(`/api/admin/deliveries/${job!.id}/retry`).set('authorization', `Bearer ${ADMIN_TOKEN}`);
    expect(retry.status).toBe(410);
    expect(retry.body).toMatchObject({ code: 'SUBMISSION_DATA_DELETED' });
    const trail = await request(app).get(`/api/admin/submissions/${id}`).set('authorization', `Bearer ${ADMIN_TOKEN}`);
    expect(trail.status).toBe(200);
    expect((trail.body as { formId: string; authorityId: string; events: Array<{ type: string }> })).toMatchObject({ formId: FORM, authorityId: job!.authorityId });
    expect((trail.body as { events: Array<{ type: string }> }).events.map((e) => e.type)).toEqual(['accepted', 'delivered', 'purged']);
    // The clean-up logged a count, never the reference or the answers.
    expect(container.logger.lines.filter((l) => l.event.startsWith('retention.'))).toEqual([]);
    expect(JSON.stringify(container.logger.lines)).not.toContain(secret);

    await container.close(2000);
    container = undefined;
    // Closed (SQLite: the WAL checkpointed into the file): still nowhere.
    expect(await backend.contents(dataDir)).not.toContain(secret);
  });

  test('an inbox authority: the clock starts at its acknowledgement; afterwards payload and receipt answer 410 and nothing is listed', async () => {
    const tenants = path.join(dir.path, 'tenants');
    mkdirSync(tenants);
    const env = {
      ...writeSampleTenant(tenants, receiver.url, [], { 'stadt-weimar': { delivery: { type: 'inbox', apiKeyHashEnv: 'EFA_INBOX_WEIMAR' } } }),
      ...(await backend.setUp(dataDir)),
      FORMS_DIR: SAMPLE_FORMS, TENANTS_DIR: tenants, DATA_DIR: dataDir, EFA_INBOX_WEIMAR: sha256(WEIMAR_KEY), RETENTION_DAYS: '0',
    };
    let clock = new Date('2026-11-30T09:00:00.000Z');
    container = await buildContainer(env, { now: () => clock, retryPolicy: FAST_RETRIES });
    const { app } = container;
    const weimar = { authorization: `Bearer ${WEIMAR_KEY}` };
    // valid-1 lives in Weimar (ARS 160550000000).
    const accepted = await request(app).post(`/api/forms/${FORM}/submissions`).send({ data: example(FORM, 'valid-1') });
    expect(accepted.status).toBe(201);
    const { id } = accepted.body as { id: string };
    container.worker.start();
    await waitUntil(async () => (await container!.store.deliveries.jobsOf(id)).every((j) => j.channel === 'inbox' || j.state === 'delivered'));

    expect((await request(app).get(`/api/authority/inbox/${id}`).set(weimar)).status).toBe(200);
    clock = new Date(clock.getTime() + DAY);
    // Fetched but not acknowledged: kept, even with 0 days.
    expect(await container.retentionCleanup.runOnce()).toBe(0);
    expect((await request(app).post(`/api/authority/inbox/${id}/ack`).set(weimar)).status).toBe(200);
    expect(await container.retentionCleanup.runOnce()).toBe(1);

    for (const url of [`/api/authority/inbox/${id}`, `/api/authority/inbox/${id}/receipt.pdf`]) {
      const res = await request(app).get(url).set(weimar);
      expect({ url, status: res.status, code: (res.body as { code?: string }).code }).toEqual({ url, status: 410, code: 'SUBMISSION_DATA_DELETED' });
    }
    const listed = await request(app).get('/api/authority/inbox').set(weimar);
    expect((listed.body as { items: unknown[] }).items).toEqual([]);
  });
});
