import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import Database from 'better-sqlite3';
import request from 'supertest';
import type { Container } from '../../src/container';
import type { AttachmentRecord, NewAttachment } from '../../src/storage/ports';
import type { DocumentMediaType } from '../../src/support/media-type';
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
import { documentBytes, PARKING_FILES, PARKING_FORM, sha512Hex } from '../support/stored-attachments';
import { tempDir } from '../support/temp-dir';
import { withUploads } from '../support/with-uploads';
import { buildContainer, example, SAMPLE_FORMS, secretFor, writeSampleTenant } from '../support/test-setup';
import { job, submission } from '../contract/store-contract-fixtures';

/**
 * `efa-forms copy-to-postgres` as an operator runs it: a real SQLite database filled through the
 * real container (the API, a real HTTP receiver, the inbox, the pages, the admin API), the real
 * CLI process, and a fresh database on the machine's PostgreSQL (TEST_DATABASE_URL or
 * postgres://postgres@127.0.0.1:5432/postgres), created for this file and dropped after. The
 * copy is then read through a container on DATABASE_URL, as the servers will read it. The
 * attachments (a submission's two files, one with a sealed copy, a draft's and an unused API
 * upload) are made through the store's API and read back from PostgreSQL's store byte for byte.
 */

jest.setTimeout(120_000);

const ADMIN_TOKEN = 'copy-to-postgres-admin-token-0123456789';
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
const WEIMAR_KEY = 'weimar-inbox-key-0123456789abcdef';
const NOW = new Date('2031-01-01T00:00:00.000Z');

type Snapshot = Awaited<ReturnType<typeof snapshot>>;

/** The bytes of every stored file, by id: what the copy must carry. */
type StoredBytes = Map<string, Buffer>;

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Pieces of 64 KiB, as an encrypter hands a sealed copy to the store. */
const pieces = (bytes: Buffer) => Readable.from(Array.from({ length: Math.ceil(bytes.length / 65_536) }, (_, i) => bytes.subarray(i * 65_536, (i + 1) * 65_536)));

/**
 * Attachments made through the store's API, as the upload routes and the submission service
 * make them: a submission (its job pending) taking a 2.5 MB PDF (more than one chunk) with a
 * sealed copy and a PNG, a JPEG on the saved draft, an API upload no submission took.
 */
async function storeAttachments(c: Container, draftKey: string, files: StoredBytes) {
  const upload = async (formId: string, fieldPointer: string, mediaType: DocumentMediaType, size: number, fileName: string, draft?: string) => {
    const bytes = documentBytes(mediaType, size);
    const written = await c.store.attachmentFiles.write(pieces(bytes), { maxBytes: 10_000_000, accept: [mediaType] });
    if (!written.ok) throw new Error(`not stored: ${written.refusal}`);
    files.set(written.file.id, bytes);
    // A page upload belongs to its draft (draftKey), an API upload to nobody until a submission takes it.
    const record: NewAttachment = {
      ...written.file, formId, fieldPointer, fileName, scanned: draft === undefined, createdAt: new Date(), ...(draft === undefined ? {} : { draftKey: draft }),
    };
    await c.store.attachments.add(record);
    return record;
  };
  const pdf = await upload(PARKING_FORM, PARKING_FILES, 'application/pdf', 2_500_000, 'Zulassung Teil I – Müller.pdf');
  const png = await upload(PARKING_FORM, PARKING_FILES, 'image/png', 70_000, 'Rückseite.png');
  const onDraft = await upload('gewerbeanmeldung', '/nachweise', 'image/jpeg', 12_345, 'Ausweis.jpg', draftKey);
  const unused = await upload(PARKING_FORM, PARKING_FILES, 'application/pdf', 4_000, 'später.pdf');
  // A JWE of the PDF, as the outbound payloads seal it (any bytes to the store: writeRaw).
  const jwe = Buffer.from(`eyJhbGciOiJSU0EtT0FFUC0yNTYiLCJlbmMiOiJBMjU2R0NNIn0.${documentBytes('application/pdf', 1_300_000).toString('base64url')}`, 'latin1');
  const sealed = await c.store.attachmentFiles.writeRaw(pieces(jwe));
  files.set(sealed.id, jwe);
  // Erfurt's authority of the sample tenant: a reload keeps it while its job is queued.
  const authorityId = 'stadt-erfurt-buergeramt';
  const s = submission({ formId: PARKING_FORM, authorityId, dataJson: JSON.stringify({ fahrzeug: { zulassungsbescheinigung: [pdf.id, png.id] } }) });
  await c.store.submissions.create(
    { ...s, attachments: [{ id: pdf.id, sealed: { fileId: sealed.id, size: sealed.size, kid: 'erfurt-2031' } }, { id: png.id }] },
    [job(s.id, { authorityId })],
  );
  // Stored like any accepted submission's receipt, so the snapshot's rule (unpurged: stored) holds.
  await c.store.receipts.putReceiptIfAbsent(s.id, Buffer.from('%PDF-1.7\nthe receipt of the submission with files\n%%EOF\n', 'latin1'));
  return { submissionId: s.id, pdf, png, onDraft, unused, sealed };
}

