/*
 * What the attachments (src/attachments/) ask of the store: the metadata of each uploaded file
 * and, through AttachmentFiles, its bytes, kept where the deployment keeps everything else (a
 * folder under DATA_DIR beside SQLite, a table of PostgreSQL). Kept apart from ports.ts, which
 * re-exports it.
 */
import type { Readable } from 'node:stream';
import type { DocumentMediaType } from '../support/media-type';

/** A file as stored: its id, size, media type (from its content) and SHA-512 (hex), as FIT-Connect describes attachments. */
export interface StoredFile {
  readonly id: string;
  readonly size: number;
  readonly mediaType: DocumentMediaType;
  readonly sha512: string;
}

/** Why an upload was not stored: stable codes a page or the API turns into the field's error. */
export type FileRefusal = 'empty' | 'too large' | 'type not accepted';

export type WriteOutcome = { readonly ok: true; readonly file: StoredFile } | { readonly ok: false; readonly refusal: FileRefusal };

export interface FileLimits {
  readonly maxBytes: number;
  /** The media types the question accepts, decided from the content. */
  readonly accept: readonly DocumentMediaType[];
}

/** The bytes of uploads (and of their sealed copies): a folder for SQLite, a table for PostgreSQL. */
export interface AttachmentFiles {
  /**
   * Streams `content` into the store, hashing as it goes, never holding it whole; stops reading
   * past `maxBytes` (the rest is not read: the caller ends the request). Durable before it
   * resolves ok; a refused or failed upload leaves nothing behind.
   */
  write(content: AsyncIterable<Buffer>, limits: FileLimits): Promise<WriteOutcome>;
  /**
   * Stores bytes that are not an upload (a sealed copy: a JWE of an attachment), without limits
   * or type check; durable before it resolves. Answers the new file's id and size.
   */
  writeRaw(content: AsyncIterable<Buffer>): Promise<{ readonly id: string; readonly size: number }>;
  /** The stored bytes, streamed; the stream errors when the file does not exist. */
  read(id: string): Readable;
  /** Removes a file; one already gone is not an error. */
  remove(id: string): Promise<void>;
  /**
   * The ids of the whole files written before `before`, in no particular order: what the
   * clean-up checks against the rows (a crash between a file and its row leaves a file no row
   * names). Files removed meanwhile may or may not be listed.
   */
  filesBefore(before: Date): AsyncIterable<string>;
  /**
   * Removes what writes a crash cut off left behind (never a whole file) when begun before
   * `before`; answers how many such writes it removed. A write still running is younger.
   */
  removeUnfinished(before: Date): Promise<number>;
}

/** One uploaded file's metadata: never its content. */
export interface NewAttachment {
  /** The id of its bytes in AttachmentFiles (a UUID). */
  readonly id: string;
  readonly formId: string;
  /** The question (JSON pointer into the answers) it was uploaded for. */
  readonly fieldPointer: string;
  /** Uploaded on the pages: the draft's key (the same SHA-256 as DraftRepository's); absent for an API upload. */
  readonly draftKey?: string;
  /** The name the citizen's file had, cleaned (attachments/file-name.ts); shown and sent, never a path. */
  readonly fileName: string;
  readonly mediaType: DocumentMediaType;
  readonly size: number;
  /** SHA-512 of the bytes, hex. */
  readonly sha512: string;
  /** Whether clamd scanned it clean (false only when scanning is not required and clamd could not scan). */
  readonly scanned: boolean;
  readonly createdAt: Date;
}

/** A copy of an attachment encrypted for the authority (a JWE, compact serialization), made once at acceptance. */
export interface SealedCopy {
  readonly fileId: string;
  readonly size: number;
  /** Key id of the authority key it was encrypted to. */
  readonly kid: string;
}

export interface AttachmentRecord extends NewAttachment {
  /** The submission that carries it, once one was accepted with it; a used attachment is never taken again. */
  readonly submissionId?: string;
  readonly sealed?: SealedCopy;
  /** When the authority's e-mail went without it: it waits in the inbox to be fetched (holdForFetch). */
  readonly heldAt?: Date;
  /** When the authority first downloaded it from the inbox. */
  readonly fetchedAt?: Date;
}

/** What a submission takes with it: its attachments by id, each with its sealed copy when the authority has a key. */
export interface SubmissionAttachment {
  readonly id: string;
  readonly sealed?: SealedCopy;
}

/** Thrown by SubmissionRepository.create when an attachment is gone or was taken by another submission meanwhile. */
export class AttachmentTakenError extends Error {
  override readonly name = 'AttachmentTakenError';
  constructor(readonly attachmentId: string) {
    super(`attachment ${attachmentId} is no longer available`);
  }
}

export interface AttachmentRepository {
  add(attachment: NewAttachment): Promise<void>;
  find(id: string): Promise<AttachmentRecord | undefined>;
  /** A draft's attachments not yet taken by a submission, oldest first. */
  ofDraft(draftKey: string): Promise<AttachmentRecord[]>;
  /** A submission's attachments, in the order they were referenced in its answers. */
  ofSubmission(submissionId: string): Promise<AttachmentRecord[]>;
  /**
   * Records the sealed copy of a submission's attachment made after acceptance (its authority
   * got a key later) unless one is recorded already: the first writer wins, so every later
   * attempt sends the same bytes. Answers the copy that is recorded now (undefined: no such
   * attachment of a submission); a caller whose copy lost removes its file.
   */
  recordSealed(id: string, copy: SealedCopy): Promise<SealedCopy | undefined>;
  /** Removes one attachment's row when it is not taken by a submission; answers whether it did. The caller removes its file. */
  removeUnused(id: string): Promise<boolean>;
  /**
   * Rows of attachments no submission took whose draft is gone (expired or deleted), or, for API
   * uploads, made before `apiCutoff`; at most `limit`. The clean-up removes their files, then
   * the rows (removeUnused).
   */
  orphans(apiCutoff: Date, limit: number): Promise<AttachmentRecord[]>;
  /**
   * Marks a submission's attachments as waiting in the inbox (its authority's e-mail went
   * without them): its retention waits until each was fetched. Only the first time counts.
   */
  holdForFetch(submissionId: string, at: Date): Promise<void>;
  /** Ends a submission's hold: its files reached the authority otherwise (attached to a later attempt). */
  releaseHold(submissionId: string): Promise<void>;
  /** Records the authority's first download of an attachment of a submission. */
  markFetched(id: string, at: Date): Promise<void>;
  /** Which of these file ids an attachment names, as its upload or as its sealed copy. */
  namedFiles(fileIds: readonly string[]): Promise<Set<string>>;
}
