import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { AppError } from '../errors';
import {
  AttachmentTakenError,
  type AttachmentFiles, type AttachmentRecord, type AttachmentRepository, type DeliveryJob, type DeliveryQueue, type SubmissionAttachment, type SubmissionRepository,
} from '../storage/ports';
import { JWE_CONTENT_TYPE, type PayloadEncrypter } from './payload-encryption';

/*
 * The one place that decides, per authority, what leaves the platform: the XML payload, the
 * PDF receipt and the uploaded files plain or as JWE (see payload-encryption.ts), with which key
 * and content type. The submission service asks it at accept, the worker before each send, the
 * channels for their attachments and the inbox before it serves payload, receipt or a file.
 * Nothing else in src/ names the JWE content type or encrypts.
 */

/** The content type of a plain XML payload, as a job stores it and an http push or inbox sends it. */
const PLAIN_XML = 'application/xml; charset=utf-8';
/** The `cty` of an encrypted payload and the content type of a plain receipt. */
const XML = 'application/xml';
const PDF = 'application/pdf';
/** What an encrypted attachment's file name gets appended (`<reference>.xml.jwe`). */
const JWE_SUFFIX = '.jwe';

/** A payload as the authority's job stores it. */
export interface SealedPayload {
  /** The XML as it is, or its JWE in compact serialization. */
  readonly body: string;
  /** `application/xml; charset=utf-8`, or JWE_CONTENT_TYPE for a JWE. */
  readonly contentType: string;
}

/** One thing that leaves to an authority: as it is, or sealed to the authority's key. */
export interface OutboundAttachment {
  /** The bytes to send: the plain content, or the JWE (a string) when sealed. */
  readonly body: string | Buffer;
  readonly contentType: string;
  /** Appended to the attachment's file name: `.jwe` when sealed, else ''. */
  readonly fileSuffix: '' | '.jwe';
}

/** The PDF receipt as it leaves to an authority. */
export interface OutboundReceipt extends OutboundAttachment {
  /** The key id it was sealed to; undefined when it leaves plain. */
  readonly kid: string | undefined;
}

/** Everything the authority e-mail needs to know about what it attaches. */
export interface AuthorityMailParts {
  /**
   * Whether the message counts as encrypted (its text then says so and names the key): the
   * payload is a JWE and so is the receipt, or there is no receipt to attach.
   */
  readonly encrypted: boolean;
  /** The key id the attachments are sealed to; '' when the message is not encrypted. */
  readonly kid: string;
  /** The job's payload, exactly as the job holds it. */
  readonly payload: OutboundAttachment;
  /** The receipt, when there is one; sealed exactly when the message is encrypted. */
  readonly receipt: OutboundAttachment | undefined;
}

/** One uploaded file as it leaves with a job: the file as uploaded, or its JWE. */
export interface OutboundFile {
  /** The attachment's id, as the payload lists it. */
  readonly id: string;
  /**
   * The name it leaves under: the cleaned name of the upload; `<id>.jwe` when sealed (the name
   * may say who applied; a sealed payload lists it).
   */
  readonly fileName: string;
  /** The media type of the bytes sent: the file's own, or the JWE type when sealed. */
  readonly contentType: string;
  /** The file's own media type (the JWE's cty when sealed), as the payload lists it. */
  readonly mediaType: string;
  /** SHA-512 (hex) of the file as uploaded, as the payload lists it (of the plaintext when sealed). */
  readonly sha512: string;
  /** Bytes that open() yields. */
  readonly size: number;
  /** The file's size as uploaded, as the payload lists it (the plaintext's when sealed). */
  readonly uploadedSize: number;
  /** The key id it is sealed to; undefined when it leaves plain. */
  readonly kid: string | undefined;
  /** The bytes, streamed from the store; every call yields the same bytes. */
  open(): Readable;
}

