import request from 'supertest';
import { sha256Hex } from '../../src/support/sha256';
import { channelHarness, submit } from '../support/channel-harness';
import { decryptJwe, testEncryptionKeys } from '../support/encryption-keys';
import { getBinary } from '../support/pdf';
import { listedAttachments, sha512Hex, submitWithFiles } from '../support/stored-attachments';
import { example } from '../support/test-setup';

/**
 * The inbox (pull) with files (issue 15): the authority finds the files from its listing and
 * the payload, downloads each (its own JWE with a key, the upload as it is without), streamed
 * with type, length, name and hash, and checks it against the payload's listing.
 */
const AUTHORITY = 'stadt-erfurt-buergeramt';
const KEY = 'erfurt-inbox-key-0123456789abcdef';
const OTHER_KEY = 'weimar-inbox-key-fedcba9876543210';
const env = { EFA_INBOX_ERFURT: sha256Hex(KEY), EFA_INBOX_WEIMAR: sha256Hex(OTHER_KEY) };
const as = (key: string) => ({ authorization: `Bearer ${key}` });
const inbox = (extra: Record<string, unknown> = {}) => ({
  [AUTHORITY]: { delivery: { type: 'inbox' as const, apiKeyHashEnv: 'EFA_INBOX_ERFURT' }, ...extra },
  'stadt-weimar': { delivery: { type: 'inbox' as const, apiKeyHashEnv: 'EFA_INBOX_WEIMAR' } },
});
const FILES = [
  { fileName: 'Fahrzeugschein – Vorderseite.pdf', mediaType: 'application/pdf' as const, size: 10 * 1024 * 1024 },
  { fileName: 'rueckseite.png', mediaType: 'image/png' as const, size: 4_000 },
];

