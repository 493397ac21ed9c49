import { readdirSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { signatureHeaders, verifyPayloadSignature } from '../../src/delivery/signature';
import { submit, waitUntil, withReceiver } from '../support/channel-harness';
import { decryptJwe, testEncryptionKeys } from '../support/encryption-keys';
import { dispositionFileName, parseMultipart, type ReceivedPart } from '../support/multipart';
import { documentBytes, listedAttachments, PARKING_FILES, PARKING_FORM, sha512Hex, storeUpload, submitWithFiles } from '../support/stored-attachments';
import { createTestDatabase, type TestDatabase } from '../support/postgres-database';
import { tempDir } from '../support/temp-dir';
import { example } from '../support/test-setup';

/**
 * The http push of a submission with files (issue 15): a multipart/mixed body whose first part
 * is the payload as before and whose other parts are the files, each its own JWE for an
 * authority with a key, signed over the whole body, the same bytes on every attempt. The
 * receiver is a real HTTP server that reads the body as docs/delivery.md describes.
 */
const AUTHORITY = 'stadt-erfurt-buergeramt';
/** Erfurt's trade registration, whose one file question (ID copy) is optional: its valid-1 names no file. */
const FORM_WITHOUT_FILES = 'gewerbeanmeldung';
const listed = listedAttachments;

const FILES = [
  { fileName: 'Fahrzeugschein Vorderseite – Müller.pdf', mediaType: 'application/pdf' as const, size: 10 * 1024 * 1024 },
  { fileName: 'rueckseite.png', mediaType: 'image/png' as const, size: 70_001 },
];

describe('http push with attachments', () => {
  const ctx = withReceiver();
  const { harness } = ctx;

  test('an authority with a key: payload and each file a JWE of its own, decrypted to exactly the uploaded bytes (hash as listed); a repeat after a failure is byte-identical and signed over the whole body', async () => {
    const keys = testEncryptionKeys();
    const c = await harness.start(ctx.receiver.url, { [AUTHORITY]: { encryptionKey: keys.publicJwk } });
    ctx.receiver.respond = (_r, i) => (i === 0 ? 503 : 204);
    const { accepted, uploads } = await submitWithFiles(c, FILES);
    expect(accepted.authority.id).toBe(AUTHORITY);
    c.worker.start();
    await waitUntil(async () => (await c.store.submissions.find(accepted.id))?.status === 'delivered');

    const received = ctx.receiver.requests.filter((r) => r.path === `/${AUTHORITY}`);
    expect(received).toHaveLength(2);
    const [first, second] = received as [typeof received[0], typeof received[0]];
    expect(first.raw.equals(second.raw)).toBe(true);
    expect(first.headers['idempotency-key']).toBe(second.headers['idempotency-key']);
    expect(received.every((r) => r.signatureValid)).toBe(true);
    expect(first.headers['content-type']).toBe(`multipart/mixed; boundary=efa-forms-${String(first.headers['idempotency-key'])}`);
    expect(Number(first.headers['content-length'])).toBe(first.raw.length);
    // The signature covers every byte: one changed byte in the last file fails it.
    const tampered = Buffer.from(first.raw);
    tampered[tampered.length - 100] = tampered[tampered.length - 100]! ^ 1;
    expect(verifyPayloadSignature('x', signatureHeaders(first.headers), tampered, Math.floor(Date.now() / 1000))).toBe(false);

    const parts = parseMultipart(first.headers['content-type'], first.raw);
    expect(parts).toHaveLength(3);
    const [payload, ...fileParts] = parts as [ReceivedPart, ...ReceivedPart[]];
    expect(payload.headers['content-type']).toBe('application/jose');
    const xml = (await decryptJwe(payload.body.toString('ascii'), keys.privateKey)).plaintext.toString('utf8');
    expect(xml).toBe((await c.store.submissions.find(accepted.id))!.payloadXml);
    const listing = listed(xml);
    expect(listing.map((a) => a.id)).toEqual(uploads.map((u) => u.id));

    for (const [i, part] of fileParts.entries()) {
      const upload = uploads[i]!;
      expect(part.headers['content-type']).toBe('application/jose');
      expect(part.headers['efa-attachment-id']).toBe(upload.id);
      expect(part.headers['content-id']).toBe(`<${upload.id}@efa-forms>`);
      expect(part.headers['efa-attachment-media-type']).toBe(upload.mediaType);
      // Under its id only: the applicant's file name is inside the sealed payload.
      expect(part.headers['content-disposition']).toBe(`attachment; filename="${upload.id}.jwe"`);
      const opened = await decryptJwe(part.body.toString('ascii'), keys.privateKey);
      expect(opened.header).toEqual({ alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: keys.publicJwk.kid, cty: upload.mediaType });
      expect(opened.plaintext.equals(upload.bytes)).toBe(true);
      // What a receiver checks: the decrypted bytes against the payload's listing and the part's header.
      expect(sha512Hex(opened.plaintext)).toBe(listing[i]!.sha512);
      expect(part.headers['efa-attachment-sha512']).toBe(listing[i]!.sha512);
      expect(opened.plaintext.length).toBe(listing[i]!.size);
      expect(listing[i]!.fileName).toBe(upload.fileName);
    }
    expect(first.raw.includes('Müller')).toBe(false);
  });

  test('an authority without a key: the payload as before in part one, the files as uploaded with their media types', async () => {
    const c = await harness.start(ctx.receiver.url);
    const { accepted, uploads } = await submitWithFiles(c, [{ fileName: 'Fahrzeugschein – Müller.pdf', mediaType: 'application/pdf', size: 300_000 }]);
    c.worker.start();
    await waitUntil(async () => (await c.store.submissions.find(accepted.id))?.status === 'delivered');
    const [request] = ctx.receiver.requests.filter((r) => r.path === `/${AUTHORITY}`);
    expect(request!.signatureValid).toBe(true);
    const parts = parseMultipart(request!.headers['content-type'], request!.raw);
    expect(parts.map((p) => p.headers['content-type'])).toEqual(['application/xml; charset=utf-8', 'application/pdf']);
    const xml = parts[0]!.body.toString('utf8');
    expect(xml).toBe((await c.store.submissions.find(accepted.id))!.payloadXml);
    expect(parts[1]!.body.equals(uploads[0]!.bytes)).toBe(true);
    expect(sha512Hex(parts[1]!.body)).toBe(listed(xml)[0]!.sha512);
    // A name that is not ASCII: an ASCII fallback and the UTF-8 name (RFC 6266/8187).
    expect(parts[1]!.headers['content-disposition']).toBe(
      `attachment; filename="Fahrzeugschein _ M_ller.pdf"; filename*=UTF-8''Fahrzeugschein%20%E2%80%93%20M%C3%BCller.pdf`,
    );
    expect(dispositionFileName(parts[1]!.headers['content-disposition'])).toBe('Fahrzeugschein – Müller.pdf');
  });

  test('without attachments the push is exactly as before: the payload as the body, its own content type', async () => {
    const c = await harness.start(ctx.receiver.url);
    c.worker.start();
    const accepted = await submit(c, FORM_WITHOUT_FILES, example(FORM_WITHOUT_FILES, 'valid-1'));
    expect(accepted.authority.id).toBe(AUTHORITY);
    expect(await c.store.attachments.ofSubmission(accepted.id)).toEqual([]);
    await waitUntil(async () => (await c.store.submissions.find(accepted.id))?.status === 'delivered');
    const [request] = ctx.receiver.requests.filter((r) => r.path === `/${AUTHORITY}`);
    const job = (await c.store.deliveries.jobsOf(accepted.id)).find((j) => j.channel === 'http')!;
    expect(request!.headers['content-type']).toBe('application/xml; charset=utf-8');
    expect(request!.body).toBe(job.body);
    expect(request!.signatureValid).toBe(true);
  });

  test('a file whose bytes went between the check and the sealing (removed meanwhile): 400 at its item, nothing stored, no sealed copy left, never a 500', async () => {
    const keys = testEncryptionKeys();
    const data = tempDir();
    const c = await harness.start(ctx.receiver.url, { [AUTHORITY]: { encryptionKey: keys.publicJwk } }, { DATA_DIR: data.path });
    const uploads = [];
    for (const name of ['vorne.pdf', 'hinten.pdf']) {
      uploads.push(await storeUpload(c.store, { formId: PARKING_FORM, fieldPointer: PARKING_FILES, fileName: name, mediaType: 'application/pdf', bytes: documentBytes('application/pdf', 100_000) }));
    }
    // The row stays and passes the check; the bytes of the second file are gone when it is sealed.
    await c.store.attachmentFiles.remove(uploads[1]!.id);
    const answers = example(PARKING_FORM, 'valid-1') as { fahrzeug: Record<string, unknown> };
    const res = await request(c.app).post(`/api/forms/${PARKING_FORM}/submissions`)
      .send({ data: { ...answers, fahrzeug: { ...answers.fahrzeug, zulassungsbescheinigung: uploads.map((u) => u.id) } } });
    expect(res.status).toBe(400);
    expect(res.type).toBe('application/problem+json');
    expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ pointer: `${PARKING_FILES}/1`, message: expect.stringContaining('nicht gefunden') }] });
    // Nothing committed: the first file is still free to be sent again, its sealed copy removed.
    expect((await c.store.attachments.find(uploads[0]!.id))?.submissionId).toBeUndefined();
    expect(readdirSync(path.join(data.path, 'attachments'))).toEqual([uploads[0]!.id]);
    await harness.close();
    data.remove();
  });

  test('a key added after acceptance: the files are sealed once at the first attempt and recorded, so a repeat carries the same bytes', async () => {
    const keys = testEncryptionKeys();
    ctx.receiver.respond = () => 503;
    const data = tempDir();
    const first = await harness.start(ctx.receiver.url, {}, { DATA_DIR: data.path });
    const { accepted, uploads } = await submitWithFiles(first, [{ fileName: 'scan.pdf', mediaType: 'application/pdf', size: 200_000 }]);
    await first.close(2000);

    ctx.receiver.respond = (_r, i) => (i === 0 ? 503 : 204);
    const second = await harness.restart({ [AUTHORITY]: { encryptionKey: keys.publicJwk } });
    second.worker.start();
    await waitUntil(async () => (await second.store.submissions.find(accepted.id))?.status === 'delivered');
    const received = ctx.receiver.requests.filter((r) => r.path === `/${AUTHORITY}`);
    expect(received).toHaveLength(2);
    for (const request of received) {
      expect(request.signatureValid).toBe(true);
      const parts = parseMultipart(request.headers['content-type'], request.raw);
      expect(parts.map((p) => p.headers['content-type'])).toEqual(['application/jose', 'application/jose']);
      expect((await decryptJwe(parts[1]!.body.toString('ascii'), keys.privateKey)).plaintext.equals(uploads[0]!.bytes)).toBe(true);
    }
    // The repeat is byte-identical: the copy sealed at the first attempt was recorded and sent again.
    expect(received[1]!.raw.equals(received[0]!.raw)).toBe(true);
    const [record] = await second.store.attachments.ofSubmission(accepted.id);
    expect(record?.sealed).toEqual({ fileId: expect.any(String), size: expect.any(Number), kid: expect.any(String) });
    // In the store's folder: the upload and its one sealed copy, nothing temporary left.
    expect(readdirSync(path.join(data.path, 'attachments')).sort()).toEqual([uploads[0]!.id, record!.sealed!.fileId].sort());
    await harness.close();
    data.remove();
  });
});

