import { Readable } from 'node:stream';
import { contentDisposition } from '../../src/delivery/content-disposition';
import { deliverOverHttp } from '../../src/delivery/http-channel';
import { boundaryOf, OccurrenceCounter } from '../../src/delivery/multipart-body';
import type { OutboundFile } from '../../src/delivery/outbound-payload';
import type { DeliveryJob } from '../../src/storage/ports';
import { startReceiver, type TestReceiver } from '../support/http-receiver';
import { dispositionFileName, parseMultipart } from '../support/multipart';
import { sha512Hex } from '../support/stored-attachments';

/**
 * The multipart body of an http push with files, against a real receiver: a file whose content
 * holds the job's first boundary gets the next one (the same on every attempt), a file that
 * reads other than its recorded size never leaves, and file names reach the receiver intact.
 */
const SECRET = 'multipart-secret';
const KEY = '3f1c2a9e-7b64-4d0e-9a51-0a8c1f1f2e01';

function job(): DeliveryJob {
  return {
    id: 'job-1', submissionId: 'ABCD-EFGH-J', authorityId: 'a', channel: 'http', idempotencyKey: KEY,
    contentType: 'application/xml; charset=utf-8', body: '<?xml version="1.0" encoding="UTF-8"?>\n<submission/>\n',
    state: 'in_flight', attempts: 1, nextAttemptAt: new Date(), lastError: null, createdAt: new Date(),
  };
}

function file(id: string, bytes: Buffer, fileName: string, size = bytes.length): OutboundFile {
  const chunks: Buffer[] = [];
  // Chunks of 7 bytes: every delimiter in it lies across chunk borders.
  for (let at = 0; at < bytes.length; at += 7) chunks.push(bytes.subarray(at, at + 7));
  return { id, fileName, contentType: 'application/pdf', mediaType: 'application/pdf', sha512: sha512Hex(bytes), size, uploadedSize: size, kid: undefined, open: () => Readable.from(chunks) };
}

describe('multipart push body', () => {
  let receiver: TestReceiver;
  beforeEach(async () => {
    receiver = await startReceiver(() => SECRET);
  });
  afterEach(() => receiver.close());
  const push = (files: OutboundFile[]) => deliverOverHttp(job(), { type: 'http', url: `${receiver.url}/a`, secretEnv: 'X' }, SECRET, { timeoutMs: 5000, now: () => new Date(), files });

  test('content holding the first boundary: the next boundary, every time the same, and the parts come out whole', async () => {
    const planted = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.from(`\r\n--${boundaryOf(KEY, 0)}\r\nContent-Type: text/html\r\n\r\n<evil/>`), Buffer.alloc(20, 1)]);
    const files = [file('11111111-1111-4111-8111-111111111111', planted, 'a.pdf')];
    expect(await push(files)).toEqual({ ok: true, status: 204 });
    expect(await push(files)).toEqual({ ok: true, status: 204 });
    const [one, two] = receiver.requests;
    expect(one!.headers['content-type']).toBe(`multipart/mixed; boundary=${boundaryOf(KEY, 1)}`);
    expect(boundaryOf(KEY, 1)).not.toBe(boundaryOf(KEY, 0));
    expect(one!.raw.equals(two!.raw)).toBe(true);
    expect(one!.signatureValid).toBe(true);
    const parts = parseMultipart(one!.headers['content-type'], one!.raw);
    expect(parts).toHaveLength(2);
    expect(parts[1]!.body.equals(planted)).toBe(true);
  });

  test('a file that reads other than its recorded size is not sent: the attempt fails', async () => {
    const bytes = Buffer.from('%PDF-1.7\nshort');
    const outcome = await push([file('22222222-2222-4222-8222-222222222222', bytes, 'b.pdf', bytes.length + 1)]);
    expect(outcome.ok).toBe(false);
    expect(receiver.requests).toHaveLength(0);
  });

  test('file names: ASCII as they are, others with an ASCII fallback and their UTF-8 form', async () => {
    const names = ['plain.pdf', 'Größe ä.pdf', 'Straße 5 (2) 100%.pdf', '证件.pdf', "it's a \\ name.pdf"];
    const files = names.map((name, i) => file(`3333333${i}-3333-4333-8333-333333333333`, Buffer.from(`%PDF-1.7\n${i}`), name));
    expect(await push(files)).toEqual({ ok: true, status: 204 });
    const parts = parseMultipart(receiver.requests[0]!.headers['content-type'], receiver.requests[0]!.raw).slice(1);
    expect(parts.map((p) => dispositionFileName(p.headers['content-disposition']))).toEqual(names);
    expect(contentDisposition('attachment', 'plain.pdf')).toBe('attachment; filename="plain.pdf"');
    expect(contentDisposition('attachment', 'Größe ä.pdf')).toBe(`attachment; filename="Gr__e _.pdf"; filename*=UTF-8''Gr%C3%B6%C3%9Fe%20%C3%A4.pdf`);
    for (const part of parts) expect(part.headers['content-disposition']).toMatch(/^[\x20-\x7e]+$/);
  });

  test('the delimiter counter finds occurrences across chunk borders, each once', () => {
    const counter = new OccurrenceCounter(Buffer.from('\r\n--b'));
    for (const chunk of ['x\r', '\n-', '-bx\r\n--b', '', '\r\n--b\r\n--', 'b']) counter.push(Buffer.from(chunk));
    expect(counter.count).toBe(4);
  });
});
