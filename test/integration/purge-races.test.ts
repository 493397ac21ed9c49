import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import express from 'express';
import request from 'supertest';
import { createOutboundPayloads, type OutboundPayloads } from '../../src/delivery/outbound-payload';
import { createPayloadEncrypter } from '../../src/delivery/payload-encryption';
import { authorityInboxRouter } from '../../src/http/authority-inbox-router';
import { errorHandler } from '../../src/http/problem';
import type { AuthorityInboxStore, SubmissionRepository } from '../../src/storage/ports';
import { FAST_RETRIES, waitUntil } from '../support/channel-harness';
import { testEncryptionKeys } from '../support/encryption-keys';
import { startReceiver, type TestReceiver } from '../support/http-receiver';
import { createTestDatabase, type TestDatabase } from '../support/postgres-database';
import { tempDir } from '../support/temp-dir';
import { buildContainer, example, SAMPLE_FORMS, secretFor, writeSampleTenant } from '../support/test-setup';

/**
 * What another process's retention run, or a raw id, does to a request in flight, on SQLite and
 * PostgreSQL (review of issue 13, findings 4 and 5): never a 500, never an empty 200, and never
 * the answers written back into a purged job.
 *
 * The purge races are made deterministic without faking anything: the inbox route runs on the
 * real store, the real outbound-payload service and the real error handler, and at one chosen
 * step of the request (right after the route's own check, or right after the sealer read the
 * XML) the container's real retention clean-up runs to completion, as a second process's could.
 */
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const ADMIN_TOKEN = 'admin-token-for-purge-race-tests';
const WEIMAR_KEY = 'weimar-inbox-key-for-purge-race-tests';
const FORM = 'hundesteuer-anmeldung';
const DAY = 24 * 3600 * 1000;
type Container = Awaited<ReturnType<typeof buildContainer>>;

interface Backend {
  readonly name: string;
  setUp(): Promise<Record<string, string>>;
  tearDown(): Promise<void>;
}
const sqlite: Backend = { name: 'SQLite', setUp: () => Promise.resolve({}), tearDown: () => Promise.resolve() };
function postgres(): Backend {
  let db: TestDatabase | undefined;
  return {
    name: 'PostgreSQL',
    async setUp() {
      db = await createTestDatabase();
      return { DATABASE_URL: db.url };
    },
    async tearDown() {
      await db?.drop();
      db = undefined;
    },
  };
}

/** Where the purge lands in the inbox GET. */
type PurgeAt = 'after the route found the job' | 'after the sealer read the XML';

