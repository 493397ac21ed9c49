import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import type { Container } from '../../src/container';
import { buildContainer, example, SAMPLE_FORMS, writeSampleTenant } from '../support/test-setup';
import { tempDir } from '../support/temp-dir';

const FORM = 'anwohnerparkausweis';
const FIELD = '/fahrzeug/zulassungsbescheinigung';
const QUESTION = { accept: ['application/pdf'] as const, maxFiles: 2 };
const HOUR = 3600_000;
const DAY = 24 * HOUR;

async function* bytes(text: string): AsyncIterable<Buffer> {
  yield await Promise.resolve(Buffer.from(`%PDF-1.7\n${text}`, 'latin1'));
}

/**
 * Where files go when nobody needs them any more (issue 15 point 4): with their draft (the draft
 * clean-up's sweep), after ATTACHMENT_UPLOAD_TTL_HOURS when an API upload was never referenced,
 * and with their submission's personal data (retention), each time from the real folder under
 * DATA_DIR.
 */
describe('attachments: removed with their draft, when never used, and under retention', () => {
  const dir = tempDir();
  let container: Container;
  let clock = new Date('2026-12-01T09:00:00Z');
  const folder = () => path.join(dir.path, 'data', 'attachments');
  const files = () => (existsSync(folder()) ? readdirSync(folder()) : []);

  beforeAll(async () => {
    const tenants = path.join(dir.path, 'tenants');
    mkdirSync(tenants, { recursive: true });
    const env = writeSampleTenant(tenants, 'http://127.0.0.1:9');
    container = await buildContainer(
      { ...env, FORMS_DIR: SAMPLE_FORMS, TENANTS_DIR: tenants, DATA_DIR: path.join(dir.path, 'data'), ATTACHMENT_UPLOAD_TTL_HOURS: '2', RETENTION_DAYS: '1' },
      { now: () => clock },
    );
  });
  afterAll(async () => {
    await container.close(1000);
    dir.remove();
  });

  const sweep = async () => {
    container.draftCleanup.start();
    await container.draftCleanup.stop();
  };

  test('a draft\'s files stay while it lives and go with it; a file of a live draft is kept', async () => {
    await container.store.drafts.create({
      key: 'draft-gone', formId: FORM, formVersion: '1.0.0', dataJson: '{}', csrfToken: 'c1', resumeTokenHash: null, createdAt: clock, updatedAt: clock, expiresAt: new Date(clock.getTime() + DAY),
    });
    await container.store.drafts.create({
      key: 'draft-kept', formId: FORM, formVersion: '1.0.0', dataJson: '{}', csrfToken: 'c2', resumeTokenHash: null, createdAt: clock, updatedAt: clock, expiresAt: new Date(clock.getTime() + 40 * DAY),
    });
    const a = await container.attachments.upload({ formId: FORM, fieldPointer: FIELD, question: QUESTION, fileName: 'a.pdf', content: bytes('a'), draftKey: 'draft-gone' });
    const b = await container.attachments.upload({ formId: FORM, fieldPointer: FIELD, question: QUESTION, fileName: 'b.pdf', content: bytes('b'), draftKey: 'draft-kept' });
    if (!a.ok || !b.ok) throw new Error('not stored');
    await sweep();
    expect(files()).toEqual(expect.arrayContaining([a.attachment.id, b.attachment.id]));

    clock = new Date(clock.getTime() + 2 * DAY); // the first draft expires; the draft clean-up deletes it
    await sweep();
    expect(files()).not.toContain(a.attachment.id);
    expect(await container.store.attachments.find(a.attachment.id)).toBeUndefined();
    expect(files()).toContain(b.attachment.id);
  });

  test('an API upload no submission named is deleted after ATTACHMENT_UPLOAD_TTL_HOURS, not before', async () => {
    const res = await request(container.app).post(`/api/forms/${FORM}/attachments?field=${encodeURIComponent(FIELD)}`).attach('file', Buffer.from('%PDF-1.7\nunused'), 'x.pdf');
    expect(res.status).toBe(201);
    clock = new Date(clock.getTime() + HOUR);
    await sweep();
    expect(files()).toContain(res.body.id);
    clock = new Date(clock.getTime() + 2 * HOUR);
    await sweep();
    expect(files()).not.toContain(res.body.id);
  });

  test('a submission\'s files are deleted with its personal data when its retention period ends', async () => {
    const up = await request(container.app).post(`/api/forms/${FORM}/attachments?field=${encodeURIComponent(FIELD)}`).attach('file', Buffer.from('%PDF-1.7\nkept until retention'), 'y.pdf');
    const data = example(FORM, 'valid-1') as { fahrzeug: Record<string, unknown> };
    data.fahrzeug.zulassungsbescheinigung = [up.body.id];
    const accepted = await request(container.app).post(`/api/forms/${FORM}/submissions`).set('content-type', 'application/json').send(JSON.stringify({ data }));
    expect(accepted.status).toBe(201);
    // Taken by the submission: not an orphan, whatever its age.
    clock = new Date(clock.getTime() + 10 * DAY);
    await sweep();
    expect(files()).toContain(up.body.id);

    const jobs = await container.store.deliveries.claimDue({ now: clock, limit: 10, leaseMs: 60_000, owner: 'test' });
    for (const job of jobs.filter((j) => j.submissionId === accepted.body.id)) await container.store.deliveries.markDelivered(job.id, clock);
    await container.store.deliveries.releaseLeases('test', clock);
    clock = new Date(clock.getTime() + 2 * DAY);
    expect(await container.retentionCleanup.runOnce()).toBeGreaterThanOrEqual(1);
    expect(files()).not.toContain(up.body.id);
    expect(await container.store.attachments.ofSubmission(accepted.body.id as string)).toEqual([]);
  });
  test('a file no row names (a crash between the file and its row) and a write a crash cut off go once older than ATTACHMENT_UPLOAD_TTL_HOURS; named files stay', async () => {
    // The folder's files carry real times: the clock is set from the real one here.
    clock = new Date();
    await container.store.drafts.create({
      key: 'draft-live', formId: FORM, formVersion: '1.0.0', dataJson: '{}', csrfToken: 'c3', resumeTokenHash: null, createdAt: clock, updatedAt: clock, expiresAt: new Date(clock.getTime() + 40 * DAY),
    });
    const kept = await container.attachments.upload({ formId: FORM, fieldPointer: FIELD, question: QUESTION, fileName: 'k.pdf', content: bytes('k'), draftKey: 'draft-live' });
    if (!kept.ok) throw new Error('not stored');
    const stray = await container.store.attachmentFiles.write(bytes('stray'), { maxBytes: 1000, accept: ['application/pdf'] });
    if (!stray.ok) throw new Error('not stored');
    const part = path.join(folder(), '0f8fad5b-d9cb-469f-a165-70867728950e.part');
    writeFileSync(part, '%PDF-1.7\ncut off');
    await sweep();
    expect(files()).toEqual(expect.arrayContaining([kept.attachment.id, stray.file.id, path.basename(part)]));

    clock = new Date(clock.getTime() + 3 * HOUR);
    await sweep();
    expect(files()).not.toContain(stray.file.id);
    expect(files()).not.toContain(path.basename(part));
    expect(files()).toContain(kept.attachment.id);
    expect(await container.store.attachments.find(kept.attachment.id)).toBeDefined();
  });
});
