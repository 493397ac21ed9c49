import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createPayloadEncrypter, type PayloadEncrypter } from '../../src/delivery/payload-encryption';
import { createOutboundPayloads, type OutboundPayloads } from '../../src/delivery/outbound-payload';
import type { DeliveryJob, SubmissionRecord } from '../../src/storage/ports';
import { attachmentFiles } from '../../src/storage/sqlite/sqlite-attachment-files';
import { decryptJwe, TEST_ENCRYPTION_KID, testEncryptionKeys } from '../support/encryption-keys';
import { tempDir } from '../support/temp-dir';

const XML = '<?xml version="1.0" encoding="UTF-8"?>\n<antrag id="ABCD-EFGH-J"><name>Jürgen Größe</name></antrag>';
const PDF = Buffer.from('%PDF-1.7\n% a receipt, äöü\n%%EOF\n', 'latin1');
const PLAIN = 'Stadt-Plain';
const KEYED = 'Stadt-Keyed';

function job(overrides: Partial<DeliveryJob> = {}): DeliveryJob {
  return {
    id: 'job-1', submissionId: 'ABCD-EFGH-J', authorityId: KEYED, channel: 'http', idempotencyKey: 'key-1',
    contentType: 'application/xml; charset=utf-8', body: XML, state: 'pending', attempts: 0,
    nextAttemptAt: new Date(0), lastError: null, createdAt: new Date(0), ...overrides,
  };
}

function record(): SubmissionRecord {
  return {
    id: 'ABCD-EFGH-J', tokenHash: '', formId: 'f', formVersion: '1', tenantId: 't', authorityId: KEYED, regionArs: '16053',
    language: 'de', dataJson: '{}', payloadXml: XML, createdAt: new Date(0), status: 'accepted', events: [],
  };
}

describe('createOutboundPayloads', () => {
  let encrypter: PayloadEncrypter;
  const resealed: Array<{ jobId: string; body: string; contentType: string; idempotencyKey: string }> = [];
  let outbound: OutboundPayloads;
  const files = tempDir();
  afterAll(() => files.remove());

  beforeAll(async () => {
    encrypter = await createPayloadEncrypter(testEncryptionKeys().publicJwk);
  });
  beforeEach(() => {
    resealed.length = 0;
    outbound = createOutboundPayloads({
      encrypterOf: (id) => (id === KEYED ? encrypter : undefined),
      submissions: { find: (id) => Promise.resolve(id === 'ABCD-EFGH-J' ? record() : undefined) },
      deliveries: {
        reseal: (jobId, sealed) => {
          resealed.push({ jobId, ...sealed });
          return Promise.resolve(job({ id: jobId, ...sealed }));
        },
      },
      // These submissions carry no files (attachments: test/integration/attachment-delivery*.test.ts).
      attachments: { ofSubmission: () => Promise.resolve([]), recordSealed: () => Promise.resolve(undefined) },
      attachmentFiles: attachmentFiles(files.path),
    });
  });

  test('a plain authority: the XML and the PDF leave as they are', async () => {
    expect(await outbound.sealForAccept(PLAIN, XML)).toEqual({ body: XML, contentType: 'application/xml; charset=utf-8' });
    const receipt = await outbound.receiptFor(PLAIN, PDF);
    expect(receipt).toEqual({ body: PDF, contentType: 'application/pdf', fileSuffix: '', kid: undefined });
    const plainJob = job({ authorityId: PLAIN });
    expect(await outbound.ensureSealed(plainJob)).toBe(plainJob);
    expect(await outbound.authorityMail(plainJob, PDF)).toEqual({
      encrypted: false, kid: '',
      payload: { body: XML, contentType: 'application/xml; charset=utf-8', fileSuffix: '' },
      receipt: { body: PDF, contentType: 'application/pdf', fileSuffix: '' },
    });
    expect(resealed).toEqual([]);
  });

  test('an authority with a key: JWE with its kid and cty, as application/jose', async () => {
    const { privateKey } = testEncryptionKeys();
    const accepted = await outbound.sealForAccept(KEYED, XML);
    expect(accepted.contentType).toBe('application/jose');
    const xml = await decryptJwe(accepted.body, privateKey);
    expect(xml.plaintext.toString('utf8')).toBe(XML);
    expect(xml.header).toMatchObject({ alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: TEST_ENCRYPTION_KID, cty: 'application/xml' });

    const receipt = await outbound.receiptFor(KEYED, PDF);
    expect(receipt).toMatchObject({ contentType: 'application/jose', fileSuffix: '.jwe', kid: TEST_ENCRYPTION_KID });
    expect(typeof receipt.body).toBe('string');
    const pdf = await decryptJwe(receipt.body as string, privateKey);
    expect(pdf.plaintext.equals(PDF)).toBe(true);
    expect(pdf.header).toMatchObject({ kid: TEST_ENCRYPTION_KID, cty: 'application/pdf' });

    const sealedJob = job({ channel: 'email', contentType: accepted.contentType, body: accepted.body });
    expect(await outbound.ensureSealed(sealedJob)).toBe(sealedJob);
    const mail = await outbound.authorityMail(sealedJob, PDF);
    expect(mail).toMatchObject({ encrypted: true, kid: TEST_ENCRYPTION_KID, payload: { body: accepted.body, contentType: 'application/jose', fileSuffix: '.jwe' } });
    expect(mail.receipt).toMatchObject({ contentType: 'application/jose', fileSuffix: '.jwe' });
    expect((await decryptJwe(mail.receipt!.body as string, privateKey)).plaintext.equals(PDF)).toBe(true);
    // Without a receipt the message is still encrypted, its key id read from the payload's header.
    expect(await outbound.authorityMail(sealedJob, undefined)).toMatchObject({ encrypted: true, kid: TEST_ENCRYPTION_KID, receipt: undefined });
    expect(resealed).toEqual([]);
  });

  test('ensureSealed: a plain job of an authority that has a key by now is sealed, with a new idempotency key', async () => {
    const plainJob = job({ channel: 'inbox' });
    const sealed = await outbound.ensureSealed(plainJob);
    expect(resealed).toHaveLength(1);
    expect(resealed[0]).toMatchObject({ jobId: 'job-1', contentType: 'application/jose' });
    expect(sealed.contentType).toBe('application/jose');
    expect(sealed.idempotencyKey).not.toBe(plainJob.idempotencyKey);
    expect(sealed.idempotencyKey).toBe(resealed[0]!.idempotencyKey);
    const opened = await decryptJwe(sealed.body, testEncryptionKeys().privateKey);
    expect(opened.plaintext.toString('utf8')).toBe(XML);
    expect(opened.header).toMatchObject({ kid: TEST_ENCRYPTION_KID, cty: 'application/xml' });
  });

  test("ensureSealed leaves the applicant's e-mail alone and refuses a job whose payload is gone", async () => {
    const citizen = job({ channel: 'email-citizen', contentType: 'message/rfc822', body: '' });
    expect(await outbound.ensureSealed(citizen)).toBe(citizen);
    await expect(outbound.ensureSealed(job({ submissionId: 'ZZZZ-ZZZZ-Z' }))).rejects.toThrow('no payload to encrypt');
    expect(resealed).toEqual([]);
  });
});