/** Decides, per authority, what leaves the platform: plain XML, PDF and files, or JWE. */
export interface OutboundPayloads {
  /**
   * At accept: what the authority's job is to carry, the XML as it is or encrypted to the
   * authority's key. Fixed once, so every attempt sends the same bytes.
   */
  sealForAccept(authorityId: string, xml: string): Promise<SealedPayload>;
  /**
   * Before a send or an inbox fetch: the job itself when it may leave as it is; when its
   * authority has a key *now* but the job still holds the plain XML (a backlog, a dead job an
   * operator retries, an inbox not fetched yet), the job sealed and stored with a new idempotency
   * key, so a receiver never sees one key with two different bodies. The applicant's own
   * e-mail job is no authority payload and is returned as it is.
   */
  ensureSealed(job: DeliveryJob): Promise<DeliveryJob>;
  /**
   * The receipt as it leaves to the authority (the inbox's receipt.pdf): it embeds the XML, so it
   * is sealed whenever the authority has a key, else the PDF as it is.
   */
  receiptFor(authorityId: string, pdf: Buffer): Promise<OutboundReceipt>;
  /**
   * The attachments of the authority's e-mail for a job (sealed by ensureSealed before) and its
   * receipt (undefined: none could be produced), and whether the message counts as encrypted.
   */
  authorityMail(job: DeliveryJob, pdf: Buffer | undefined): Promise<AuthorityMailParts>;
  /**
   * At accept, before the commit: for an authority with a key, each file sealed once to it and
   * stored beside the upload (`{id, sealed}`); without a key only `{id}`. A file that already has
   * a copy sealed to the same key keeps it. Fails as a whole, leaving no copy behind.
   */
  sealAttachments(authorityId: string, attachments: readonly AttachmentRecord[]): Promise<SubmissionAttachment[]>;
  /** Removes the sealed copies sealAttachments made, for a submission that was not committed after all. */
  discardSealed(taken: readonly SubmissionAttachment[]): Promise<void>;
  /**
   * The submission's files as they leave with this job (after ensureSealed), in the order of the
   * answers, given to `use`: sealed copies when the job's payload is a JWE, the uploads as they
   * are otherwise; `only` picks one file by id (none: an empty list). A job sealed after its
   * acceptance (the authority got its key later) has files without sealed copies: each is sealed
   * once and recorded with its attachment (recordSealed), so every later attempt sends the same
   * bytes. A sealed job whose authority has no key any more while a file has no sealed copy
   * fails instead of sending that file in the clear beside the encrypted payload.
   */
  withFiles<T>(job: DeliveryJob, use: (files: readonly OutboundFile[]) => Promise<T>, only?: string): Promise<T>;
}

export interface OutboundPayloadDependencies {
  /** The encrypter of an authority that has a public key; undefined: everything goes plain. */
  readonly encrypterOf: (authorityId: string) => PayloadEncrypter | undefined;
  /** Where ensureSealed reads the plain XML of a job to seal. */
  readonly submissions: Pick<SubmissionRepository, 'find'>;
  /** Where ensureSealed stores a job it sealed. */
  readonly deliveries: Pick<DeliveryQueue, 'reseal'>;
  /** A submission's attachments, for the channels. */
  readonly attachments: Pick<AttachmentRepository, 'ofSubmission' | 'recordSealed'>;
  /** The uploads' bytes and where sealed copies are written. */
  readonly attachmentFiles: Pick<AttachmentFiles, 'read' | 'writeRaw' | 'remove'>;
}

/** The key id in a compact JWE's protected header; '' when there is none to read. */
function jweKeyId(compact: string): string {
  try {
    const header = JSON.parse(Buffer.from(compact.split('.')[0] ?? '', 'base64url').toString('utf8')) as { kid?: unknown };
    return typeof header.kid === 'string' ? header.kid : '';
  } catch {
    // A JWE body is sealed here and always has a header; this only keeps a malformed one from
    // failing the delivery over a line of text.
    return '';
  }
}