type Attached = Awaited<ReturnType<typeof storeAttachments>>;

/** Everything the ports tell about the installation, to compare before and after the copy. */
async function snapshot(c: Container, ids: readonly string[], testLinkHash: string, sessionKey: string, attached: Attached, draftKey: string) {
  const store = c.store;
  return {
    attachments: {
      ofSubmissions: await Promise.all(ids.map((id) => store.attachments.ofSubmission(id))),
      ofDraft: await store.attachments.ofDraft(draftKey),
      unused: await store.attachments.find(attached.unused.id),
    },
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
  let attached: Attached;
  let draftKey = '';
  const files: StoredBytes = new Map();

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
      /** The ids of the files uploaded for the parking permit (its vehicle registration). */
      const uploaded: string[] = [];
      for (const [form, name] of [['hundesteuer-anmeldung', 'valid-1'], ['hundesteuer-anmeldung', 'valid-2'], ['hundesteuer-anmeldung', 'valid-3'],
        ['gewerbeanmeldung', 'valid-1'], ['gewerbeanmeldung', 'valid-2'], ['anwohnerparkausweis', 'valid-1'], ['hundesteuer-anmeldung', 'valid-1']] as const) {
        // With the files the example names uploaded first (the parking permit's vehicle registration).
        const data = await withUploads(sqlite.app, form, example(form, name));
        if (form === PARKING_FORM) uploaded.push(...(data.fahrzeug as { zulassungsbescheinigung: string[] }).zulassungsbescheinigung);
        const res = await request(sqlite.app).post(`/api/forms/${form}/submissions`).send({ data });
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
      // The delivered parking permit's uploaded file goes with it: its row here, its bytes removed
      // as the retention cleanup removes them, so the copy must not carry it (the file list below).
      const purged = await sqlite.store.submissions.purgeDue({ now: NOW, defaultDays: 0, daysByForm: new Map(), limit: 100 });
      expect(uploaded).toHaveLength(1);
      expect(purged).toEqual({ purged: 5, removedFiles: uploaded });
      for (const file of purged.removedFiles) await sqlite.store.attachmentFiles.remove(file);

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

      // Files, with the worker stopped so the submission that takes two of them stays pending.
      await sqlite.worker.stop(2000);
      const file = new Database(path.join(env.DATA_DIR!, 'efa-forms.sqlite'), { readonly: true });
      draftKey = file.prepare<[], { key: string }>('SELECT key FROM drafts').get()!.key;
      file.close();
      attached = await storeAttachments(sqlite, draftKey, files);
      ids.push(attached.submissionId);

      before = await snapshot(sqlite, ids, testLinkHash, sessionKey, attached, draftKey);
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
    expect(before.submissions.map((s) => s?.status).sort()).toEqual(['accepted', 'acknowledged', 'delivered', 'delivered', 'delivered', 'delivered', 'accepted', 'accepted'].sort());
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
    // The submission with files: two in order, the first with its sealed copy; a draft's file; an unused one.
    const taken = before.attachments.ofSubmissions.flat();
    expect(taken.map((a) => [a.id, a.submissionId, a.sealed?.fileId])).toEqual([
      [attached.pdf.id, attached.submissionId, attached.sealed.id], [attached.png.id, attached.submissionId, undefined]]);
    expect(before.attachments.ofDraft.map((a) => a.id)).toEqual([attached.onDraft.id]);
    expect(before.attachments.unused?.submissionId).toBeUndefined();
    expect(readdirSync(path.join(env.DATA_DIR!, 'attachments')).sort()).toEqual([...files.keys()].sort());
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

    test('exit 0 and the rows copied per table, in dependency order, and the files', () => {
      expect(copy.stderr).toBe('');
      expect(copy.code).toBe(0);
      const result = JSON.parse(copy.stdout) as { ok: boolean; from: string; tables: Record<string, number>; files: { count: number; bytes: number } };
      expect(result.ok).toBe(true);
      expect(result.from).toBe(path.join(env.DATA_DIR!, 'efa-forms.sqlite'));
      expect(Object.keys(result.tables)).toEqual([
        'submissions', 'submission_events', 'receipts', 'delivery_jobs', 'drafts', 'attachments', 'operator_audit', 'operator_sessions', 'test_links',
        'configuration_generation', 'write_probe']);
      expect(result.tables).toMatchObject({
        submissions: ids.length,
        submission_events: before.submissions.reduce((n, s) => n + s!.events.length, 0),
        delivery_jobs: before.jobs.flat().length,
        receipts: 3,
        drafts: 1, attachments: 4, operator_audit: 2, operator_sessions: 1, test_links: 1, configuration_generation: 1, write_probe: 1,
      });
      expect(result.files).toEqual({ count: 5, bytes: [...files.values()].reduce((n, b) => n + b.length, 0) });
    });

    test('every file an attachment names arrives under its id, byte for byte, in chunks: its SHA-512 the row\'s, the sealed copy\'s size its row\'s', async () => {
      const store = pgContainer.store;
      for (const [id, bytes] of files) {
        const copied = await readAll(store.attachmentFiles.read(id));
        expect({ id, equal: copied.equals(bytes) }).toEqual({ id, equal: true });
      }
      const records = [...before.attachments.ofSubmissions.flat(), ...before.attachments.ofDraft, before.attachments.unused!] as AttachmentRecord[];
      for (const record of records) {
        expect(sha512Hex(await readAll(store.attachmentFiles.read(record.id)))).toBe(record.sha512);
        expect((await readAll(store.attachmentFiles.read(record.id))).length).toBe(record.size);
      }
      const [pdf] = await store.attachments.ofSubmission(attached.submissionId);
      expect((await readAll(store.attachmentFiles.read(pdf!.sealed!.fileId))).length).toBe(pdf!.sealed!.size);
      // The 2.5 MB PDF and the 1.7 MB sealed copy are several chunks, as PostgreSQL's store writes them.
      const chunks = await target.query<{ file_id: string; chunks: number; size: string }>('SELECT file_id, chunks, size FROM attachment_files');
      expect(chunks.map((c) => c.file_id).sort()).toEqual([...files.keys()].sort());
      expect(chunks.find((c) => c.file_id === attached.pdf.id)!.chunks).toBeGreaterThan(1);
      expect(chunks.find((c) => c.file_id === attached.sealed.id)!.chunks).toBeGreaterThan(1);
      // The file names are the applicant's as stored (not part of the bytes, but of the rows).
      expect(((await store.attachments.find(attached.pdf.id))?.fileName)).toBe('Zulassung Teil I – Müller.pdf');
    });

    test('every port answers as it did on SQLite: submissions with their events, jobs, stats, inbox, audit, links, sessions', async () => {
      const after = await snapshot(pgContainer, ids, testLinkHash, sessionKey, attached, draftKey);
      // Byte for byte: answers, payloads, bodies, parameters and the stored receipts' PDFs; times to the millisecond.
      expect(after).toEqual(before);
      const pdfs = (r: typeof before.receipts) => r.filter((x) => x !== undefined).map((x) => x.pdf);
      expect(pdfs(after.receipts)).toHaveLength(3);
      expect(pdfs(after.receipts).map((pdf, i) => Buffer.compare(pdf, pdfs(before.receipts)[i]!))).toEqual([0, 0, 0]);
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
      expect(again.stderr).toMatch(/^efa-forms copy-to-postgres: the PostgreSQL database of DATABASE_URL is not empty \(rows in submissions, submission_events, receipts, delivery_jobs, drafts, attachments, operator_audit, operator_sessions, test_links, attachment_files, attachment_chunks\): .+\n$/);
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

  test('a file an attachment names missing (or of another size) in DATA_DIR: refused before anything is written, one line per file, ids only', async () => {
    const broken = tempDir('efa-copy-missing-');
    const other = await createTestDatabase();
    dropLater.push(other);
    try {
      cpSync(env.DATA_DIR!, broken.path, { recursive: true });
      const folder = path.join(broken.path, 'attachments');
      rmSync(path.join(folder, attached.png.id));
      rmSync(path.join(folder, attached.sealed.id));
      writeFileSync(path.join(folder, attached.unused.id), files.get(attached.unused.id)!.subarray(0, 1000));
      const run = await runCli(['copy-to-postgres', '--json'], { DATA_DIR: broken.path, DATABASE_URL: other.url });
      expect(run.code).toBe(1);
      const of = `submission ${attached.submissionId}`;
      // In the order of the attachments' ids, a sealed copy after its attachment's own file.
      const expected = [
        [attached.pdf.id, `DATA_DIR ${broken.path}: attachments/${attached.sealed.id} is missing (the sealed copy of attachment ${attached.pdf.id}, ${of})`],
        [attached.png.id, `DATA_DIR ${broken.path}: attachments/${attached.png.id} is missing (the file of attachment ${attached.png.id}, ${of})`],
        [attached.unused.id, `DATA_DIR ${broken.path}: attachments/${attached.unused.id} has 1000 bytes, its row says 4000 (the file of attachment ${attached.unused.id}, not taken by a submission)`],
      ].sort(([a], [b]) => a!.localeCompare(b!)).map(([, line]) => line);
      const lines = [...expected, `DATA_DIR ${broken.path}: 3 files the attachments name are missing or wrong: put them back (from a backup) before copying; nothing was copied`];
      expect(run.stderr).toBe(`${lines.join('\n')}\n`);
      expect(JSON.parse(run.stdout)).toEqual({ ok: false, problems: lines });
      // No file name the applicant gave, and nothing written: not even migrated.
      expect(run.stderr).not.toContain('.pdf');
      expect((await other.query<{ n: string }>('SELECT count(*) AS n FROM pg_tables WHERE tablename = \'submissions\''))[0]!.n).toBe('0');
    } finally {
      broken.remove();
    }
  });

  test('a file whose bytes were changed (same size, another SHA-512) fails the copy in its transaction: the target keeps no row and no chunk', async () => {
    const broken = tempDir('efa-copy-changed-');
    const other = await createTestDatabase();
    dropLater.push(other);
    try {
      cpSync(env.DATA_DIR!, broken.path, { recursive: true });
      const file = path.join(broken.path, 'attachments', attached.pdf.id);
      const bytes = readFileSync(file);
      bytes[2_000_000] = bytes[2_000_000]! ^ 0xff;
      writeFileSync(file, bytes);
      const run = await runCli(['copy-to-postgres'], { DATA_DIR: broken.path, DATABASE_URL: other.url });
      expect(run.code).toBe(1);
      expect(run.stderr).toBe(`efa-forms copy-to-postgres: the file of attachment ${attached.pdf.id}, submission ${attached.submissionId} (attachments/${attached.pdf.id}): `
        + 'its bytes do not have the SHA-512 its row records (the file was changed); nothing was written\n');
      const [counts] = await other.query<Record<string, string>>(
        'SELECT (SELECT count(*) FROM submissions) AS s, (SELECT count(*) FROM attachments) AS a, (SELECT count(*) FROM attachment_files) AS f, (SELECT count(*) FROM attachment_chunks) AS c');
      expect(counts).toEqual({ s: '0', a: '0', f: '0', c: '0' });
    } finally {
      broken.remove();
    }
  });

  test('in batches: with 2 rows a batch the same rows arrive, each table in the order of its key', async () => {
    const other = await createTestDatabase();
    dropLater.push(other);
    const source = openSqliteExport(env.DATA_DIR!, { batchRows: 2 });
    const seen: TableBatch[] = [];
    let copied: Awaited<ReturnType<typeof importIntoPostgres>>;
    try {
      copied = await importIntoPostgres({ url: other.url, poolSize: 2, statementTimeoutMs: 10_000 }, (function* () {
        for (const batch of source.batches()) {
          seen.push(batch);
          yield batch;
        }
      })(), source.files());
    } finally {
      source.close();
    }
    expect(Math.max(...seen.map((b) => b.rows.length))).toBe(2);
    expect(copied.tables.submissions).toBe(ids.length);
    expect(copied.files.count).toBe(files.size);
    const attachmentRows = seen.filter((b) => b.table === 'attachments').flatMap((b) => b.rows);
    expect(attachmentRows.map((r) => [typeof r.scanned, r.created_at instanceof Date])).toEqual(attachmentRows.map(() => ['boolean', true]));
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
    expect(run.stdout).toContain('every file an attachment names');
  });
});
