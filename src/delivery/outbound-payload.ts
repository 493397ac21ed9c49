import { randomUUID } from 'node:crypto';
import { AppError } from '../errors';
import type { DeliveryJob, DeliveryQueue, SubmissionRepository } from '../storage/ports';
import { JWE_CONTENT_TYPE, type PayloadEncrypter } from './payload-encryption';

/*
 * The one place that decides, per authority, what leaves the platform: the XML payload and the
 * PDF receipt plain or as JWE (see payload-encryption.ts), with which key and content type. The
 * submission service asks it at accept, the worker before each send, the e-mail channel for its
 * attachments and the inbox before it serves payload or receipt. Nothing else in src/ names the
 * JWE content type or encrypts.
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

/** Decides, per authority, what leaves the platform: plain XML and PDF, or JWE. */
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
}

export interface OutboundPayloadDependencies {
  /** The encrypter of an authority that has a public key; undefined: everything goes plain. */
  readonly encrypterOf: (authorityId: string) => PayloadEncrypter | undefined;
  /** Where ensureSealed reads the plain XML of a job to seal. */
  readonly submissions: Pick<SubmissionRepository, 'find'>;
  /** Where ensureSealed stores a job it sealed. */
  readonly deliveries: Pick<DeliveryQueue, 'reseal'>;
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

  return { sealForAccept, ensureSealed, receiptFor, authorityMail };
}
