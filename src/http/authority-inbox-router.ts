import { pipeline } from 'node:stream/promises';
import { Router, type Request, type Response } from 'express';
import { contentDisposition } from '../delivery/content-disposition';
import type { OutboundFile, OutboundPayloads } from '../delivery/outbound-payload';
import { AppError } from '../errors';
import type { Receipts } from '../receipts/receipt-service';
import type { AttachmentRepository, AuthorityInboxStore, DeliveryJob, DeliveryQueue, SubmissionRepository } from '../storage/ports';
import { normalizeReferenceNumber } from '../submissions/reference-number';
import type { Logger } from '../support/logger';
import { matchesSha256 } from '../support/sha256';
import { bearerToken, unauthorized } from './bearer-auth';

export interface AuthorityInboxDependencies {
  readonly inbox: AuthorityInboxStore;
  readonly submissions: Pick<SubmissionRepository, 'find'>;
  readonly receipts: Pick<Receipts, 'receiptOf'>;
  /** The inbox authorities and the SHA-256 of each one's API key (from the environment). */
  readonly keys: ReadonlyArray<{ readonly authorityId: string; readonly keyHash: string }>;
  /**
   * What leaves to the authority: its payload sealed if it was stored plain before the authority
   * had a key, and the receipt plain or sealed.
   */
  readonly outbound: Pick<OutboundPayloads, 'ensureSealed' | 'receiptFor' | 'withFiles'>;
  /**
   * The jobs of a submission, for its files: an authority that takes its payloads by e-mail but
   * has an API key fetches the files here when they were too large for the message.
   */
  readonly deliveries: Pick<DeliveryQueue, 'jobsOf'>;
  /** Where a file's first complete download is recorded (retention waits for files held for the inbox). */
  readonly attachments: Pick<AttachmentRepository, 'markFetched'>;
  readonly now: () => Date;
  /** Where a fetch that could not be recorded is logged (without data). */
  readonly logger?: Pick<Logger, 'warn'>;
}

/** What the file listing says about one file. */
function fileEntry(base: string, file: OutboundFile): Record<string, unknown> {
  return {
    id: file.id, fileName: file.fileName, mediaType: file.mediaType, contentType: file.contentType, size: file.size,
    sha512: file.sha512, kid: file.kid ?? null, url: `${base}/attachments/${encodeURIComponent(file.id)}`,
  };
}

/** Streams one file with its headers; HEAD answers the headers alone. True when the whole file went out. */
async function sendFile(req: Request, res: Response, file: OutboundFile): Promise<boolean> {
  res.status(200).set({
    'content-type': file.contentType,
    'content-length': String(file.size),
    'content-disposition': contentDisposition('attachment', file.fileName),
    'cache-control': 'no-store',
    'efa-attachment-id': file.id,
    'efa-attachment-media-type': file.mediaType,
    'efa-attachment-sha512': file.sha512,
  });
  if (req.method === 'HEAD') {
    res.end();
    return false;
  }
  // The headers are out: a file that cannot be read ends the connection early, which the
  // client sees as a short body (Content-Length), never as a complete file.
  return pipeline(file.open(), res).then(() => true, () => {
    res.destroy();
    return false;
  });
}

/** At most this many entries per listing; acknowledging makes room for the next ones. */
export const INBOX_PAGE_SIZE = 500;

/**
 * The pull channel (FIT-Connect style): an authority lists what waits for it, fetches each
 * payload, receipt and file, and acknowledges it. Every call is scoped to the authority the API
 * key belongs to; another authority's submission is answered exactly like an unknown one (404).
 */