export function createOutboundPayloads(deps: OutboundPayloadDependencies): OutboundPayloads {
  const { encrypterOf } = deps;

  async function sealForAccept(authorityId: string, xml: string): Promise<SealedPayload> {
    const encrypter = encrypterOf(authorityId);
    return encrypter ? { body: await encrypter.encrypt(xml, XML), contentType: JWE_CONTENT_TYPE } : { body: xml, contentType: PLAIN_XML };
  }

  async function ensureSealed(job: DeliveryJob): Promise<DeliveryJob> {
    // The applicant's own confirmation e-mail is no authority payload.
    if (job.channel === 'email-citizen' || job.contentType === JWE_CONTENT_TYPE) return job;
    const encrypter = encrypterOf(job.authorityId);
    if (!encrypter) return job;
    // The caller's copy of the job may predate a purge (retention) that committed since: then the
    // answers are gone, which is the caller's 410, not a failure of ours.
    const record = await deps.submissions.find(job.submissionId);
    if (!record) throw new Error(`job ${job.id}: no payload to encrypt (no such submission)`);
    if (record.purgedAt !== undefined || record.payloadXml === '') {
      throw new AppError('SUBMISSION_DATA_DELETED', `job ${job.id}: purged before it was sealed`);
    }
    const body = await encrypter.encrypt(record.payloadXml, XML);
    // The store never reseals a purged job (jobs are never deleted): no job back means a purge
    // committed while this one was encrypting, and nothing was written.
    const sealed = await deps.deliveries.reseal(job.id, { body, contentType: JWE_CONTENT_TYPE, idempotencyKey: randomUUID() });
    if (!sealed) throw new AppError('SUBMISSION_DATA_DELETED', `job ${job.id}: purged while it was sealed`);
    return sealed;
  }

  async function receiptFor(authorityId: string, pdf: Buffer): Promise<OutboundReceipt> {
    const encrypter = encrypterOf(authorityId);
    if (!encrypter) return { body: pdf, contentType: PDF, fileSuffix: '', kid: undefined };
    return { body: await encrypter.encrypt(pdf, PDF), contentType: JWE_CONTENT_TYPE, fileSuffix: JWE_SUFFIX, kid: encrypter.kid };
  }

  async function authorityMail(job: DeliveryJob, pdf: Buffer | undefined): Promise<AuthorityMailParts> {
    const jwe = job.contentType === JWE_CONTENT_TYPE;
    const payload: OutboundAttachment = { body: job.body, contentType: job.contentType, fileSuffix: jwe ? JWE_SUFFIX : '' };
    const hasKey = encrypterOf(job.authorityId) !== undefined;
    // Without a receipt the message is encrypted when its one attachment, the XML, is; with one,
    // when the receipt (which embeds the XML) can be sealed too.
    const encrypted = jwe && (pdf === undefined || hasKey);
    if (!pdf) return { encrypted, kid: encrypted ? jweKeyId(job.body) : '', payload, receipt: undefined };
    if (!encrypted) return { encrypted, kid: '', payload, receipt: { body: pdf, contentType: PDF, fileSuffix: '' } };
    const receipt = await receiptFor(job.authorityId, pdf);
    return { encrypted, kid: receipt.kid ?? jweKeyId(job.body), payload, receipt };
  }

  const files = deps.attachmentFiles;
  /** An upload's bytes, opened only once they are asked for and closed however the reading ends. */
  async function* upload(id: string): AsyncGenerator<Buffer> {
    const stream = files.read(id);
    try {
      for await (const chunk of stream) yield chunk as Buffer;
    } finally {
      stream.destroy();
    }
  }

  async function sealAttachments(authorityId: string, attachments: readonly AttachmentRecord[]): Promise<SubmissionAttachment[]> {
    const encrypter = encrypterOf(authorityId);
    if (!encrypter) return attachments.map(({ id }) => ({ id }));
    const taken: SubmissionAttachment[] = [];
    try {
      for (const attachment of attachments) {
        if (attachment.sealed?.kid === encrypter.kid) {
          taken.push({ id: attachment.id, sealed: attachment.sealed });
          continue;
        }
        // Streamed from the upload through the cipher into the store: never whole in memory.
        const copy = await files.writeRaw(encrypter.encryptStream(upload(attachment.id), attachment.mediaType)).catch((err: unknown) => {
          // Its file went between the submission's check and now (removed with its draft in
          // another tab, swept): the citizen's to upload again, like a file taken meanwhile.
          throw (err as { code?: unknown }).code === 'ENOENT' ? new AttachmentTakenError(attachment.id) : err;
        });
        taken.push({ id: attachment.id, sealed: { fileId: copy.id, size: copy.size, kid: encrypter.kid } });
      }
    } catch (err) {
      await discardSealed(taken.filter((t, i) => t.sealed !== attachments[i]?.sealed));
      throw err;
    }
    return taken;
  }

  async function discardSealed(taken: readonly SubmissionAttachment[]): Promise<void> {
    for (const { sealed } of taken) if (sealed) await files.remove(sealed.fileId);
  }

  const plainFile = (record: AttachmentRecord): OutboundFile => ({
    id: record.id, fileName: record.fileName, contentType: record.mediaType, mediaType: record.mediaType, sha512: record.sha512,
    size: record.size, uploadedSize: record.size, kid: undefined, open: () => files.read(record.id),
  });
  const sealedFile = (record: AttachmentRecord, copy: { fileId: string; size: number; kid: string }): OutboundFile => ({
    // Under its id: the applicant's file name may name them, and is only in the sealed payload.
    id: record.id, fileName: `${record.id}${JWE_SUFFIX}`, contentType: JWE_CONTENT_TYPE, mediaType: record.mediaType,
    sha512: record.sha512, size: copy.size, uploadedSize: record.size, kid: copy.kid, open: () => files.read(copy.fileId),
  });

  async function withFiles<T>(job: DeliveryJob, use: (outgoing: readonly OutboundFile[]) => Promise<T>, only?: string): Promise<T> {
    const all = await deps.attachments.ofSubmission(job.submissionId);
    const records = only === undefined ? all : all.filter((record) => record.id === only);
    // The files follow the payload: sealed when it is (so a key removed later changes nothing
    // for what was accepted with it), plain when it is not.
    if (job.contentType !== JWE_CONTENT_TYPE || records.length === 0) return use(records.map(plainFile));
    const encrypter = encrypterOf(job.authorityId);
    const outgoing: OutboundFile[] = [];
    for (const record of records) {
      if (record.sealed) outgoing.push(sealedFile(record, record.sealed));
      else if (!encrypter) {
        throw new AppError('ENCRYPTION_KEY_MISSING', `job ${job.id} of authority ${job.authorityId}: a file of the sealed job has no sealed copy and the authority no key any more`);
      }
      else {
        // Sealed after acceptance (the authority got a key later): sealed once, recorded, and
        // the same copy sent on every later attempt. A copy that lost the race is removed.
        const written = await files.writeRaw(encrypter.encryptStream(upload(record.id), record.mediaType));
        const copy = { fileId: written.id, size: written.size, kid: encrypter.kid };
        const kept = await deps.attachments.recordSealed(record.id, copy);
        if (kept?.fileId !== copy.fileId) await files.remove(copy.fileId);
        outgoing.push(sealedFile(record, kept ?? copy));
      }
    }
    return use(outgoing);
  }

  return { sealForAccept, ensureSealed, receiptFor, authorityMail, sealAttachments, discardSealed, withFiles };
}
