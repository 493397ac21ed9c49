import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { AttachmentTakenError, type AttachmentRecord, type NewAttachment, type Store } from '../../src/storage/ports';
import { job, later, submission, T0, type StoreFactory } from './store-contract-fixtures';

const sha512 = (b: Buffer) => createHash('sha512').update(b).digest('hex');
const LIMITS = { maxBytes: 5_000_000, accept: ['application/pdf'] as const };

/** A PDF-looking file of `size` bytes with every byte value in it (binary kept as it is). */
function pdfBytes(size: number): Buffer {
  const head = Buffer.from('%PDF-1.7\n', 'latin1');
  return Buffer.concat([head, Buffer.from(Array.from({ length: size - head.length }, (_, i) => i % 256))]);
}

async function* pieces(bytes: Buffer, size = 64 * 1024): AsyncIterable<Buffer> {
  for (let at = 0; at < bytes.length; at += size) yield await Promise.resolve(bytes.subarray(at, at + size));
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * The contract of the attachments (`Store.attachments` and `Store.attachmentFiles`,
 * attachment-ports.ts): files kept byte for byte (larger than one chunk), refused ones leave
 * nothing; a submission takes its files in its own transaction and a taken file is never taken
 * again; a rekeyed draft keeps its files; a gone draft's files and stale API uploads are
 * orphans; the retention purge deletes a submission's attachments and names their files.
 */
export function attachmentsContract(factory: () => StoreFactory): void {
  describe('attachments: files and their metadata', () => {
    let f: StoreFactory;
    let store: Store;

    beforeEach(async () => {
      f = factory();
      store = await f.open();
    });
    afterEach(async () => {
      await store.close();
      await f.destroy();
    });

    async function stored(bytes: Buffer, overrides: Partial<NewAttachment> = {}): Promise<AttachmentRecord> {
      const written = await store.attachmentFiles.write(pieces(bytes), LIMITS);
      if (!written.ok) throw new Error(`not stored: ${written.refusal}`);
      const attachment: NewAttachment = {
        id: written.file.id, formId: 'anwohnerparkausweis', fieldPointer: '/fahrzeug/zulassungsbescheinigung', fileName: 'Zulassung–Ä.pdf',
        mediaType: written.file.mediaType, size: written.file.size, sha512: written.file.sha512, scanned: true, createdAt: T0, ...overrides,
      };
      await store.attachments.add(attachment);
      return attachment;
    }

    test('a file of 2.5 MB (more than one chunk) is kept byte for byte with its size and SHA-512, also after a restart; remove is idempotent', async () => {
      const bytes = pdfBytes(2_500_000);
      const a = await stored(bytes);
      expect(a.size).toBe(bytes.length);
      expect(a.sha512).toBe(sha512(bytes));
      expect((await readAll(store.attachmentFiles.read(a.id))).equals(bytes)).toBe(true);
      await store.close();
      store = await f.open();
      expect(await store.attachments.find(a.id)).toEqual(a);
      expect((await readAll(store.attachmentFiles.read(a.id))).equals(bytes)).toBe(true);
      await store.attachmentFiles.remove(a.id);
      await store.attachmentFiles.remove(a.id);
      await expect(readAll(store.attachmentFiles.read(a.id))).rejects.toThrow();
    });

    test('refused writes (too large, empty, wrong type) keep nothing; a raw write keeps any bytes', async () => {
      expect(await store.attachmentFiles.write(pieces(pdfBytes(2000)), { ...LIMITS, maxBytes: 1999 })).toEqual({ ok: false, refusal: 'too large' });
      expect(await store.attachmentFiles.write(pieces(Buffer.alloc(0)), LIMITS)).toEqual({ ok: false, refusal: 'empty' });
      expect(await store.attachmentFiles.write(pieces(Buffer.from('GIF89a and more')), LIMITS)).toEqual({ ok: false, refusal: 'type not accepted' });
      const raw = Buffer.from('eyJhbGciOiJSU0EtT0FFUC0yNTYifQ.a.b.c.d');
      const written = await store.attachmentFiles.writeRaw(pieces(raw, 7));
      expect(written.size).toBe(raw.length);
      expect((await readAll(store.attachmentFiles.read(written.id))).equals(raw)).toBe(true);
    });

    test('a submission takes its files in its transaction, in order, with the sealed copy; a taken file makes another submission fail whole', async () => {
      const one = await stored(pdfBytes(1000));
      const two = await stored(pdfBytes(1200));
      const sealed = await store.attachmentFiles.writeRaw(pieces(Buffer.from('jwe of two')));
      const s = submission();
      await store.submissions.create({ ...s, attachments: [{ id: two.id, sealed: { fileId: sealed.id, size: sealed.size, kid: 'k1' } }, { id: one.id }] }, [job(s.id)]);
      const taken = await store.attachments.ofSubmission(s.id);
      expect(taken.map((a) => a.id)).toEqual([two.id, one.id]);
      expect(taken[0]).toEqual({ ...two, submissionId: s.id, sealed: { fileId: sealed.id, size: sealed.size, kid: 'k1' } });
      expect(taken[1]).toEqual({ ...one, submissionId: s.id });

      // Sealed after acceptance: the first copy recorded wins; an unused file takes none.
      const first = { fileId: 'a1b2c3d4-0000-4000-8000-000000000001', size: 10, kid: 'k2' };
      expect(await store.attachments.recordSealed(one.id, first)).toEqual(first);
      expect(await store.attachments.recordSealed(one.id, { ...first, fileId: 'a1b2c3d4-0000-4000-8000-000000000002' })).toEqual(first);
      expect((await store.attachments.find(one.id))?.sealed).toEqual(first);

      const three = await stored(pdfBytes(900));
      expect(await store.attachments.recordSealed(three.id, first)).toBeUndefined();
      expect((await store.attachments.find(three.id))?.sealed).toBeUndefined();
      const other = submission();
      await expect(store.submissions.create({ ...other, attachments: [{ id: three.id }, { id: one.id }] }, [job(other.id)]))
        .rejects.toEqual(expect.objectContaining({ name: 'AttachmentTakenError', attachmentId: one.id }));
      await expect(store.submissions.create({ ...other, attachments: [{ id: 'd3b07384-d9a0-4c9b-8f3e-000000000000' }] }, [job(other.id)]))
        .rejects.toBeInstanceOf(AttachmentTakenError);
      // Nothing of the failed submission was written, and the file it named first is still free.
      expect(await store.submissions.find(other.id)).toBeUndefined();
      expect((await store.attachments.find(three.id))?.submissionId).toBeUndefined();
      expect(await store.attachments.removeUnused(one.id)).toBe(false);
      expect(await store.attachments.removeUnused(three.id)).toBe(true);
      expect(await store.attachments.find(three.id)).toBeUndefined();
    });

    test('files no row names are found by their age: namedFiles tells uploads and sealed copies from strays; a write a crash cut off is removed once old, a whole file never', async () => {
      const named = await stored(pdfBytes(700));
      const sealed = await store.attachmentFiles.writeRaw(pieces(Buffer.from('jwe of named')));
      const s = submission();
      await store.submissions.create({ ...s, attachments: [{ id: named.id, sealed: { fileId: sealed.id, size: sealed.size, kid: 'k1' } }] }, [job(s.id)]);
      // A file whose row never came (a crash between the two).
      const stray = await store.attachmentFiles.write(pieces(pdfBytes(800)), LIMITS);
      if (!stray.ok) throw new Error('not stored');
      const listed = async (before: Date) => {
        const ids: string[] = [];
        for await (const id of store.attachmentFiles.filesBefore(before)) ids.push(id);
        return ids.sort();
      };
      const soon = new Date(Date.now() + 60_000);
      expect(await listed(soon)).toEqual([named.id, sealed.id, stray.file.id].sort());
      expect(await listed(new Date(Date.now() - 3_600_000))).toEqual([]);
      expect(await store.attachments.namedFiles([named.id, sealed.id, stray.file.id, 'd3b07384-d9a0-4c9b-8f3e-000000000000']))
        .toEqual(new Set([named.id, sealed.id]));
      expect(await store.attachments.namedFiles([])).toEqual(new Set());

      await f.cutOffWrite(new Date(Date.now() - 2 * 3_600_000));
      await f.cutOffWrite(new Date());
      expect(await store.attachmentFiles.removeUnfinished(new Date(Date.now() - 3_600_000))).toBe(1);
      expect(await store.attachmentFiles.removeUnfinished(new Date(Date.now() - 3_600_000))).toBe(0);
      expect(await store.attachmentFiles.removeUnfinished(soon)).toBe(1);
      // Whole files are never a cut-off write, however old.
      expect(await listed(soon)).toEqual([named.id, sealed.id, stray.file.id].sort());
      expect((await readAll(store.attachmentFiles.read(stray.file.id))).equals(pdfBytes(800))).toBe(true);
    });

    test('a draft\'s files are listed until taken, move with a rekeyed draft, and become orphans when the draft is gone; stale API uploads too', async () => {
      await store.drafts.create({
        key: 'draft-1', formId: 'anwohnerparkausweis', formVersion: '1.0.0', dataJson: '{}', csrfToken: 'c', resumeTokenHash: null,
        createdAt: T0, updatedAt: T0, expiresAt: later(1000),
      });
      const a = await stored(pdfBytes(500), { draftKey: 'draft-1', createdAt: T0 });
      const b = await stored(pdfBytes(600), { draftKey: 'draft-1', createdAt: later(1) });
      const api = await stored(pdfBytes(700), { createdAt: later(2) });
      expect((await store.attachments.ofDraft('draft-1')).map((x) => x.id)).toEqual([a.id, b.id]);
      expect(await store.attachments.orphans(later(2), 10)).toEqual([]);

      expect(await store.drafts.rekey('draft-1', 'draft-2')).toBe(true);
      expect(await store.attachments.ofDraft('draft-1')).toEqual([]);
      expect((await store.attachments.ofDraft('draft-2')).map((x) => x.id)).toEqual([a.id, b.id]);

      // The API upload is stale once the cut-off passes its time.
      expect((await store.attachments.orphans(later(3), 10)).map((x) => x.id)).toEqual([api.id]);
      await store.drafts.delete('draft-2');
      expect((await store.attachments.orphans(later(2), 10)).map((x) => x.id)).toEqual([a.id, b.id]);
      expect((await store.attachments.orphans(later(3), 1)).map((x) => x.id)).toEqual([a.id]);
    });

    test('the retention purge deletes a purged submission\'s attachments and names their files and sealed copies', async () => {
      const a = await stored(pdfBytes(800));
      const sealed = await store.attachmentFiles.writeRaw(pieces(Buffer.from('sealed')));
      const s = submission();
      const j = job(s.id);
      await store.submissions.create({ ...s, attachments: [{ id: a.id, sealed: { fileId: sealed.id, size: sealed.size, kid: 'k' } }] }, [j]);
      const delivered = later(3600_000);
      const [claimed] = await store.deliveries.claimDue({ now: delivered, limit: 10, leaseMs: 1000, owner: 'w' });
      await store.deliveries.markDelivered(claimed?.id ?? '', delivered);
      const result = await store.submissions.purgeDue({ now: new Date(delivered.getTime() + 31 * 86_400_000), defaultDays: 30, daysByForm: new Map(), limit: 10 });
      expect(result.purged).toBe(1);
      expect([...result.removedFiles].sort()).toEqual([a.id, sealed.id].sort());
      expect(await store.attachments.find(a.id)).toBeUndefined();
      expect(await store.attachments.ofSubmission(s.id)).toEqual([]);
    });
    test('files held for the inbox (the e-mail went without them) keep their submission from retention until each was fetched; only the first hold and fetch count', async () => {
      const one = await stored(pdfBytes(800));
      const two = await stored(pdfBytes(900));
      const s = submission();
      await store.submissions.create({ ...s, attachments: [{ id: one.id }, { id: two.id }] }, [job(s.id)]);
      const delivered = later(3600_000);
      const [claimed] = await store.deliveries.claimDue({ now: delivered, limit: 10, leaseMs: 1000, owner: 'w' });
      await store.deliveries.markDelivered(claimed?.id ?? '', delivered);
      const held = later(3_000_000);
      await store.attachments.holdForFetch(s.id, held);
      await store.attachments.holdForFetch(s.id, later(4_000_000));
      expect((await store.attachments.ofSubmission(s.id)).map((a) => a.heldAt)).toEqual([held, held]);
      // Released (a later attempt carried them) and held again: only the new hold counts.
      await store.attachments.releaseHold(s.id);
      expect((await store.attachments.ofSubmission(s.id)).map((a) => a.heldAt)).toEqual([undefined, undefined]);
      await store.attachments.holdForFetch(s.id, held);
      // An unused file is no submission's: nothing to hold or fetch.
      const unused = await stored(pdfBytes(700));
      await store.attachments.markFetched(unused.id, held);
      expect((await store.attachments.find(unused.id))?.fetchedAt).toBeUndefined();

      const due = () => store.submissions.purgeDue({ now: new Date(delivered.getTime() + 31 * 86_400_000), defaultDays: 30, daysByForm: new Map(), limit: 10 });
      expect((await due()).purged).toBe(0);
      const fetched = later(5_000_000);
      await store.attachments.markFetched(one.id, fetched);
      await store.attachments.markFetched(one.id, later(6_000_000));
      expect((await store.attachments.find(one.id))?.fetchedAt).toEqual(fetched);
      expect((await due()).purged).toBe(0);
      await store.attachments.markFetched(two.id, fetched);
      const result = await due();
      expect(result.purged).toBe(1);
      expect([...result.removedFiles].sort()).toEqual([one.id, two.id].sort());
    });
  });
}