export function authorityInboxRouter(deps: AuthorityInboxDependencies): Router {
  const router = Router();

  const authorityOf = (req: Request): string => {
    const token = bearerToken(req);
    // Every key is compared (in constant time), so the time does not tell which authority matched.
    let found: string | undefined;
    for (const key of deps.keys) if (matchesSha256(token, key.keyHash)) found = key.authorityId;
    if (!found) throw unauthorized('authority inbox: no or unknown API key');
    return found;
  };
  const referenceOf = (req: Request): string => {
    const id = normalizeReferenceNumber(String(req.params.id));
    if (!id) throw new AppError('SUBMISSION_NOT_FOUND', 'authority inbox: malformed reference');
    return id;
  };

  router.get('/api/authority/inbox', async (req, res) => {
    const authorityId = authorityOf(req);
    const entries = await deps.inbox.list(authorityId, INBOX_PAGE_SIZE);
    res.set('cache-control', 'no-store').json({
      authority: authorityId,
      items: entries.map((e) => {
        const base = `/api/authority/inbox/${encodeURIComponent(e.submissionId)}`;
        return {
          id: e.submissionId, formId: e.formId, formVersion: e.formVersion, receivedAt: e.createdAt.toISOString(),
          fetchedAt: e.fetchedAt?.toISOString() ?? null, payloadUrl: base, receiptUrl: `${base}/receipt.pdf`, ackUrl: `${base}/ack`,
          attachmentsUrl: `${base}/attachments`,
        };
      }),
    });
  });

  router.get('/api/authority/inbox/:id', async (req, res) => {
    const authorityId = authorityOf(req);
    const id = referenceOf(req);
    const found = await deps.inbox.find(authorityId, id);
    if (!found) throw new AppError('SUBMISSION_NOT_FOUND', 'authority inbox: not in this inbox');
    if (found.purgedAt) throw new AppError('SUBMISSION_DATA_DELETED', 'authority inbox: payload of a purged submission');
    // Encrypted first if the authority has a key by now; a HEAD request records no fetch.
    const sealed = await deps.outbound.ensureSealed(found);
    const job = req.method === 'HEAD' ? sealed : await deps.inbox.fetch(authorityId, id, deps.now());
    if (!job) throw new AppError('SUBMISSION_NOT_FOUND', 'authority inbox: not in this inbox');
    // A purge (another process's retention run) may have committed since the check above: the
    // job fetch returns is then blanked, and an empty 200 would pass for the payload.
    if (job.purgedAt) throw new AppError('SUBMISSION_DATA_DELETED', 'authority inbox: payload purged during the fetch');
    res.status(200).set({ 'content-type': job.contentType, 'cache-control': 'no-store', 'idempotency-key': job.idempotencyKey }).send(job.body);
  });

  router.get('/api/authority/inbox/:id/receipt.pdf', async (req, res) => {
    const authorityId = authorityOf(req);
    const id = referenceOf(req);
    // Looking at the receipt is not fetching the payload: nothing is recorded.
    const job = await deps.inbox.find(authorityId, id);
    const record = job ? await deps.submissions.find(id) : undefined;
    if (!job || !record) throw new AppError('SUBMISSION_NOT_FOUND', 'authority inbox: not in this inbox');
    if (record.purgedAt) throw new AppError('SUBMISSION_DATA_DELETED', 'authority inbox: receipt of a purged submission');
    const receipt = await deps.receipts.receiptOf(record);
    // The receipt embeds the XML: with an authority key it leaves only encrypted.
    const outgoing = await deps.outbound.receiptFor(authorityId, receipt.pdf);
    res.status(200).set('cache-control', 'no-store').set('content-type', outgoing.contentType).send(outgoing.body);
  });

  /**
   * The calling authority's job of a submission (inbox, or e-mail/http for an authority with an
   * API key), sealed first if the authority has a key by now: its files leave as its payload does.
   */
  const jobOf = async (authorityId: string, id: string): Promise<DeliveryJob> => {
    const job = (await deps.deliveries.jobsOf(id)).find((j) => j.authorityId === authorityId && j.channel !== 'email-citizen');
    if (!job) throw new AppError('SUBMISSION_NOT_FOUND', 'authority inbox: not this authority\'s submission');
    if (job.purgedAt) throw new AppError('SUBMISSION_DATA_DELETED', 'authority inbox: files of a purged submission');
    return deps.outbound.ensureSealed(job);
  };

  router.get('/api/authority/inbox/:id/attachments', async (req, res) => {
    const authorityId = authorityOf(req);
    const id = referenceOf(req);
    const job = await jobOf(authorityId, id);
    const base = `/api/authority/inbox/${encodeURIComponent(id)}`;
    // Looking at the files is not fetching the payload: nothing is recorded.
    const items = await deps.outbound.withFiles(job, (files) => Promise.resolve(files.map((file) => fileEntry(base, file))));
    res.status(200).set('cache-control', 'no-store').json({ id, items });
  });

  router.get('/api/authority/inbox/:id/attachments/:attachmentId', async (req, res) => {
    const authorityId = authorityOf(req);
    const id = referenceOf(req);
    const job = await jobOf(authorityId, id);
    await deps.outbound.withFiles(job, async ([file]) => {
      if (!file) throw new AppError('SUBMISSION_NOT_FOUND', 'authority inbox: no such attachment of this submission');
      // Only a whole download counts as fetched; a mark that fails keeps the file held (longer,
      // never lost) and is logged: the authority's next download records it.
      if (await sendFile(req, res, file)) {
        await deps.attachments.markFetched(file.id, deps.now()).catch((err: unknown) => {
          deps.logger?.warn('inbox.fetch_not_recorded', { submission: id, attachment: file.id, error: err instanceof Error ? err.name : 'unknown' });
        });
      }
    }, String(req.params.attachmentId));
  });

  router.post('/api/authority/inbox/:id/ack', async (req, res) => {
    const authorityId = authorityOf(req);
    const id = referenceOf(req);
    if (!(await deps.inbox.acknowledge(authorityId, id, deps.now()))) throw new AppError('SUBMISSION_NOT_FOUND', 'authority inbox: not in this inbox');
    const record = await deps.submissions.find(id);
    const at = record?.events.find((e) => e.type === 'acknowledged')?.at;
    res.status(200).set('cache-control', 'no-store').json({ id, status: 'acknowledged', acknowledgedAt: at?.toISOString() ?? null });
  });

  return router;
}