/** The same over PostgreSQL, whose files live in 64 KiB chunks of a table: sealed once, the same bytes on every attempt. */
describe('attachments delivered from PostgreSQL', () => {
  const ctx = withReceiver();
  const { harness } = ctx;
  let db: TestDatabase | undefined;
  afterEach(async () => {
    await harness.close();
    await db?.drop();
    db = undefined;
  });

  test('http push of a 2.5 MB file sealed for the authority: a repeat is byte-identical, the file decrypts to the upload', async () => {
    const keys = testEncryptionKeys();
    db = await createTestDatabase();
    const c = await harness.start(ctx.receiver.url, {
      [AUTHORITY]: { encryptionKey: keys.publicJwk },
    }, { DATABASE_URL: db.url });
    ctx.receiver.respond = (_r, i) => (i === 0 ? 503 : 204);
    const { accepted, uploads } = await submitWithFiles(c, [{ fileName: 'scan.pdf', mediaType: 'application/pdf', size: 2_500_000 }]);
    c.worker.start();
    await waitUntil(async () => (await c.store.submissions.find(accepted.id))?.status === 'delivered');
    const received = ctx.receiver.requests.filter((r) => r.path === `/${AUTHORITY}`);
    expect(received).toHaveLength(2);
    expect(received[0]!.raw.equals(received[1]!.raw)).toBe(true);
    expect(received.every((r) => r.signatureValid)).toBe(true);
    const parts = parseMultipart(received[0]!.headers['content-type'], received[0]!.raw);
    const opened = await decryptJwe(parts[1]!.body.toString('ascii'), keys.privateKey);
    expect(opened.plaintext.equals(uploads[0]!.bytes)).toBe(true);
    const xml = (await decryptJwe(parts[0]!.body.toString('ascii'), keys.privateKey)).plaintext.toString('utf8');
    expect(sha512Hex(opened.plaintext)).toBe(listed(xml)[0]!.sha512);
  });
});