describe('sealing has one home', () => {
  const SRC = path.resolve(__dirname, '../../src');
  const sources = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) return sources(full);
      return e.name.endsWith('.ts') ? [full] : [];
    });
  const files = sources(SRC).map((file) => ({ name: path.relative(SRC, file).split(path.sep).join('/'), text: readFileSync(file, 'utf8') }));
  const importsOf = (text: string): string[] =>
    [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
  const importing = (module: string) => files
    .filter((f) => importsOf(f.text).some((specifier) => path.posix.basename(specifier).replace(/\.(js|ts)$/, '') === module))
    .map((f) => f.name);

  test('finds the sources', () => {
    expect(files.map((f) => f.name)).toContain('delivery/outbound-payload.ts');
  });

  test('only outbound-payload.ts (and payload-encryption.ts, which defines it) names JWE_CONTENT_TYPE', () => {
    const naming = files.filter((f) => /\bJWE_CONTENT_TYPE\b/.test(f.text)).map((f) => f.name);
    expect(naming.filter((name) => !['delivery/outbound-payload.ts', 'delivery/payload-encryption.ts'].includes(name))).toEqual([]);
  });

  test('the JWE media type is spelt out only where it is defined (and in the OpenAPI description)', () => {
    const spelling = files.filter((f) => f.text.includes('application/jose')).map((f) => f.name);
    expect(spelling.filter((name) => !['delivery/payload-encryption.ts', 'http/openapi.ts'].includes(name))).toEqual([]);
  });

  test('the streaming JWE is imported only by payload-encryption.ts', () => {
    expect(importing('streaming-jwe')).toEqual(['delivery/payload-encryption.ts']);
  });

  test('payload-encryption is imported only by outbound-payload.ts and authority-credentials.ts', () => {
    expect(importing('payload-encryption').filter((name) => !['delivery/outbound-payload.ts', 'delivery/authority-credentials.ts'].includes(name))).toEqual([]);
  });

  test('nothing imports a sealing module of its own', () => {
    expect(importing('payload-sealing')).toEqual([]);
  });
});