describe.each([sqlite, postgres()])('purge races and raw ids on $name', (backend) => {
  let dir: ReturnType<typeof tempDir>;
  let receiver: TestReceiver;
  let container: Container | undefined;
  let clock: Date;

  beforeEach(async () => {
    dir = tempDir('efa-purge-races-');
    receiver = await startReceiver(secretFor);
    const tenants = path.join(dir.path, 'tenants');
    mkdirSync(tenants);
    const env = {
      ...writeSampleTenant(tenants, receiver.url, [], { 'stadt-weimar': { delivery: { type: 'inbox', apiKeyHashEnv: 'EFA_INBOX_WEIMAR' } } }),
      ...(await backend.setUp()),
      FORMS_DIR: SAMPLE_FORMS, TENANTS_DIR: tenants, DATA_DIR: path.join(dir.path, 'data'),
      EFA_INBOX_WEIMAR: sha256(WEIMAR_KEY), ADMIN_TOKEN_HASH: sha256(ADMIN_TOKEN), RETENTION_DAYS: '0',
    };
    clock = new Date('2026-11-30T09:00:00.000Z');
    container = await buildContainer(env, { now: () => clock, retryPolicy: FAST_RETRIES });
  });
  afterEach(async () => {
    await container?.close(2000);
    container = undefined;
    await receiver.close();
    await backend.tearDown();
    dir.remove();
  });

  /** A Weimar (inbox) submission through the app, fetched and acknowledged: due for purging now. */
  async function acknowledgedInboxSubmission(c: Container): Promise<string> {
    const accepted = await request(c.app).post(`/api/forms/${FORM}/submissions`).send({ data: example(FORM, 'valid-1') });
    expect(accepted.status).toBe(201);
    const { id } = accepted.body as { id: string };
    c.worker.start();
    // The applicant's e-mail must be delivered too before anything is due.
    await waitUntil(async () => (await c.store.deliveries.jobsOf(id)).every((j) => j.channel === 'inbox' || j.state === 'delivered'));
    await c.worker.stop(2000);
    const weimar = { authorization: `Bearer ${WEIMAR_KEY}` };
    expect((await request(c.app).get(`/api/authority/inbox/${id}`).set(weimar)).status).toBe(200);
    clock = new Date(clock.getTime() + DAY);
    expect((await request(c.app).post(`/api/authority/inbox/${id}/ack`).set(weimar)).status).toBe(200);
    return id;
  }

  /**
   * The inbox route on the container's real store, error handler and (without a key) its real
   * outbound payloads, or (with a key) real ones sealing to a real key the authority got since;
   * the container's retention clean-up runs once at `purgeAt`. Returns the app and how much it purged.
   */
  async function racingInbox(c: Container, purgeAt: PurgeAt, withKey: boolean): Promise<{ app: express.Express; purged: () => number }> {
    let purged = 0;
    let armed = true;
    const purgeOnce = async (): Promise<void> => {
      if (!armed) return;
      armed = false;
      purged += await c.retentionCleanup.runOnce();
    };
    const inbox: AuthorityInboxStore = {
      ...c.store.inbox,
      async find(authorityId, submissionId) {
        const found = await c.store.inbox.find(authorityId, submissionId);
        if (purgeAt === 'after the route found the job') await purgeOnce();
        return found;
      },
    };
    const sealerSubmissions: Pick<SubmissionRepository, 'find'> = {
      async find(id) {
        const record = await c.store.submissions.find(id);
        if (purgeAt === 'after the sealer read the XML') await purgeOnce();
        return record;
      },
    };
    const set = c.live.current();
    let outbound: OutboundPayloads = set.delivery.outbound;
    if (withKey) {
      const encrypter = await createPayloadEncrypter(testEncryptionKeys().publicJwk);
      outbound = createOutboundPayloads({ encrypterOf: () => encrypter, submissions: sealerSubmissions, deliveries: c.store.deliveries, attachments: c.store.attachments, attachmentFiles: c.store.attachmentFiles });
    }
    const app = express();
    app.use(authorityInboxRouter({
      inbox, submissions: c.store.submissions, receipts: set.receipts, outbound, deliveries: c.store.deliveries, attachments: c.store.attachments, now: () => clock,
      keys: [{ authorityId: 'stadt-weimar', keyHash: sha256(WEIMAR_KEY) }],
    }));
    app.use(errorHandler(c.logger));
    return { app, purged: () => purged };
  }

  test.each<[PurgeAt, boolean, string]>([
    ['after the route found the job', false, 'the fetch returns the blanked job (was: 200 with an empty body)'],
    ['after the route found the job', true, 'the sealer finds the answers gone (was: 500)'],
    ['after the sealer read the XML', true, 'the reseal writes nothing (was: the answers stored again, sealed, and served)'],
  ])('a purge %s (authority key: %s): 410 SUBMISSION_DATA_DELETED; %s', async (purgeAt, withKey) => {
    const c = container!;
    const id = await acknowledgedInboxSubmission(c);
    const { app, purged } = await racingInbox(c, purgeAt, withKey);

    const res = await request(app).get(`/api/authority/inbox/${id}`).set('authorization', `Bearer ${WEIMAR_KEY}`).set('accept-language', 'en');
    expect(purged()).toBe(1);
    expect({ status: res.status, type: res.headers['content-type'], code: (res.body as { code?: unknown }).code })
      .toEqual({ status: 410, type: expect.stringMatching(/^application\/problem\+json/), code: 'SUBMISSION_DATA_DELETED' });
    const [inboxJob] = (await c.store.deliveries.jobsOf(id)).filter((j) => j.channel === 'inbox');
    expect(inboxJob).toMatchObject({ body: '', contentType: 'application/xml; charset=utf-8' });
    expect(inboxJob?.purgedAt).toBeDefined();
    expect(c.logger.lines.filter((l) => l.event === 'http.internal_error')).toEqual([]);
  });

  test('an operator\'s retry of a job id holding a NUL: 404 problem+json like any unknown job, never a 500', async () => {
    const c = container!;
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const res = await request(c.app).post('/api/admin/deliveries/a%00b/retry').set(admin);
    expect({ status: res.status, type: res.headers['content-type'], code: (res.body as { code?: unknown }).code })
      .toEqual({ status: 404, type: expect.stringMatching(/^application\/problem\+json/), code: 'DELIVERY_NOT_FOUND' });
    // The refusal is in the audit trail, without the id (it is no id this installation has).
    const audit = await request(c.app).get('/api/admin/audit').set(admin);
    expect(audit.status).toBe(200);
    expect((audit.body as { items: unknown[] }).items).toEqual([
      expect.objectContaining({ action: 'delivery.retry', target: null, outcome: 'refused', detail: 'DELIVERY_NOT_FOUND' }),
    ]);
    const trail = await request(c.app).get('/api/admin/submissions/a%00b').set(admin);
    expect({ status: trail.status, type: trail.headers['content-type'] }).toEqual({ status: 404, type: expect.stringMatching(/^application\/problem\+json/) });
    expect(c.logger.lines.filter((l) => l.event === 'http.internal_error')).toEqual([]);
  });
});