describe('authority inbox with attachments', () => {
  const harness = channelHarness();
  afterEach(() => harness.close());

  test('an authority with a key downloads each file as its own JWE and decrypts it to exactly the uploaded bytes (hash as listed)', async () => {
    const keys = testEncryptionKeys();
    const c = await harness.start('http://127.0.0.1:9', inbox({ encryptionKey: keys.publicJwk }), env);
    const { accepted, uploads } = await submitWithFiles(c, FILES);
    const base = `/api/authority/inbox/${accepted.id}`;

    const list = await request(c.app).get('/api/authority/inbox').set(as(KEY));
    expect(list.body.items[0]).toMatchObject({ id: accepted.id, attachmentsUrl: `${base}/attachments` });

    const payload = await request(c.app).get(base).set(as(KEY));
    const xml = (await decryptJwe(payload.text, keys.privateKey)).plaintext.toString('utf8');
    const listing = listedAttachments(xml);
    expect(listing.map((a) => a.id)).toEqual(uploads.map((u) => u.id));

    const files = await request(c.app).get(`${base}/attachments`).set(as(KEY));
    expect(files.status).toBe(200);
    expect(files.headers['cache-control']).toBe('no-store');
    expect(files.body.id).toBe(accepted.id);
    expect(files.body.items.map((i: { id: string }) => i.id)).toEqual(uploads.map((u) => u.id));

    for (const [i, upload] of uploads.entries()) {
      const item = files.body.items[i] as Record<string, unknown>;
      expect(item).toMatchObject({
        fileName: `${upload.id}.jwe`, mediaType: upload.mediaType, contentType: 'application/jose', sha512: listing[i]!.sha512,
        kid: keys.publicJwk.kid, url: `${base}/attachments/${upload.id}`,
      });
      const res = await getBinary(c.app, item.url as string, as(KEY));
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/jose');
      const body = res.body as Buffer;
      expect(Number(res.headers['content-length'])).toBe(body.length);
      expect(body.length).toBe(item.size);
      expect(res.headers['efa-attachment-sha512']).toBe(listing[i]!.sha512);
      expect(res.headers['content-disposition']).toContain('attachment; filename=');
      const opened = await decryptJwe(body.toString('ascii'), keys.privateKey);
      expect(opened.header).toMatchObject({ kid: keys.publicJwk.kid, cty: upload.mediaType });
      expect(opened.plaintext.equals(upload.bytes)).toBe(true);
      expect(sha512Hex(opened.plaintext)).toBe(listing[i]!.sha512);
      // The sealed copy made at acceptance: the same bytes on every download.
      expect(((await getBinary(c.app, item.url as string, as(KEY))).body as Buffer).equals(body)).toBe(true);
    }
    // The applicant's file names only in the sealed payload.
    expect(JSON.stringify(files.body)).not.toContain('Fahrzeugschein');
    expect(listing[0]!.fileName).toBe('Fahrzeugschein – Vorderseite.pdf');
  });

  test('without a key the files as uploaded; HEAD records nothing; other authorities and unknown ids get 404, no key 401', async () => {
    const c = await harness.start('http://127.0.0.1:9', inbox(), env);
    const { accepted, uploads } = await submitWithFiles(c, FILES.slice(1));
    const url = `/api/authority/inbox/${accepted.id}/attachments/${uploads[0]!.id}`;

    const head = await request(c.app).head(url).set(as(KEY));
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(String(uploads[0]!.bytes.length));
    expect(head.headers['content-type']).toBe('image/png');
    expect((await c.store.submissions.find(accepted.id))?.status).toBe('accepted');

    const res = await getBinary(c.app, url, as(KEY));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    expect(res.headers['content-disposition']).toBe('attachment; filename="rueckseite.png"');
    expect((res.body as Buffer).equals(uploads[0]!.bytes)).toBe(true);
    // Downloading a file is not fetching the payload.
    expect((await c.store.submissions.find(accepted.id))?.status).toBe('accepted');

    for (const [key, path] of [
      [OTHER_KEY, url],
      [OTHER_KEY, `/api/authority/inbox/${accepted.id}/attachments`],
      [KEY, `/api/authority/inbox/${accepted.id}/attachments/00000000-0000-4000-8000-000000000000`],
      [KEY, `/api/authority/inbox/${accepted.id}/attachments/..%2F..%2Fetc`],
      [KEY, `/api/authority/inbox/ZZZZ-ZZZZ-Z/attachments/${uploads[0]!.id}`],
    ] as const) {
      const refused = await request(c.app).get(path).set(as(key));
      expect({ path, status: refused.status, type: refused.type, code: (refused.body as { code?: string }).code })
        .toEqual({ path, status: 404, type: 'application/problem+json', code: 'SUBMISSION_NOT_FOUND' });
    }
    expect((await request(c.app).get(url)).status).toBe(401);
  });

  test('a payload sealed for a key that is then removed: its unsealed files are refused with 503 ENCRYPTION_KEY_MISSING (never sent in the clear), and go out sealed once a key is back', async () => {
    const keys = testEncryptionKeys();
    // Accepted without a key; the key comes before the authority fetches, so the payload is sealed at the fetch.
    const first = await harness.start('http://127.0.0.1:9', inbox(), env);
    const { accepted, uploads } = await submitWithFiles(first, FILES.slice(1));
    await first.close(2000);
    const keyed = await harness.restart(inbox({ encryptionKey: keys.publicJwk }));
    const base = `/api/authority/inbox/${accepted.id}`;
    expect((await request(keyed.app).get(base).set(as(KEY))).headers['content-type']).toMatch(/^application\/jose/);
    await keyed.close(2000);

    // The key is removed again before any file was sealed.
    const unkeyed = await harness.restart(inbox());
    for (const url of [`${base}/attachments`, `${base}/attachments/${uploads[0]!.id}`]) {
      const res = await request(unkeyed.app).get(url).set(as(KEY));
      expect(res.status).toBe(503);
      expect(res.type).toBe('application/problem+json');
      expect(res.body.code).toBe('ENCRYPTION_KEY_MISSING');
    }
    const lines = (unkeyed as unknown as { logger: { lines: Array<{ event: string; fields: Record<string, unknown> }> } }).logger.lines;
    expect(lines.filter((l) => l.event === 'delivery.encryption_key_missing')).toHaveLength(2);
    expect(lines.filter((l) => l.event === 'http.internal_error')).toEqual([]);
    await unkeyed.close(2000);

    const again = await harness.restart(inbox({ encryptionKey: keys.publicJwk }));
    const files = await request(again.app).get(`${base}/attachments`).set(as(KEY));
    expect(files.status).toBe(200);
    const body = (await getBinary(again.app, files.body.items[0].url as string, as(KEY))).body as Buffer;
    expect((await decryptJwe(body.toString('ascii'), keys.privateKey)).plaintext.equals(uploads[0]!.bytes)).toBe(true);
  });

  test('a submission without files lists none', async () => {
    const c = await harness.start('http://127.0.0.1:9', inbox(), env);
    // Erfurt's trade registration, whose ID copy is optional: its valid-1 names no file.
    const accepted = await submit(c, 'gewerbeanmeldung', example('gewerbeanmeldung', 'valid-1'));
    expect(accepted.authority.id).toBe(AUTHORITY);
    expect(await c.store.attachments.ofSubmission(accepted.id)).toEqual([]);
    const files = await request(c.app).get(`/api/authority/inbox/${accepted.id}/attachments`).set(as(KEY));
    expect(files.body).toEqual({ id: accepted.id, items: [] });
  });
});
